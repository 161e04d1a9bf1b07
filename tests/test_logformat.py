"""The log formatter builds Scrapy's per-page messages only when LOG_LEVEL shows them."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.logformat import LevelLogFormatter

URL = "http://site.example/2024/05/01/news/"


@pytest.mark.parametrize(("level", "shown"), [("DEBUG", True), ("INFO", False),
                                              ("warning", False)])
def test_per_page_messages_follow_the_log_level(level, shown):
    crawler = get_crawler(Spider, {"LOG_LEVEL": level})
    formatter = build_from_crawler(LevelLogFormatter, crawler)
    response = HtmlResponse(URL, body=b"<html></html>", request=Request(URL))
    spider = Spider("s")
    crawled = formatter.crawled(response.request, response, spider)
    scraped = formatter.scraped({"url": URL}, response, spider)
    assert (crawled is not None, scraped is not None) == (shown, shown)
    if shown:
        assert crawled["msg"].startswith("Crawled") and scraped["msg"].startswith("Scraped")


def test_failures_are_still_logged_whatever_the_level():
    crawler = get_crawler(Spider, {"LOG_LEVEL": "ERROR"})
    formatter = build_from_crawler(LevelLogFormatter, crawler)
    response = HtmlResponse(URL, body=b"<html></html>", request=Request(URL))
    spider = Spider.from_crawler(crawler, "s")
    assert formatter.dropped({"url": URL}, ValueError("x"), response, spider) is not None


@pytest.mark.parametrize(("level", "shown"), [("DEBUG", True), ("INFO", False)])
def test_drops_at_debug_follow_the_log_level(level, shown):
    crawler = get_crawler(Spider, {"LOG_LEVEL": level})
    formatter = build_from_crawler(LevelLogFormatter, crawler)
    spider = Spider.from_crawler(crawler, "s")
    expected = DropItem("fetch record stored", log_level="DEBUG")
    assert (formatter.dropped({"url": URL}, expected, None, spider) is not None) == shown
    # A drop worth a warning is logged at INFO as before.
    assert formatter.dropped({"url": URL}, DropItem("bad"), None, spider) is not None
