"""Resolver benchmark: N DOIs against a local server that behaves like Crossref's polite pool.

The server (a separate process, so its timing is not disturbed by the client's threads)
answers ``/works/{doi}`` with real-sized bodies (the real Crossref records under
``../shared/external/crossref``, with the DOI replaced) after 50-200 ms, and enforces the
polite limits the way Crossref does: more than 10 requests in any second, or more than 3 in
flight, get ``429 Too Many Requests`` with ``Retry-After: 1``; list queries (``filter=``)
more than 3 per second too. Europe PMC answers "no result" after the same latency.

Reported: Crossref requests per second as a fraction of the 10/s limit (target >= 0.9),
the number of 429s (target 0), and the time of a second run that is served from the cache.

    python bench/bench_resolve.py            # 1,000 DOIs (about two minutes: the limit is the point)
    python bench/bench_resolve.py --n 200
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import random
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import urlopen

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evidence.resolve import api
from evidence.resolve.http import HttpConfig
from evidence.workspace import Settings

EXTERNAL = REPO.parent / "shared" / "external" / "crossref" / "habanero" / "derived"
RATE, IN_FLIGHT, LIST_RATE = 10, 3, 3


def _bodies() -> list[dict]:
    """Real Crossref /works/{doi} answers (12-30 KB each); a same-sized stand-in if absent."""
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXTERNAL.glob("works_*.200.json"))]
    if found:
        return found
    print("note: ../shared/external is absent; serving synthetic 20 KB records", file=sys.stderr)
    return [{"status": "ok", "message-type": "work", "message": {
        "DOI": "", "title": ["Synthetic record"], "author": [{"family": "Doe", "given": "J"}] * 40,
        "reference": [{"key": f"r{i}", "unstructured": "x" * 300} for i in range(60)]}}]


def serve(port_queue: multiprocessing.Queue) -> None:
    bodies = _bodies()
    lock = threading.Lock()
    state = {"in_flight": 0, "max_in_flight": 0, "served": 0, "too_many": 0, "list_served": 0, "epmc": 0}
    arrivals: collections.deque[float] = collections.deque()
    list_arrivals: collections.deque[float] = collections.deque()
    times: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            if url.path == "/stats":
                with lock:
                    self._send(200, json.dumps({**state, "times": times}).encode())
                return
            if url.path.startswith("/epmc/"):
                time.sleep(random.uniform(0.05, 0.2))
                with lock:
                    state["epmc"] += 1
                self._send(200, b'{"version":"6.9","hitCount":0,"resultList":{"result":[]}}')
                return
            is_list = url.path == "/crossref/works"
            now = time.monotonic()
            with lock:
                while arrivals and arrivals[0] <= now - 1.0:
                    arrivals.popleft()
                while list_arrivals and list_arrivals[0] <= now - 1.0:
                    list_arrivals.popleft()
                why = ("rate" if len(arrivals) >= RATE else "in_flight" if state["in_flight"] >= IN_FLIGHT
                       else "list_rate" if is_list and len(list_arrivals) >= LIST_RATE else "")
                refuse = bool(why)
                if why:
                    state[f"refused_{why}"] = state.get(f"refused_{why}", 0) + 1
                arrivals.append(now)  # refused requests count too, as at the real service
                if is_list:
                    list_arrivals.append(now)
                if refuse:
                    state["too_many"] += 1
                else:
                    state["in_flight"] += 1
                    state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
                    times.append(now)
            if refuse:
                self._send(429, b"Too Many Requests", {"Retry-After": "1"})
                return
            time.sleep(random.uniform(0.05, 0.2))
            if is_list:
                body = b'{"status":"ok","message-type":"work-list","message":{"total-results":0,"items":[]}}'
            else:
                doi = unquote(url.path.split("/crossref/works/", 1)[1])
                record = bodies[hash(doi) % len(bodies)]
                body = json.dumps({**record, "message": {**record["message"], "DOI": doi}}).encode()
            with lock:  # leave the in-flight count before the client can see the answer
                state["in_flight"] -= 1
                state["served"] += 1
                state["list_served"] += is_list
            self._send(200, body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def workspace(root: Path, n: int) -> None:
    (root / "references").mkdir(parents=True)
    entries = [f"@article{{bench{i:04d},\n  title = {{Benchmark record {i}}},\n  year = {{2020}},\n"
               f"  doi = {{10.5555/bench.{i:04d}}}\n}}\n" for i in range(n)]
    (root / "references" / "library.bib").write_text("\n".join(entries), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of DOIs (default 1000)")
    args = parser.parse_args()
    ports: multiprocessing.Queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    proc.start()
    port = ports.get(timeout=10)
    base = f"http://127.0.0.1:{port}"
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workspace(root, args.n)
        settings = Settings(root=root, mailto="bench@example.org",
                            resolve={"mailto": "bench@example.org", "crossref_url": f"{base}/crossref",
                                     "ncbi_url": f"{base}/ncbi", "europepmc_url": f"{base}/epmc"})
        config = HttpConfig.from_settings(settings, environ={})
        print(f"limits: crossref {config.limits['crossref']}, searches {config.limits['crossref-search']}; "
              f"server: {RATE}/s, {IN_FLIGHT} in flight, lists {LIST_RATE}/s, 50-200 ms per answer")
        started = time.monotonic()
        first = api.resolve(settings)
        first_time = time.monotonic() - started
        stats = json.loads(urlopen(f"{base}/stats").read())
        started = time.monotonic()
        second = api.resolve(settings)
        second_time = time.monotonic() - started
    proc.terminate()
    times = sorted(stats["times"])
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    per_second = (len(times) - 1) / span
    print(f"first run: {args.n} DOIs, {first.answers} answers ({first.fetched} found, {first.not_found} not found, "
          f"{len(first.failed)} failed) in {first_time:.1f} s")
    print(f"  crossref: {stats['served']} requests ({stats['list_served']} list queries) in {span:.1f} s = "
          f"{per_second:.2f}/s = {per_second / RATE:.3f} of the {RATE}/s limit; "
          f"max in flight {stats['max_in_flight']}; 429s: {stats['too_many']} "
          f"{ {k: v for k, v in stats.items() if k.startswith('refused_')} or ''}")
    gaps = [b - a for a, b in zip(times, times[1:])]
    print(f"  gaps between Crossref starts: median {sorted(gaps)[len(gaps) // 2] * 1000:.0f} ms, "
          f"{sum(g > 0.2 for g in gaps)} over 200 ms totalling {sum(g for g in gaps if g > 0.2):.1f} s")
    print(f"  europepmc: {stats['epmc']} requests (batched, 20 DOIs each)")
    print(f"second run (fully cached): {second_time:.2f} s, {second.requests} requests, {second.cached} answers from cache")


if __name__ == "__main__":
    main()
