"""Serve a generated site on loopback from memory, answering URLs as WordPress does,
conditional requests included."""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, unquote_to_bytes

from crawler.samplesite.conditional import etag_of, http_date, not_modified
from crawler.samplesite.damage import cut
from crawler.samplesite.faultpages import FaultyPages
from crawler.samplesite.faults import FAULTY_ATTEMPTS, Faults
from crawler.samplesite.model import Page, Site, wp_path
from crawler.samplesite.truth import truth_under

#: Transient faults answered without the page.
FAILURES = frozenset({"error", "burst", "throttle", "reset", "timeout"})


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
    #: Whether transient faults may hit it (article pages, and listings if asked).
    exposed: bool = False


class Router:
    """Maps request targets to answers: any encoding of a path finds its page,
    ``/?p=ID`` and slash-less paths redirect, other query strings are ignored.

    With *faults*, the pages are those the faults change for good (``FaultyPages``);
    transient faults are the server's business.
    """

    def __init__(self, site: Site, origin: str, faults: Faults | None = None) -> None:
        self.origin = origin
        self.site = site
        self.keys = site.decoded_keys()
        self.faulty = FaultyPages(site, faults) if faults and faults.active else None
        self.not_found = answer(self.faulty.not_found() if self.faulty else site.not_found,
                                origin)
        # Without faults every page's answer is fixed: render it once, on first request
        # or all up front (``prerender``), so serving costs no more than a lookup.
        self._answers: dict[str, Answer] = {}

    def prerender(self) -> None:
        """Render every page's answer now, so the first request of each is as cheap as
        the next (a benchmark then measures its client, not this server)."""
        if self.faulty is None:
            for key in self.site.pages:
                self.page_answer(key)

    def route(self, target: str) -> Answer:
        """The answer to a request for *target* (path and query as sent)."""
        raw_path, _, query = target.partition("#")[0].partition("?")
        path = decode_path(raw_path)
        if self.faulty and (extra := self.faulty.extra(path, query)):
            return answer(extra, self.origin)
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
        if key is None:
            return self.not_found
        if self.faulty is None:
            return self.page_answer(key)
        page, exposed = self.faulty.page(key, path)
        return answer(page, self.origin, exposed)


    def page_answer(self, key: str) -> Answer:
        """The fault-free answer for the page at *key*, rendered once.  (Two threads
        rendering one page at once store equal answers: no lock is needed.)"""
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = answer(self.site.pages[key], self.origin)
        return found


def answer(page: Page, origin: str, exposed: bool = False) -> Answer:
    """A stored page rendered on *origin*."""
    body = page.render(origin)
    etag = etag_of(body) if page.status == 200 else None
    return Answer(page.status, body, page.content_type, page.location_on(origin), etag,
                  page.last_modified, exposed)


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
    """Answers GET and HEAD from the server's router, quietly, failing as the server's
    faults say."""

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
        with self.server.in_flight():
            self._answer_now(with_body)

    def _answer_now(self, with_body: bool) -> None:
        if self.server.latency > 0:
            # Held on this connection's own thread: other connections are not delayed.
            self.server.hold(self.server.latency)
        answer = self.server.router.route(self.path)
        draw = self.server.draw(self.path, answer)
        if draw.fault in FAILURES:
            self._fail(draw)
            return
        if draw.fault == "slow":
            self.server.hold(self.server.faults.slow_seconds)
        status = answer.status
        if answer.etag and not_modified(self.headers.get("If-None-Match"),
                                        self.headers.get("If-Modified-Since"),
                                        answer.etag, answer.last_modified):
            status = HTTPStatus.NOT_MODIFIED
        body, length = answer.body, len(answer.body)
        if draw.fault == "truncate" and status == HTTPStatus.OK:
            body, length = self._truncated(draw, body)
        self.server.record(self.path, status, draw.fault)
        self.send_response(status)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(length))
        if answer.location:
            self.send_header("Location", answer.location)
        if answer.etag:
            self.send_header("ETag", answer.etag)
        if answer.last_modified:
            self.send_header("Last-Modified", http_date(answer.last_modified))
        self.end_headers()
        if with_body and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)

    def _truncated(self, draw: Draw, body: bytes) -> tuple[bytes, int]:
        """The cut body and the Content-Length to announce: the full length (and the
        connection closed after the cut) or the cut's own."""
        faults = self.server.faults
        short = cut(body, faults.cut_at(draw.key, draw.attempt))
        if faults.short_body(draw.key, draw.attempt):
            self.close_connection = True
            return short, len(body)
        return short, len(short)

    def _fail(self, draw: Draw) -> None:
        """Answer with a failure: reset, hold then close, 5xx or 429."""
        faults = self.server.faults
        if draw.fault == "timeout":
            self.server.hold(faults.timeout_seconds)
        if draw.fault in ("reset", "timeout"):
            self.server.record(self.path, 0, draw.fault)
            self.close_connection = True
            if draw.fault == "reset":
                # SO_LINGER 0 turns close() into a RST; the read side must go first,
                # or the socket stays open behind it.
                self.rfile.close()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            return
        status = {"throttle": 429, "burst": 503}.get(draw.fault or "") or \
            faults.error_status(draw.key, draw.attempt)
        self.server.record(self.path, status, draw.fault)
        body = error_page(status)
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        if status == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Requests are counted, not logged."""


def error_page(status: int) -> bytes:
    """The error page nginx sends for *status*."""
    title = f"{status} {HTTPStatus(status).phrase}"
    return (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n").encode("ascii")


@dataclass(frozen=True)
class Draw:
    """The fault drawn for one request: its name (None: none), the path's attempt
    number and the decoded key the draw was made for."""

    fault: str | None
    attempt: int
    key: str


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    router: Router
    faults: Faults

    def __init__(self, address: tuple[str, int], latency: float = 0.0) -> None:
        super().__init__(address, _Handler)
        self.latency = latency  # seconds every response waits before it is sent
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.served: list[tuple[str, int]] = []
        self.served_at: list[float] = []  # time.monotonic() of each served response
        self.faulted: list[tuple[str, str]] = []
        self.attempts: Counter[str] = Counter()
        self.count = 0
        self.answering = 0  # requests being answered now
        self.most_answering = 0  # the most answered at once so far

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Count the request being answered in the block."""
        with self.lock:
            self.answering += 1
            self.most_answering = max(self.most_answering, self.answering)
        try:
            yield
        finally:
            with self.lock:
                self.answering -= 1

    def draw(self, target: str, answer: Answer) -> Draw:
        """Count the request and draw its fault: a burst hits any path but robots.txt,
        the other transient faults only exposed pages."""
        raw_path, _, query = target.partition("#")[0].partition("?")
        key = decode_path(raw_path) + (f"?{query}" if query else "")
        if not self.faults.active or key == "/robots.txt":
            return Draw(None, 0, key)
        with self.lock:
            attempt, number = self.attempts[key], self.count
            self.attempts[key] += 1
            self.count += 1
        if attempt < FAULTY_ATTEMPTS and self.faults.in_burst(number):
            return Draw("burst", attempt, key)
        fault = self.faults.transient(key, attempt) if answer.exposed else None
        return Draw(fault, attempt, key)

    def hold(self, seconds: float) -> None:
        """Wait *seconds*, or less when the server stops."""
        self.stopping.wait(seconds)

    def record(self, path: str, status: int, fault: str | None = None) -> None:
        with self.lock:
            self.served.append((path, int(status)))
            self.served_at.append(time.monotonic())
            if fault:
                self.faulted.append((path, fault))

    def forget_attempts(self) -> None:
        """Start counting attempts afresh."""
        with self.lock:
            self.attempts.clear()
            self.count = 0


