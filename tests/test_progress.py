"""The progress line: its figures from real stats, a terminal line that log records never
run into, the periodic log line elsewhere, and the count of posts the sitemaps list."""

from __future__ import annotations

import doctest
import io
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import scrapy.utils.log
from scrapy import Spider
from scrapy.http import Request, XmlResponse
from scrapy.utils.log import get_scrapy_root_handler, install_scrapy_root_handler
from scrapy.utils.test import get_crawler

import crawler.progress
from crawler.memory import CrawlMemory
from crawler.progress import CLEAR, Progress, TerminalLine
from crawler.samplesite import generate
from crawler.storage import Corpus
from spiders.article import ArticleSpider
from tests.conftest import FIXTURES, LOOPBACK, STANDALONE_SPIDER, RunningSite, project_crawler

ROOT = Path(__file__).parents[1]
NEWS = "https://news.example"


class FakeTTY(io.StringIO):
    """A terminal that keeps what is written to it."""

    def isatty(self) -> bool:
        return True


def progress(stats: dict[str, int], elapsed: float = 60.0) -> Progress:
    """A log-mode Progress over a real stats collector holding *stats*, *elapsed* s in."""
    crawler = get_crawler(Spider)
    assert crawler.stats is not None
    for name, value in stats.items():
        crawler.stats.set_value(name, value)
    ext = Progress(crawler.stats, 60.0, None)
    ext.started = time.monotonic() - elapsed
    return ext


def test_line_counts_pages_new_duplicates_304_answers_and_errors():
    line = progress({"response_received_count": 300, "store/inserted": 250,
                     "dedupe/duplicate": 3, "dedupe/replaced": 1, "fetch/not_modified": 7,
                     "fetch/failed": 2}).line()
    assert line == "pages 300 (5/s)  new 250  dup 4  304 7  errors 2  60 s"
    assert "posts" not in line  # no sitemap has said how many posts there are


def test_line_shows_the_posts_listed_and_the_time_left():
    # 25 articles read in 60 s, 75 to go: three minutes more.
    line = progress({"discovery/posts_listed": 100, "validate/ok": 26,
                     "dedupe/duplicate": 1}).line()
    # First: a narrow terminal cuts the end of the line.
    assert line.startswith("posts 25/100 (3 min left)  pages ")


def test_posts_stored_before_and_unchanged_count_as_done():
    line = progress({"discovery/posts_listed": 100, "discovery/posts_listed_known": 90,
                     "validate/ok": 5}).line()
    assert line.startswith("posts 95/100 (1 min left)  pages ")
    # Articles besides the listed ones (unlisted copies, pages refetched) never push
    # the count past the total, and nothing is left then.
    done = progress({"discovery/posts_listed": 100, "discovery/posts_listed_known": 90,
                     "validate/ok": 12}).line()
    assert done.startswith("posts 100/100  pages ")


def test_durations():
    assert doctest.testmod(crawler.progress).failed == 0
    assert crawler.progress.duration(59.6) == "1 min"


def test_a_log_record_clears_the_line_and_the_line_comes_back_after_it():
    tty = FakeTTY()
    handler = logging.StreamHandler(tty)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logging.root.addHandler(handler)
    try:
        line = TerminalLine(tty)
        line.attach()
        line.draw("pages 1")
        logging.getLogger("scrapy.core.engine").warning("a page failed")
        line.draw("pages 2")
        line.end()
        assert handler.stream is tty
        logging.getLogger("scrapy.core.engine").warning("after")
    finally:
        logging.root.removeHandler(handler)
    assert tty.getvalue() == ("pages 1" + CLEAR + "WARNING: a page failed\n" + "pages 1"
                              + CLEAR + "pages 2\n" + "WARNING: after\n")


def test_scrapys_own_handler_writes_through_the_line(monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)  # where Scrapy's handler and Progress write
    crawler = project_crawler(Spider, {"LOG_FORMAT": "%(levelname)s: %(message)s",
                                       "PROGRESS_INTERVAL": 60})
    before, level = list(logging.root.handlers), logging.root.level
    # Scrapy keeps its handler in a global, which later crawlers would reinstall.
    monkeypatch.setattr(scrapy.utils.log, "_scrapy_root_handler", get_scrapy_root_handler())
    install_scrapy_root_handler(crawler.settings)
    try:
        ext = Progress.from_crawler(crawler)
        spider = Spider("s")
        ext.spider_opened(spider)
        logging.getLogger("scrapy.core.engine").info("Spider opened")
        ext.spider_closed(spider)
        logging.getLogger("scrapy.core.engine").info("Spider closed (finished)")
    finally:
        for handler in set(logging.root.handlers) - set(before):
            logging.root.removeHandler(handler)
        logging.root.setLevel(level)
    written = tty.getvalue()
    opened, closed = written.split("INFO: Spider opened\n")
    assert opened.startswith("pages 0 ") and opened.endswith(CLEAR)
    assert closed.startswith("pages 0 ")  # drawn again after the record
    assert closed.endswith("\nINFO: Spider closed (finished)\n")
    assert "\r" not in closed.split(CLEAR)[-1]  # the last line is left whole


