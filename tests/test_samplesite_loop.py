"""The event-loop sample server (``--prerender``): the threaded server's very bytes,
keep-alive, pipelining, conditional requests, latency on timers, bounded requests, and
the command line that refuses faults with it."""

from __future__ import annotations

import doctest
import http.client
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from crawler.samplesite import Site, generate, loopserver, serve
from crawler.samplesite.loopserver import LoopServer, serve_loop

ROOT = Path(__file__).resolve().parents[1]
LATENCY = 0.3


@pytest.fixture(scope="module")
def site() -> Site:
    return generate(40, seed=3)


@pytest.fixture(scope="module")
def server(site: Site) -> Iterator[LoopServer]:
    with serve_loop(site) as running:
        yield running


# -- helpers: a raw connection, read response by response --------------------------------


class Client:
    """One connection to a server, its requests written raw and its responses read
    one by one from the same stream."""

    def __init__(self, origin: str) -> None:
        parts = urlsplit(origin)
        assert parts.hostname and parts.port
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
        self.stream = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def response(self, head_only: bool = False) -> tuple[int, dict[str, str], bytes]:
        """Status, headers (lower-case names) and body of the next response."""
        status_line = self.stream.readline()
        assert status_line.startswith(b"HTTP/1.1 "), status_line
        headers: dict[str, str] = {}
        while (line := self.stream.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        length = 0 if head_only or status == 304 else int(headers["content-length"])
        body = self.stream.read(length)
        assert len(body) == length
        return status, headers, body

    def closed_by_server(self) -> bool:
        """True when the server ends the connection with nothing more sent."""
        return self.stream.read() == b""

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


def request(target: str | bytes, method: str = "GET", version: str = "HTTP/1.1",
            *headers: str) -> bytes:
    """A raw request; *target* as bytes goes out as is (raw UTF-8 included)."""
    raw = target if isinstance(target, bytes) else target.encode("ascii")
    lines = [f"{method} ".encode() + raw + f" {version}".encode(), b"Host: test",
             *(h.encode("latin-1") for h in headers)]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def fetch(origin: str, target: str, method: str = "GET",
          **headers: str) -> tuple[int, dict[str, str], bytes]:
    """One request through http.client on a connection of its own."""
    conn = http.client.HTTPConnection(urlsplit(origin).netloc, timeout=10)
    try:
        conn.request(method, target, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def without_date(headers: dict[str, str]) -> dict[str, str]:
    """The headers but the Date, values stripped (http.server's ``Server`` ends in a
    space)."""
    assert headers["date"].endswith(" GMT")
    return {name: value.strip() for name, value in headers.items() if name != "date"}


# -- the same answers as the threaded server ---------------------------------------------


def test_answers_are_the_threaded_servers_byte_for_byte(site):
    article = site.article_paths[5]
    targets = [article, "/", "/wp-sitemap.xml", "/news-sitemap.xml", "/robots.txt",
               "/2017/01/01/no-such-post/", "/?p=7", article.rstrip("/") + "?utm_source=x"]
    # Pages carry their origin: serve both on the same port, one after the other.
    with serve(site, prerender=True) as threaded:
        origin = threaded.origin
        expected = [fetch(origin, target) for target in targets]
    with serve_loop(site, port=urlsplit(origin).port or 0) as running:
        assert running.origin == origin
        got = [fetch(origin, target) for target in targets]
    assert [status for status, _, _ in got] == [200, 200, 200, 200, 200, 404, 301, 301]
    for (status, headers, body), (want_status, want_headers, want_body) in zip(
            got, expected, strict=True):
        assert (status, body) == (want_status, want_body)
        assert without_date(headers) == without_date(want_headers)
    assert got[6][1]["location"].lower() == site.article_url(7, origin).lower()


def test_keep_alive_serves_several_requests_on_one_connection(server, site):
    conn = http.client.HTTPConnection(urlsplit(server.origin).netloc, timeout=10)
    try:
        bodies = []
        for i in (1, 2, 3, 4):
            conn.request("GET", site.article_paths[i])
            if i == 1:
                first = conn.sock
            response = conn.getresponse()
            assert response.status == 200
            bodies.append(response.read())
        assert conn.sock is first  # never reconnected
    finally:
        conn.close()
    assert bodies == [server.router.route(site.article_paths[i]).body for i in (1, 2, 3, 4)]


def test_pipelined_requests_are_answered_in_order(server, site):
    targets = [site.article_paths[9], "/robots.txt", "/missing/", site.article_paths[2], "/"]
    client = Client(server.origin)
    try:
        client.send(b"".join(request(target) for target in targets))
        got = [client.response() for _ in targets]
    finally:
        client.close()
    assert [body for _, _, body in got] == [server.router.route(t).body for t in targets]
    assert [status for status, _, _ in got] == [200, 200, 404, 200, 200]


def test_head_has_the_headers_of_get_and_no_body(server, site):
    path = site.article_paths[4]
    client = Client(server.origin)
    try:
        # A body after the HEAD answer would be read as the next answer's status line.
        client.send(request(path, "HEAD") + request("/robots.txt"))
        status, headers, _ = client.response(head_only=True)
        _, _, robots = client.response()
    finally:
        client.close()
    assert status == 200
    assert int(headers["content-length"]) == len(server.router.route(path).body)
    assert robots.startswith(b"User-agent: *")


def test_raw_utf8_path_serves_the_page(server, site):
    path = site.article_paths[11]
    assert "%D8" in path or "%D9" in path
    client = Client(server.origin)
    try:
        client.send(request(unquote(path).encode("utf-8")))
        status, _, body = client.response()
    finally:
        client.close()
    assert (status, body) == (200, fetch(server.origin, path)[2])


def test_if_none_match_answers_304_without_a_body(server, site):
    path = site.article_paths[6]
    _, headers, body = fetch(server.origin, path)
    etag = headers["etag"]
    status, again, body = fetch(server.origin, path, If_None_Match=etag)
    assert (status, body) == (304, b"")
    assert again["etag"] == etag and "last-modified" in again
    assert "content-length" not in again
    assert fetch(server.origin, path, If_None_Match='"other"')[0] == 200


def test_connection_close_and_http_1_0_end_the_connection(server):
    for last in (request("/", "GET", "HTTP/1.1", "Connection: close"),
                 request("/", "GET", "HTTP/1.0")):
        client = Client(server.origin)
        try:
            # The request after the closing one is never answered.
            client.send(last + request("/robots.txt"))
            status, headers, _ = client.response()
            assert status == 200 and headers["connection"] == "close"
            assert client.closed_by_server()
        finally:
            client.close()


def test_a_request_body_is_skipped(server):
    client = Client(server.origin)
    try:
        client.send(request("/robots.txt", "GET", "HTTP/1.1", "Content-Length: 11")
                    + b"GET / x\r\n\r\n" + request("/robots.txt"))
        first, second = client.response(), client.response()
    finally:
        client.close()
    assert first == second and first[0] == 200


@pytest.mark.parametrize(("data", "status"), [
    (b"NONSENSE\r\n\r\n", 400),
    (b"GET / HTTP/9.9\r\n\r\n", 400),
    (b"GET /\r\n\r\n", 400),
    (request("/", "GET", "HTTP/1.1", "Content-Length: many"), 400),
    (request("/", "POST", "HTTP/1.1", "Content-Length: 0"), 501),
    (request("/", "GET", "HTTP/1.1", "X-Big: " + "a" * (loopserver.MAX_HEAD + 10)), 431),
    (b"GET / HTTP/1.1\r\nX-Endless: " + b"a" * (loopserver.MAX_HEAD + 10), 431),
])
def test_bad_requests_get_an_error_and_the_connection_closes(server, data, status):
    client = Client(server.origin)
    try:
        client.send(data)
        got, headers, body = client.response()
        assert got == status and headers["connection"] == "close"
        assert f"<title>{status} ".encode() in body
        assert client.closed_by_server()
    finally:
        client.close()
    assert fetch(server.origin, "/robots.txt")[0] == 200  # the server goes on


def test_served_counts_responses_and_stop_frees_the_port(site):
    running = serve_loop(site)
    port = urlsplit(running.origin).port
    for target in ("/", "/robots.txt", "/nothing/"):
        fetch(running.origin, target)
    assert running.served == 3
    running.stop()
    running.stop()  # twice is harmless
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port or 0), timeout=2).close()


