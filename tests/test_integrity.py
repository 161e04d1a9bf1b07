"""Pages cut short are retried, then failed; never handed on as whole pages."""

from __future__ import annotations

import doctest
import gzip
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.misc import build_from_crawler

import crawler.integrity
from crawler.integrity import TAIL_TOLERANCE, TruncatedResponse, html_is_complete, truncation
from crawler.middlewares import IntegrityMiddleware
from tests.conftest import cnn_in_cp1256, project_crawler

REPO = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


def real_pages() -> dict[str, bytes]:
    """Every saved real or theme page, by name."""
    pages = {p.name: p.read_bytes() for pattern in ("*.html", "pages/*.html", "themes/*.html",
                                                   "encoding/*.html")
             for p in sorted(FIXTURES.glob(pattern))}
    for gz in FIXTURES.glob("*.html.gz"):
        pages[gz.name] = gzip.decompress(gz.read_bytes())
    return pages


PAGES = real_pages()
ARTICLE = PAGES["newspaper4k_arabic_article.html"]


def test_doctests():
    result = doctest.testmod(crawler.integrity)
    assert result.failed == 0 and result.attempted > 3


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_real_page_is_complete(name: str):
    assert html_is_complete(PAGES[name])


def first_close_tag(body: bytes) -> int:
    lower = body.lower()
    return min(i for i in (lower.find(b"</body"), lower.find(b"</html")) if i >= 0)


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(sorted(PAGES)), cut=st.floats(0, 1, exclude_max=True))
def test_a_page_cut_before_its_end_is_truncated(name: str, cut: float):
    body = PAGES[name]
    end = first_close_tag(body) + len(b"</body")  # inside the closing tag at the latest
    assert not html_is_complete(body[:int(cut * end)])


@pytest.mark.parametrize("tail", [
    b"\n<!-- Page cached by WP Super Cache on 2024-01-01 -->\n",
    b"<!-- " + b"q" * 3 * TAIL_TOLERANCE + b" -->",  # long debug comments do not count
    b"\n<script src='https://stats.example/a.js'></script>\n",  # injected by the host
    b"\r\n\t  ",
])
def test_what_hosts_append_after_the_end_is_tolerated(tail: bytes):
    assert html_is_complete(ARTICLE + tail)


@pytest.mark.parametrize("body", [
    ARTICLE.replace(b"</html>", b""),  # </body> alone is enough
    ARTICLE.upper(),
    ARTICLE.replace(b"</body></html>", b"</BODY ></Html >"),
])
def test_spellings_of_the_end(body: bytes):
    assert html_is_complete(body)


@pytest.mark.parametrize("body", [
    b"",
    ARTICLE.replace(b"</body></html>", b""),
    ARTICLE + b"<!-- cut in a trailing comment",
    ARTICLE + b"<script>" + b"x" * TAIL_TOLERANCE,  # too much after the end
    ARTICLE[:-10] + b"<p>more",
])
def test_not_complete(body: bytes):
    assert not html_is_complete(body)


# -- truncation() and the middleware ---------------------------------------------

def page(body: bytes, status: int = 200, flags: list[str] | None = None) -> HtmlResponse:
    return HtmlResponse("https://example.com/a/", status=status, body=body, flags=flags,
                        headers={"Content-Type": "text/html; charset=utf-8"})


