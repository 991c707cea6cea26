"""Render stage, making the site's files: carried over when their inputs are unchanged, else made
(pages in worker processes when there are many, see ``parallel.py``) and handed to the writer."""

from __future__ import annotations

import hashlib
import os
from typing import Any, Callable

from .incremental import CODE_VERSION, Manifest, TemplateDigests, combined, context_payload, value_digest
from .parallel import PageRenderer


class Pages:
    """Every file of one render goes through here, so that each records what it was made from."""

    def __init__(self, writer: Any, manifest: Manifest, env: Any, settings: Any, cache: Any):
        self.writer, self.manifest, self.env = writer, manifest, env
        self.templates = TemplateDigests(env)
        self.pending: dict[str, str] = {}
        self.renderer = PageRenderer(env, settings, cache, self._done)

    def plan(self, rel: str, template: str, inputs: str) -> str | None:
        """The digest of a file from its template ('' for none) and its inputs; None when it is carried over."""
        digest = combined(CODE_VERSION, self.templates(template) if template else "", inputs)
        return None if self._kept(rel, digest) else digest

    def page(self, rel: str, template: str, context: dict[str, object], digest: str | None = None) -> None:
        """A page from a template and its context; without a planned ``digest``, the full context is its input."""
        payload = context_payload(context)
        if digest is None:
            inputs = hashlib.sha256(payload).hexdigest() if payload is not None else value_digest(context)
            digest = combined(CODE_VERSION, self.templates(template), inputs)
            if self._kept(rel, digest):
                return
        self.pending[rel] = digest
        if payload is None:  # cannot travel to a worker: render it here
            self._done(rel, self.env.get_template(template).render(**context).encode("utf-8"))
        else:
            self.renderer.add(rel, template, payload, context)

    def made(self, rel: str, inputs: str, produce: Callable[[], str | bytes], digest: str | None = None) -> None:
        """Any other file: carried over when made from the same ``inputs`` digest, else produced now."""
        if digest is None:
            digest = combined(CODE_VERSION, inputs)
            if self._kept(rel, digest):
                return
        content = produce()
        self.pending[rel] = digest
        self._done(rel, content.encode("utf-8") if isinstance(content, str) else content)

    def copied(self, rel: str, source: Any, digest: str) -> None:
        """A (large) file copied as it is, recorded with the digest it was planned with."""
        self.writer.copy(rel, source)
        self.manifest.record(rel, digest, os.path.getsize(source))

    def size(self, rel: str) -> int:
        """The size of a file this render made or carried over."""
        return self.manifest.new[rel][1]

    def _kept(self, rel: str, digest: str) -> bool:
        if not self.manifest.unchanged(rel, digest):
            return False
        self.writer.keep(rel)
        self.manifest.record(rel, digest, self.manifest.old[rel][1])
        return True

    def _done(self, rel: str, data: bytes) -> None:
        self.writer.write(rel, data)
        self.manifest.record(rel, self.pending.pop(rel), len(data))

    def close(self) -> None:
        self.renderer.close()

    def abort(self) -> None:
        self.renderer.abort()
