"""The crawl's stats collector: Scrapy's figures, without the per-call shim."""

from __future__ import annotations

import warnings

from scrapy.utils.test import get_crawler

from crawler.runsettings import project_settings
from crawler.stats import QuickStatsCollector


def test_the_crawl_counts_with_the_quick_collector():
    assert project_settings("x.db")["STATS_CLASS"] == "crawler.stats.QuickStatsCollector"


def test_it_counts_keeps_extremes_and_takes_a_spider_argument_silently():
    stats = QuickStatsCollector(get_crawler())
    stats.inc_value("pages")
    stats.inc_value("pages", 2)
    stats.max_value("depth", 3)
    stats.max_value("depth", 1)
    stats.min_value("first", 5)
    stats.min_value("first", 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Scrapy's own collector warns here
        stats.inc_value("pages", spider=None)
    assert stats.get_stats() == {"pages": 4, "depth": 3, "first": 2}
    assert stats.get_value("missing", "none") == "none"
