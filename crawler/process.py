"""One crawl in this process, for the ``crawler`` command: Scrapy's ``CrawlerProcess``,
saying on the terminal what a Ctrl-C does, and keeping the run's record when a second
one forces the stop."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from crawler.outcome import FORCED, NOT_STARTED

logger = logging.getLogger(__name__)


def say(message: str) -> None:
    """One line on standard error, over the progress line if one is drawn there."""
    prefix = "\r\x1b[K" if sys.stderr.isatty() else ""
    sys.stderr.write(f"{prefix}{message}\n")
    sys.stderr.flush()


class CrawlProcess(CrawlerProcess):
    """Scrapy's process; a first Ctrl-C (or SIGTERM) says the crawl is stopping and
    that a second forces it, whatever ``LOG_LEVEL`` hides."""

    forced = False

    def _log_shutdown(self, signum: int) -> None:  # type: ignore[override]
        CrawlerProcess._log_shutdown(signum)
        say("Stopping: the pages in transfer are read and stored, nothing else is fetched "
            "(Ctrl-C again to force)")

    def _log_kill(self, signum: int) -> None:  # type: ignore[override]
        self.forced = True
        CrawlerProcess._log_kill(signum)
        say("Forced to stop")


def run_crawl(settings: Settings, profile: str, start_urls: Sequence[str]) -> dict[str, Any]:
    """Run one crawl to its end in this process; return its stats."""
    # Imported here, not with the module: every command imports this one (through the
    # command line), and only a crawl needs the spider and its page-reading stack.
    from spiders.article import ArticleSpider

    process = CrawlProcess(settings)
    crawler = process.create_crawler(ArticleSpider)
    process.crawl(crawler, profile=profile, start_urls=list(start_urls))
    process.start()
    stats = crawler.stats.get_stats() if crawler_started(crawler) else {}
    if "finish_reason" in stats:
        return stats
    if process.forced:  # the spider was never closed
        stats["finish_reason"] = FORCED
        close_forced(crawler, stats)
    else:  # the crawl failed to start: Scrapy logged why
        stats["finish_reason"] = NOT_STARTED
    return stats


def crawler_started(crawler: Crawler) -> bool:
    """True once the crawl's components exist (its stats, pipelines, extensions)."""
    try:
        return crawler.engine is not None
    except RuntimeError:  # Scrapy's "not set yet"
        return False


def close_forced(crawler: Crawler, stats: dict[str, Any]) -> None:
    """After a forced stop: store what the pipelines still hold and end the run's row,
    as closing the spider would have (the reactor is stopped: all of it is synchronous)."""
    # Imported here for the reason run_crawl gives.
    from crawler.extensions import RunRecorder
    from pipelines.store import StorePipeline

    store = crawler.get_item_pipeline(StorePipeline)
    if store is not None:
        try:
            store.close_spider()
        except Exception:  # reported below; the run's row is still ended
            logger.exception("storing the last items after a forced stop failed")
    recorder = crawler.get_extension(RunRecorder)
    if recorder is not None and crawler.spider is not None:
        recorder.spider_closed(crawler.spider, FORCED)
        stats.update(crawler.stats.get_stats() if crawler.stats else {})
        stats["finish_reason"] = FORCED