# -- latency ---------------------------------------------------------------------------


def timed_fetches(origin: str, targets: list[str]) -> list[float]:
    """Seconds each request took, one after another on one connection."""
    conn = http.client.HTTPConnection(urlsplit(origin).netloc, timeout=10)
    took = []
    try:
        for target in targets:
            started = time.monotonic()
            conn.request("GET", target)
            conn.getresponse().read()
            took.append(time.monotonic() - started)
    finally:
        conn.close()
    return took


def test_latency_delays_each_response(site):
    with serve_loop(site, latency=LATENCY) as running:
        took = timed_fetches(running.origin, ["/", "/robots.txt", "/nothing/"])
    assert all(LATENCY <= seconds < LATENCY + 2 for seconds in took), took


def test_latency_runs_on_timers_and_keeps_pipelined_answers_in_order(site):
    targets = [site.article_paths[i] for i in range(8)]
    with serve_loop(site, latency=LATENCY) as running:
        threads_before = threading.active_count()
        client = Client(running.origin)
        try:
            started = time.monotonic()
            client.send(b"".join(request(target) for target in targets))
            got = [client.response() for _ in targets]
            elapsed = time.monotonic() - started
        finally:
            client.close()
        assert threading.active_count() == threads_before
        expected = [running.router.route(target).body for target in targets]
    assert [body for _, _, body in got] == expected
    # Waited side by side, not one after another (which would take eight latencies).
    assert LATENCY <= elapsed < 4 * LATENCY


# -- the command line --------------------------------------------------------------------


def test_prerender_serves_from_the_loop_server():
    proc = subprocess.Popen([sys.executable, "-m", "crawler.samplesite", "--articles", "10",
                             "--prerender", "--max-seconds", "60"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with proc:
        assert proc.stdout is not None
        origin = proc.stdout.readline().strip()
        try:
            assert fetch(origin, "/")[0] == 200
            # http.server would answer this with its own error page, not nginx's.
            client = Client(origin)
            try:
                client.send(b"NONSENSE\r\n\r\n")
                status, _, body = client.response()
            finally:
                client.close()
        finally:
            proc.terminate()
        assert proc.wait(timeout=10) == 0
    assert status == 400 and b"<center>nginx</center>" in body


def test_prerender_with_faults_is_a_one_line_error():
    result = subprocess.run([sys.executable, "-m", "crawler.samplesite", "--prerender",
                             "--error-rate", "0.1"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "--prerender" in result.stderr and result.stdout == ""


def test_loopserver_doctests():
    result = doctest.testmod(loopserver)
    assert result.failed == 0 and result.attempted > 0


def test_header_values_are_read_as_latin1(server, site):
    # A stray non-ASCII byte in a header must not break the answer.
    path = site.article_paths[0]
    client = Client(server.origin)
    try:
        client.send(request(path, "GET", "HTTP/1.1", "User-Agent: caf\xe9"))
        status, _, _ = client.response()
    finally:
        client.close()
    assert status == 200
