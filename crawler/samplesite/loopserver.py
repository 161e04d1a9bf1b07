"""Serve a fault-free generated site from one asyncio event loop, every page rendered
up front: the same answers as ``SampleServer`` at a fraction of its CPU per request, so
a benchmark's figures are its client's.

HTTP/1.1 as the threaded server speaks it: GET and HEAD, keep-alive and pipelining
(answers in request order), ``Connection: close`` and HTTP/1.0 requests closed after
their answer, conditional requests, raw UTF-8 request targets.  Every response waits
*latency* seconds on a timer of the loop, not on a thread.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections import deque
from email.utils import formatdate
from http import HTTPStatus
from types import TracebackType

from crawler.samplesite.conditional import http_date, not_modified
from crawler.samplesite.model import Site
from crawler.samplesite.server import Answer, Router, error_page

#: The largest request head (request line and headers) read; a larger one gets 431.
MAX_HEAD = 64 * 1024
#: Answers waiting on one connection (its latency, or a client that reads slowly)
#: before its requests are no longer read.
MAX_PENDING = 64
#: Seconds a closing connection reads on past its last answer, so that the client's
#: unread bytes do not turn the close into a reset that loses the answer.
LINGER = 2.0

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_VERSION = re.compile(rb"HTTP/1\.[01]")
_REASONS = {status.value: status.phrase.encode("ascii") for status in HTTPStatus}
_METHODS = (b"GET", b"HEAD")


class _Refused(Exception):
    """A request answered with an error status, after which the connection closes."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Pending:
    """An answer waiting for its time: head (all but the Date header), body, and
    whether the connection closes after it."""

    __slots__ = ("body", "close", "head", "ready_at")

    def __init__(self, ready_at: float, head: bytes, body: bytes, close: bool) -> None:
        self.ready_at, self.head, self.body, self.close = ready_at, head, body, close


