"""Serve a generated site on loopback from memory, answering URLs as WordPress does,
conditional requests included."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote_to_bytes

from crawler.samplesite.conditional import etag_of, http_date, not_modified
from crawler.samplesite.model import Page, Site, wp_path


@dataclass(frozen=True)
class Answer:
    """A response ready to send: bytes already on the served origin, and for pages
    (status 200) their entity tag and modification time."""

    status: int
    body: bytes
    content_type: str
    location: str | None = None
    etag: str | None = None
    last_modified: datetime | None = None


class Router:
    """Maps request targets to answers: any encoding of a path finds its page,
    ``/?p=ID`` and slash-less paths redirect, other query strings are ignored."""

    def __init__(self, site: Site, origin: str) -> None:
        self.origin = origin
        self.site = site
        self.keys = site.decoded_keys()
        self.not_found = answer(site.not_found, origin)

    def route(self, target: str) -> Answer:
        """The answer to a request for *target* (path and query as sent)."""
        raw_path, _, query = target.partition("#")[0].partition("?")
        path = decode_path(raw_path)
        if path == "/" and "p" in (params := parse_qs(query)):
            return self.page(f"/?p={params['p'][0]}")
        if path in self.keys:
            return self.page(path)
        if not path.endswith("/") and path + "/" in self.keys:
            location = self.origin + wp_path(path + "/") + (f"?{query}" if query else "")
            return Answer(301, b"", "text/html; charset=UTF-8", location)
        return self.not_found

    def page(self, path: str) -> Answer:
        """The page at decoded *path*, or the 404 page."""
        key = self.keys.get(path)
        return self.not_found if key is None else answer(self.site.pages[key], self.origin)


def answer(page: Page, origin: str) -> Answer:
    """A stored page rendered on *origin*."""
    body = page.render(origin)
    etag = etag_of(body) if page.status == 200 else None
    return Answer(page.status, body, page.content_type, page.location_on(origin), etag,
                  page.last_modified)


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
        answer = self.server.router.route(self.path)
        status = answer.status
        if answer.etag and not_modified(self.headers.get("If-None-Match"),
                                        self.headers.get("If-Modified-Since"),
                                        answer.etag, answer.last_modified):
            status = HTTPStatus.NOT_MODIFIED
        self.server.record(self.path, status)
        self.send_response(status)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
        if answer.location:
            self.send_header("Location", answer.location)
        if answer.etag:
            self.send_header("ETag", answer.etag)
        if answer.last_modified:
            self.send_header("Last-Modified", http_date(answer.last_modified))
        self.end_headers()
        if with_body and status != HTTPStatus.NOT_MODIFIED:
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
        self.served: list[tuple[str, int]] = []

    def record(self, path: str, status: int) -> None:
        with self.lock:
            self.served.append((path, int(status)))


class SampleServer:
    """A running sample site: ``origin``, the ``requests`` served so far, ``stop()``,
    and ``replace_site(site)`` to move the site on to another day.

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
        """Request targets served so far, in order, 304s included (a copy)."""
        with self._httpd.lock:
            return [path for path, _ in self._httpd.served]

    @property
    def responses(self) -> list[tuple[str, int]]:
        """(request target, status) of every request served so far, in order."""
        with self._httpd.lock:
            return list(self._httpd.served)

    @property
    def truth(self) -> dict:
        """The current site's truth with URLs on this server's origin."""
        return self.site.truth_for(self.origin)

    def replace_site(self, site: Site) -> None:
        """Serve *site* from now on, on the same origin.  The swap is atomic: each
        request is answered wholly from the old site or wholly from the new one."""
        router = Router(site, self.origin)
        with self._httpd.lock:
            self.site = site
            self._httpd.router = router

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
