"""The crawl's garbage-collector threshold: raised while a crawl runs, restored after."""

from __future__ import annotations

import gc

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.extensions import GCThreshold
from crawler.runsettings import project_settings


def test_the_crawl_has_the_extension_on():
    settings = project_settings("x.db")
    assert settings["EXTENSIONS"]["crawler.extensions.GCThreshold"] == 0
    assert settings.getint("GC_THRESHOLD") == 10_000


def test_the_threshold_holds_while_the_spider_runs_and_is_restored_after():
    before = gc.get_threshold()
    crawler = get_crawler(Spider, {"GC_THRESHOLD": before[0] * 5 + 1})
    extension = GCThreshold.from_crawler(crawler)  # signals hold their receivers weakly
    spider = Spider("s")
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    try:
        assert gc.get_threshold() == (before[0] * 5 + 1, *before[1:])
    finally:
        crawler.signals.send_catch_log(signals.spider_closed, spider=spider, reason="done")
    assert gc.get_threshold() == before
    assert extension.saved is None


def test_zero_keeps_pythons_threshold():
    with pytest.raises(NotConfigured):
        GCThreshold.from_crawler(get_crawler(Spider, {"GC_THRESHOLD": 0}))