class _Connection(asyncio.Protocol):
    """One client connection: reads requests from its buffer and queues their answers,
    which go out in order once their latency has passed."""

    def __init__(self, server: LoopServer) -> None:
        self.server = server
        self.loop = server.loop
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.pending: deque[_Pending] = deque()
        self.skip = 0  # body bytes of the last request still to be read past
        self.closing = False  # the last answer queued closes the connection
        self.hung_up = False  # the client sent all it will: close once answered
        self.write_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.pending.clear()
        self.transport = None

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.buffer += data
        self.read_requests()

    def eof_received(self) -> bool | None:
        """Answer what was asked before the client's end of sending, then close."""
        self.hung_up = True
        self.read_requests()
        return True if self.pending else None

    def pause_writing(self) -> None:
        self.write_paused = True
        self.read_requests()

    def resume_writing(self) -> None:
        self.write_paused = False
        self.read_requests()

    def read_requests(self) -> None:
        """Answer the whole requests in the buffer while the client keeps up; read
        from the socket only then, so a client that does not read costs no memory."""
        while not self.blocked() and self.next_request():
            pass
        if self.transport is not None and not self.closing and not self.hung_up:
            if self.blocked():
                self.transport.pause_reading()
            else:
                self.transport.resume_reading()

    def blocked(self) -> bool:
        return self.closing or self.write_paused or len(self.pending) >= MAX_PENDING

    def next_request(self) -> bool:
        """Take one request off the buffer and queue its answer; False when the buffer
        holds no whole request."""
        if self.skip:
            skipped = min(self.skip, len(self.buffer))
            del self.buffer[:skipped]
            self.skip -= skipped
            if self.skip:
                return False
        end = _HEAD_END.search(self.buffer, 0, MAX_HEAD + 4)
        if end is None:
            if len(self.buffer) > MAX_HEAD:
                self.refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return False
        head = bytes(self.buffer[:end.start()])
        del self.buffer[:end.end()]
        try:
            self.answer(head)
        except _Refused as refused:
            self.refuse(refused.status)
        return True

    def answer(self, head: bytes) -> None:
        """Queue the answer to the request whose head (without the blank line) is
        *head*."""
        lines = head.lstrip(b"\r\n").split(b"\n")
        method, target, version = request_line(lines[0])
        headers = header_fields(lines[1:])
        self.skip = body_length(headers)
        close = version == b"HTTP/1.0" or b"close" in tokens(headers.get(b"connection"))
        if method not in _METHODS:
            raise _Refused(HTTPStatus.NOT_IMPLEMENTED)
        found = self.server.router.route(target)
        status = found.status
        if found.etag and not_modified(text(headers.get(b"if-none-match")),
                                       text(headers.get(b"if-modified-since")),
                                       found.etag, found.last_modified):
            status = HTTPStatus.NOT_MODIFIED
        body = found.body if method == b"GET" and status != HTTPStatus.NOT_MODIFIED else b""
        self.queue(response_head(status, found, close), body, close)

    def refuse(self, status: int) -> None:
        """Answer with the error page for *status* and close after it."""
        body = error_page(status)
        head = status_line(status) + (b"Content-Type: text/html\r\nContent-Length: %d\r\n"
                                      b"Connection: close\r\n" % len(body))
        self.queue(head, body, close=True)

    def queue(self, head: bytes, body: bytes, close: bool) -> None:
        """Send the answer after the server's latency, behind those queued before."""
        if close:
            self.closing = True
            self.buffer.clear()
        latency = self.server.latency
        if latency <= 0 and not self.pending:
            self.send(head, body, close)
            return
        ready_at = self.loop.time() + latency
        self.pending.append(_Pending(ready_at, head, body, close))
        self.loop.call_at(ready_at, self.flush)

    def flush(self) -> None:
        """Send the queued answers whose time has come, in order."""
        now = self.loop.time()
        while self.pending and self.pending[0].ready_at <= now and self.transport is not None:
            due = self.pending.popleft()
            self.send(due.head, due.body, due.close)
        if self.transport is None:
            return
        if not self.closing:
            self.read_requests()
        if self.hung_up and not self.pending:
            self.transport.close()

    def send(self, head: bytes, body: bytes, close: bool) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self.server.served += 1  # first: a client that has the answer sees it counted
        # One write, one system call (and one segment where the answer fits in it).
        transport.write(b"".join((head, self.server.date_line(), body)))
        if close:
            self.pending.clear()
            transport.write_eof()
            transport.resume_reading()  # to drain what the client still sends
            self.loop.call_later(LINGER, transport.close)


def request_line(line: bytes) -> tuple[bytes, str, bytes]:
    """Method, target (raw UTF-8 percent-encoded, as ``SampleServer`` reads it) and
    version of a request line; ``_Refused`` (400) when it is none.

    >>> request_line(b"GET /\\xd9\\x84/ HTTP/1.1\\r")
    (b'GET', '/%D9%84/', b'HTTP/1.1')
    """
    line = _NON_ASCII.sub(lambda m: b"%%%02X" % m[0][0], line)
    parts = line.split()
    if len(parts) != 3 or not _VERSION.fullmatch(parts[2]):
        raise _Refused(HTTPStatus.BAD_REQUEST)
    method, target, version = parts
    if target.startswith(b"//"):  # as http.server does
        target = b"/" + target.lstrip(b"/")
    return method, target.decode("ascii"), version


def header_fields(lines: list[bytes]) -> dict[bytes, bytes]:
    """Header fields by lower-case name, the first of repeated ones (as
    ``email.message.Message.get`` does).

    >>> header_fields([b"Host: a\\r", b"connection:  Close ", b"Host: b"])
    {b'host': b'a', b'connection': b'Close'}
    """
    fields: dict[bytes, bytes] = {}
    for line in lines:
        name, colon, value = line.partition(b":")
        if colon:
            fields.setdefault(name.strip().lower(), value.strip())
    return fields