def test_without_a_terminal_the_figures_are_a_log_line(monkeypatch, caplog):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    crawler = project_crawler(Spider, {"LOGSTATS_INTERVAL": 30})
    ext = Progress.from_crawler(crawler)
    assert ext.terminal is None and ext.interval == 30
    with caplog.at_level(logging.INFO, logger="crawler.progress"):
        ext.show()
    assert [r.getMessage()[:16] for r in caplog.records
            if r.name == "crawler.progress"] == ["progress: pages "]
    assert "\x1b" not in caplog.text


# -- the count of posts the sitemaps list ------------------------------------------------


def spider_on_news(corpus: Corpus | None = None) -> ArticleSpider:
    crawler = project_crawler(ArticleSpider, {"SITE_TIMEZONE": "UTC", **STANDALONE_SPIDER})
    spider = ArticleSpider.from_crawler(crawler, profile="wordpress", start_urls=f"{NEWS}/")
    spider.memory = CrawlMemory(corpus)
    return spider


def read_sitemaps(spider: ArticleSpider) -> None:
    """The Yoast post sitemap (the home page, then two posts) and the news sitemap
    (the same two posts)."""
    for name in ("yoast_post_sitemap.xml", "news_sitemap.xml"):
        request = Request(f"{NEWS}/{name}", meta={"link_role": "sitemap"})
        body = (FIXTURES / "discovery" / name).read_bytes()
        list(spider.parse_sitemap(XmlResponse(request.url, body=body, request=request)))


def test_each_post_listed_counts_once_and_the_home_page_not_at_all():
    spider = spider_on_news()
    read_sitemaps(spider)
    stats = spider.crawler.stats
    assert stats.get_value("discovery/posts_listed") == 2
    assert stats.get_value("discovery/posts_listed_known") is None


def test_posts_stored_before_and_unchanged_are_counted_as_known(tmp_path):
    known = (f"{NEWS}/2025/01/13/%D8%A8%D9%84%D8%AF%D9%8A%D8%A9-%D8%B5%D9%88%D8%B1/")
    with Corpus(tmp_path / "corpus.db") as corpus:
        corpus.save([{"url": known, "title": "عنوان", "body": "نص " * 20, "word_count": 20,
                      "language": "ar", "content_hash": "h", "status": 200,
                      "profile": "wordpress", "fetched_at": "2030-01-01T00:00:00+00:00",
                      "categories": [], "tags": [], "aliases": [], "links": []}])
        spider = spider_on_news(corpus)
        read_sitemaps(spider)
    stats = spider.crawler.stats
    assert stats.get_value("discovery/posts_listed") == 2
    assert stats.get_value("discovery/posts_listed_known") == 1


def test_a_crawl_counts_every_article_of_the_site_as_listed(sample_site: RunningSite,
                                                           tmp_path):
    middle = generate(sample_site.articles, sample_site.seed).middle_article(sample_site.origin)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "janoubia", "-a", f"start_urls={middle}",
         "-s", f"CORPUS_DB={tmp_path / 'corpus.db'}", *LOOPBACK, "-s", "LOG_LEVEL=INFO",
         "-s", "LOGSTATS_INTERVAL=0.2"],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    listed = re.findall(r"'discovery/posts_listed': (\d+)", result.stderr)
    assert listed == [str(len(sample_site.truth["articles"]))]
    # Not on a terminal: the progress figures, total included, are log lines.
    assert re.search(rf"progress: posts \d+/{listed[0]}\b.*  pages \d+ ", result.stderr)


@pytest.mark.parametrize("stream", [io.StringIO(), FakeTTY()])
def test_a_stream_without_a_terminal_size_keeps_the_whole_line(stream):
    line = TerminalLine(stream)
    line.draw("x" * 500)
    assert stream.getvalue() == "x" * 500
