"""Resolve stage, transport: what a failed connection means, for the message and for the retry rule."""

from __future__ import annotations

import errno
import socket


def describe(exc: Exception) -> str:
    """A short, user-facing reason: 'connection refused', not a urllib3 traceback."""
    import requests  # a request has failed, so it is loaded already; `check` never gets here

    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return "timeout"
    for needle, reason in (("refused", "connection refused"), ("Name or service not known", "unknown host"),
                           ("nodename nor servname", "unknown host"), ("reset by peer", "connection reset"),
                           ("RemoteDisconnected", "connection closed by the server")):
        if needle in text:
            return reason
    return f"connection failed ({type(exc).__name__})"


_UNREACHABLE_ERRNOS = frozenset({errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH})


def unreachable(exc: BaseException) -> bool:
    """True when the host cannot be reached at all: no name resolution, connection refused, no route.

    Retries with backoff are for an overloaded server; an unknown host or a refused port will
    not answer in the next seconds either, so such a call fails at once (a laptop offline
    costs one attempt per request, not five over seven seconds). Timeouts and resets are
    still retried: those are what a busy server looks like. The exception chain is walked
    because urllib3 wraps the socket error twice (``MaxRetryError.reason``, ``__cause__``).
    """
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, socket.gaierror) or type(item).__name__ == "NameResolutionError":
            return True
        if isinstance(item, OSError) and item.errno in _UNREACHABLE_ERRNOS:
            return True
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return False