def body_length(headers: dict[bytes, bytes]) -> int:
    """Bytes of request body to read past; ``_Refused`` (400) for a length that is not
    a number or a chunked body (not read, so the next request could not be found)."""
    if b"transfer-encoding" in headers:
        raise _Refused(HTTPStatus.BAD_REQUEST)
    length = headers.get(b"content-length", b"0")
    if not length.isdigit():
        raise _Refused(HTTPStatus.BAD_REQUEST)
    return int(length)


def tokens(value: bytes | None) -> list[bytes]:
    """The lower-case tokens of a comma-separated header value."""
    return [token.strip() for token in value.lower().split(b",")] if value else []


def text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")


def status_line(status: int) -> bytes:
    return b"HTTP/1.1 %d %s\r\nServer: nginx\r\n" % (status, _REASONS[status])


def response_head(status: int, found: Answer, close: bool) -> bytes:
    """Status line and headers, as ``SampleServer`` sends them, but the Date."""
    head = [status_line(status)]
    if status != HTTPStatus.NOT_MODIFIED:
        head.append(b"Content-Type: %s\r\nContent-Length: %d\r\n"
                    % (found.content_type.encode("ascii"), len(found.body)))
    if found.location:
        head.append(b"Location: %s\r\n" % found.location.encode("ascii"))
    if found.etag:
        head.append(b"ETag: %s\r\n" % found.etag.encode("ascii"))
    if found.last_modified:
        head.append(b"Last-Modified: %s\r\n" % http_date(found.last_modified).encode("ascii"))
    if close:
        head.append(b"Connection: close\r\n")
    return b"".join(head)


class LoopServer:
    """A running fault-free sample site served from one event loop in a daemon thread:
    ``origin``, ``served`` (responses sent so far), ``truth``, ``stop()``.  Every page
    is rendered before the first request.  Usable as a context manager that stops the
    server on exit."""

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0,
                 latency: float = 0.0) -> None:
        self.site = site
        self.latency = latency  # seconds every response waits before it is sent
        self.served = 0
        self.connections: set[_Connection] = set()
        self._date = (0, b"")
        sock = socket.create_server((host, port), backlog=128)
        self.origin = f"http://{host}:{sock.getsockname()[1]}"
        try:
            self.router = Router(site, self.origin)
            self.router.prerender()
        except BaseException:
            sock.close()
            raise
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="samplesite-loop", daemon=True)
        self._thread.start()
        # Set up on the loop's own thread: this one may be running a loop of its own.
        listening = self.loop.create_server(lambda: _Connection(self), sock=sock)
        try:
            self._server = asyncio.run_coroutine_threadsafe(listening, self.loop).result()
        except BaseException:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join()
            sock.close()
            raise

    @property
    def truth(self) -> dict:
        """The site's truth with URLs on this server's origin."""
        return self.site.truth_for(self.origin)

    def date_line(self) -> bytes:
        """The Date header and the blank line ending the head, formatted once a second."""
        now = int(time.time())
        if now != self._date[0]:
            self._date = (now, b"Date: %s\r\n\r\n" % formatdate(now, usegmt=True).encode())
        return self._date[1]

    def _run(self) -> None:
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()

    def _close(self) -> None:
        """Stop listening, drop every connection, then stop the loop (after the
        connections' own close callbacks, queued before it)."""
        self._server.close()
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.abort()
        self.loop.call_soon(self.loop.stop)

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._close)
            self._thread.join()

    def __enter__(self) -> LoopServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve_loop(site: Site, host: str = "127.0.0.1", port: int = 0,
               latency: float = 0.0) -> LoopServer:
    """Start serving *site* without faults from an event loop in a daemon thread,
    every page rendered first, each response delayed by *latency* seconds; port 0
    picks a free port."""
    return LoopServer(site, host, port, latency)