CUT = ARTICLE[: len(ARTICLE) // 2]


@pytest.mark.parametrize(("response", "reason"), [
    (page(CUT), "truncated_html"),
    (page(ARTICLE), None),
    (page(ARTICLE, flags=["dataloss"]), "dataloss"),
    (page(CUT, status=404), None),  # error pages are not stored
    (page(b"", status=204), None),
    (page(b"", status=304), None),
    (TextResponse("https://example.com/wp-json/", body=b'{"a": '), None),
    (TextResponse("https://example.com/wp-json/", body=b'{"a": ', flags=["dataloss"]),
     "dataloss"),
])
def test_truncation(response: TextResponse, reason: str | None):
    assert truncation(response) == reason


def integrity(**settings: Any) -> tuple[IntegrityMiddleware, dict]:
    crawler = project_crawler(Spider, {"RETRY_TIMES": 2, **settings})
    crawler.spider = Spider.from_crawler(crawler, name="test")
    mw = build_from_crawler(IntegrityMiddleware, crawler)
    return mw, crawler.stats.get_stats()  # type: ignore[union-attr]


def test_a_cut_page_is_retried_then_fails():
    mw, stats = integrity()
    request = Request("https://example.com/a/", meta={"link_role": "prev"})
    for attempt in (1, 2):
        retry = mw.process_response(request, page(CUT))
        assert isinstance(retry, Request)
        assert retry.meta["retry_times"] == attempt and retry.dont_filter
        assert retry.meta["link_role"] == "prev"
        request = retry
    with pytest.raises(TruncatedResponse, match="truncated_html") as failed:
        mw.process_response(request, page(CUT))
    assert isinstance(failed.value, IgnoreRequest)
    assert failed.value.response.body == CUT  # the errback can record what came
    assert stats["integrity/truncated_html"] == 3
    assert stats["retry/reason_count/truncated_html"] == 2
    assert stats["integrity/gave_up"] == 1


def test_a_whole_page_passes_untouched():
    mw, stats = integrity()
    response = page(ARTICLE)
    assert mw.process_response(Request(response.url), response) is response
    assert stats == {}


def test_integrity_can_be_switched_off():
    with pytest.raises(NotConfigured):
        integrity(INTEGRITY_ENABLED=False)


# -- real downloads from a server on loopback -------------------------------------

WHOLE = ARTICLE
WINDOWS_1256 = cnn_in_cp1256(declared=False)
TITLE = "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"


class Handler(BaseHTTPRequestHandler):
    """Pages whole, short of their Content-Length, or cut without one."""

    protocol_version = "HTTP/1.1"
    hits: Counter[str] = Counter()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.hits[self.path] += 1
        if self.path == "/whole":
            self.send(WHOLE, length=len(WHOLE))
        elif self.path == "/short":  # announces the whole page, sends half
            self.send(WHOLE[: len(WHOLE) // 2], length=len(WHOLE))
        elif self.path == "/cut":  # no length: the end of the connection ends the body
            self.send(WHOLE[: len(WHOLE) // 2], length=None)
        elif self.path == "/flaky":  # cut twice, then whole
            whole = self.hits[self.path] > 2
            self.send(WHOLE if whole else WHOLE[:5000], length=None)
        elif self.path == "/windows-1256":  # labelled UTF-8, is not
            self.send(WINDOWS_1256, length=len(WINDOWS_1256))
        else:
            self.send_error(404)

    def send(self, body: bytes, length: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        if length is None:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet


@pytest.fixture
def server() -> Iterator[str]:
    Handler.hits.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


CRAWL = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

origin, paths, overrides = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
settings = Settings()
settings.setmodule("crawler.settings", priority="project")
settings.update(overrides, priority="cmdline")
results = {}

class PagesSpider(scrapy.Spider):
    name = "pages"

    async def start(self):
        for path in paths:
            yield scrapy.Request(origin + path, callback=self.parse, errback=self.failed,
                                 cb_kwargs={"path": path})

    def parse(self, response, path):
        results[path] = {"title": response.css("title::text").get(),
                         "retries": response.meta.get("retry_times", 0),
                         "length": len(response.body)}

    def failed(self, failure):
        path = failure.request.cb_kwargs["path"]
        response = getattr(failure.value, "response", None)
        results[path] = {"error": failure.type.__name__,
                         "length": len(response.body) if response is not None else None}

process = CrawlerProcess(settings)
crawler = process.create_crawler(PagesSpider)
process.crawl(crawler)
process.start()
print(json.dumps({"results": results, "stats": crawler.stats.get_stats()}, default=str))
"""


def crawl(origin: str, paths: list[str], **overrides: Any) -> tuple[dict, dict]:
    """Fetch *paths* with the project's settings in a child process: (results, stats)."""
    overrides = {"ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                 "RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0, "EXTENSIONS": {},
                 "ITEM_PIPELINES": {}, "LOG_LEVEL": "ERROR", **overrides}
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", CRAWL, origin,
         json.dumps(paths), json.dumps(overrides)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
        text=True, timeout=120, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["results"], out["stats"]


def test_crawl_retries_cut_pages_and_fails_them(server: str):
    results, stats = crawl(server, ["/whole", "/short", "/cut", "/flaky", "/windows-1256"])
    assert results["/whole"] == {"title": TITLE + " - CNNArabic.com", "retries": 0,
                                 "length": len(WHOLE)}
    # DOWNLOAD_FAIL_ON_DATALOSS (on by default): short of Content-Length is an error,
    # retried, then handed to the errback.
    assert results["/short"] == {"error": "ResponseDataLossError", "length": None}
    # Without a length only the markup tells; the errback gets what came last.
    assert results["/cut"] == {"error": "TruncatedResponse", "length": len(WHOLE) // 2}
    assert results["/flaky"]["retries"] == 2 and results["/flaky"]["length"] == len(WHOLE)
    assert results["/windows-1256"]["title"].startswith(TITLE)
    assert Handler.hits == {"/whole": 1, "/short": 3, "/cut": 3, "/flaky": 3,
                            "/windows-1256": 1}
    assert stats["integrity/truncated_html"] == 5  # /cut three times, /flaky twice
    assert stats["integrity/gave_up"] == 1
    assert stats["encoding/fixed/utf-8->cp1256"] == 1


def test_crawl_without_fail_on_dataloss_still_fails_short_pages(server: str):
    results, stats = crawl(server, ["/short"], DOWNLOAD_FAIL_ON_DATALOSS=False)
    assert results["/short"] == {"error": "TruncatedResponse", "length": len(WHOLE) // 2}
    assert Handler.hits["/short"] == 3
    assert stats["integrity/dataloss"] == 3


def test_crawl_with_integrity_off_hands_on_the_cut_page(server: str):
    # What the middleware prevents: the half page reaches the callback as a page.
    results, _ = crawl(server, ["/cut"], INTEGRITY_ENABLED=False)
    assert results["/cut"]["length"] == len(WHOLE) // 2 and "error" not in results["/cut"]


def test_redirect_guard_fails_loops_and_lets_targets_be_fetched_again():
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import Request, Response

    from crawler.middlewares import RedirectLoopMiddleware

    guard = RedirectLoopMiddleware()
    first = Request("https://site.example/old-slug/")
    moved = Response(first.url, status=301, headers={"Location": "/2024/05/01/new/"})
    assert guard.process_response(first, moved) is moved
    assert first.dont_filter  # the target is fetched even if seen: the alias is recorded
    back = Request("https://site.example/2024/05/01/new/",
                   meta={"redirect_urls": ["https://site.example/old-slug/"]})
    loop = Response(back.url, status=302, headers={"Location": "/old-slug/"})
    with pytest.raises(IgnoreRequest, match="redirect loop"):
        guard.process_response(back, loop)
    page = Response(first.url, status=200)
    assert guard.process_response(Request(first.url), page) is page
    away = Request("https://site.example/go/")
    guard.process_response(away, Response(away.url, status=301,
                                          headers={"Location": "https://other.example/x"}))
    assert not away.dont_filter  # left to the offsite filter
