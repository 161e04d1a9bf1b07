"""Serve a generated site on loopback from memory, answering URLs as WordPress does."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote_to_bytes

from crawler.samplesite.model import Page, Site, wp_path


@dataclass(frozen=True)
class Answer:
    """A response ready to send: bytes already on the served origin."""

    status: int
    body: bytes
    content_type: str
    location: str | None = None


class Router:
    """Maps request targets to answers: any encoding of a path finds its page,
    ``/?p=ID`` and slash-less paths redirect, other query strings are ignored."""

    def __init__(self, site: Site, origin: str) -> None:
        self.origin = origin
        self.pages = {path: answer(page, origin) for path, page in site.decoded_index().items()}
        self.not_found = answer(site.not_found, origin)

    def route(self, target: str) -> Answer:
        """The answer to a request for *target* (path and query as sent)."""
        raw_path, _, query = target.partition("#")[0].partition("?")
        path = decode_path(raw_path)
        if path == "/" and "p" in (params := parse_qs(query)):
            return self.pages.get(f"/?p={params['p'][0]}", self.not_found)
        if page := self.pages.get(path):
            return page
        if not path.endswith("/") and path + "/" in self.pages:
            location = self.origin + wp_path(path + "/") + (f"?{query}" if query else "")
            return Answer(301, b"", "text/html; charset=UTF-8", location)
        return self.not_found


def answer(page: Page, origin: str) -> Answer:
    """A stored page rendered on *origin*."""
    return Answer(page.status, page.render(origin), page.content_type, page.location_on(origin))


def decode_path(raw: str) -> str:
    """Decode a request path percent-encoded in either case of hex, or sent raw
    (UTF-8 read as Latin-1, or already text).

    >>> decode_path("/%d9%84%D8%A8")
    '/لب'
    >>> decode_path("/لب".encode("utf-8").decode("latin-1"))
    '/لب'
    """
    try:
        data = raw.encode("latin-1")
    except UnicodeEncodeError:
        data = raw.encode("utf-8")
    return unquote_to_bytes(data).decode("utf-8", "replace")


_NON_ASCII = re.compile(rb"[\x80-\xff]")


class _Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the server's router, quietly."""

    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30
    # Headers and body go out in two writes; without this, delayed ACKs cap keep-alive
    # clients at about 25 requests per second.
    disable_nagle_algorithm = True
    server: _HTTPServer
    raw_requestline: bytes

    def parse_request(self) -> bool:
        """Percent-encode raw UTF-8 in the request line first: http.server reads it as
        Latin-1 and splits on whitespace, and bytes such as 0x85 (in "م") count as such."""
        self.raw_requestline = _NON_ASCII.sub(lambda m: b"%%%02X" % m[0][0], self.raw_requestline)
        return super().parse_request()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        self.server.record(self.path)
        answer = self.server.router.route(self.path)
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        if answer.location:
            self.send_header("Location", answer.location)
        self.end_headers()
        if with_body:
            self.wfile.write(answer.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Requests are counted, not logged."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    router: Router

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.lock = threading.Lock()
        self.paths: list[str] = []

    def record(self, path: str) -> None:
        with self.lock:
            self.paths.append(path)


class SampleServer:
    """A running sample site: ``origin``, the ``requests`` served so far, ``stop()``.

    Usable as a context manager that stops the server on exit.
    """

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self._httpd = _HTTPServer((host, port))
        self.origin = f"http://{host}:{self._httpd.server_address[1]}"
        self._httpd.router = Router(site, self.origin)
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="samplesite", daemon=True)
        self._thread.start()

    @property
    def requests(self) -> list[str]:
        """Request targets served so far, in order (a copy)."""
        with self._httpd.lock:
            return list(self._httpd.paths)

    @property
    def truth(self) -> dict:
        """The site's truth with URLs on this server's origin."""
        return self.site.truth_for(self.origin)

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> SampleServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve(site: Site, host: str = "127.0.0.1", port: int = 0) -> SampleServer:
    """Start serving *site* in a daemon thread; port 0 picks a free port."""
    return SampleServer(site, host, port)
