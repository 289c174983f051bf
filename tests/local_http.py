"""A throw-away HTTP server on 127.0.0.1 for download tests (offline: nothing leaves the machine).

``running()`` starts it in a thread and always stops it, releasing any handler that stalls.
Shared by tests/test_fetch.py, tests/publishers.py (the publishers end to end) and the reliability corpus.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class LocalServer:
    """``routes`` maps a path to ``handler(request)``; ``release`` frees every stalled handler."""

    url: str = ""
    routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def serve(self, path: str, body: bytes, *, ctype: str = "text/csv", status: int = 200) -> None:
        def handler(req: BaseHTTPRequestHandler) -> None:
            req.send_response(status)
            req.send_header("Content-Type", ctype)
            req.send_header("Content-Length", str(len(body)))
            req.end_headers()
            req.wfile.write(body)
        self.routes[path] = handler

    def stall(self, path: str) -> None:
        """Accept the request, then send nothing until the test is over."""
        def handler(req: BaseHTTPRequestHandler) -> None:
            self.release.wait()
            req.close_connection = True
        self.routes[path] = handler


@contextlib.contextmanager
def running() -> Iterator[LocalServer]:
    state = LocalServer()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            state.hits.append(self.path)
            action = state.routes.get(self.path)
            if action is None:
                self.send_error(404, "Not Found")
                return
            action(self)

        def log_message(self, *args):  # keep the test output clean
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        state.release.set()  # stalled handlers return; then the server stops
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