class SampleServer:
    """A running sample site: ``origin``, the ``requests`` served so far, ``stop()``,
    and ``replace_site(site)`` to move the site on to another day.

    With *faults*, the server fails as they say (see ``Faults``); ``truth`` then says
    what a perfect crawler can still store, and ``faulted`` which requests failed how.
    With *latency*, every response waits that many seconds first, as from a far server.
    Usable as a context manager that stops the server on exit.
    """

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0,
                 faults: Faults | None = None, latency: float = 0.0,
                 prerender: bool = False) -> None:
        self.site = site
        self.faults = faults or Faults()
        self._httpd = _HTTPServer((host, port), latency)
        self.origin = f"http://{host}:{self._httpd.server_address[1]}"
        try:
            self._httpd.router = Router(site, self.origin, self.faults)
        except ValueError:
            self._httpd.server_close()
            raise
        if prerender:
            self._httpd.router.prerender()
        self._httpd.faults = self.faults
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
        """(request target, status) of every request served so far, in order; status 0
        for a request reset or held until it timed out."""
        with self._httpd.lock:
            return list(self._httpd.served)

    @property
    def timeline(self) -> list[tuple[str, int, float]]:
        """(request target, status, time.monotonic() when served) of every response."""
        with self._httpd.lock:
            return [(p, s, t) for (p, s), t in zip(self._httpd.served, self._httpd.served_at,
                                                   strict=True)]

    @property
    def most_concurrent(self) -> int:
        """The most requests answered at once so far (each held *latency* seconds)."""
        with self._httpd.lock:
            return self._httpd.most_answering

    @property
    def faulted(self) -> list[tuple[str, str]]:
        """(request target, fault) of every request a transient fault hit, in order."""
        with self._httpd.lock:
            return list(self._httpd.faulted)

    @property
    def truth(self) -> dict:
        """The current site's truth with URLs on this server's origin, under its faults."""
        if not self.faults.active:
            return self.site.truth_for(self.origin)
        return truth_under(self.site, self.faults, self.origin)

    def replace_site(self, site: Site) -> None:
        """Serve *site* from now on, on the same origin, the attempts of each path
        counted afresh.  The swap is atomic: each request is answered wholly from the
        old site or wholly from the new one."""
        router = Router(site, self.origin, self.faults)
        with self._httpd.lock:
            self.site = site
            self._httpd.router = router
        self._httpd.forget_attempts()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._httpd.stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def __enter__(self) -> SampleServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve(site: Site, host: str = "127.0.0.1", port: int = 0,
          faults: Faults | None = None, latency: float = 0.0,
          prerender: bool = False) -> SampleServer:
    """Start serving *site* in a daemon thread, failing as *faults* say (none by
    default), each response delayed by *latency* seconds, every page rendered before
    the first request if *prerender*; port 0 picks a free port."""
    return SampleServer(site, host, port, faults, latency, prerender)
