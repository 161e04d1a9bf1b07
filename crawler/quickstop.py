"""``QuickStop``: a crawl that is closing stops waiting for what it will not use.

When a crawl closes (Ctrl-C, SIGTERM, a ``CLOSESPIDER_*`` limit, an unreachable
site), Scrapy waits for every request the downloader holds.  With polite settings the
downloader's queue holds up to ``CONCURRENT_REQUESTS`` requests for one host, sent one
per download delay, and a retry may be waiting out its backoff: a Ctrl-C took 9 s.
This extension notices the close within ``QUICKSTOP_INTERVAL`` seconds and sends the
``crawl_stopping`` signal; the downloader then fails the requests still queued with
``CrawlStopping`` (never sent, so the next run asks for them again) and the retry
middleware ends its waits.  Pages already in transfer are still received, read and
stored.
"""

from __future__ import annotations

import logging

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)

#: Sent (no arguments) once, when the crawl starts to close.
crawl_stopping = object()


class QuickStop:
    """Watches for the crawl's close and announces it with ``crawl_stopping``.

    Setting: ``QUICKSTOP_INTERVAL`` (default 0.2 s; 0 turns it off).
    """

    def __init__(self, crawler: Crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.sent = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuickStop:
        ext = cls(crawler, crawler.settings.getfloat("QUICKSTOP_INTERVAL"))
        if ext.interval <= 0:
            raise NotConfigured("QUICKSTOP_INTERVAL is 0")
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.loop = task.LoopingCall(self.check)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def closing(self) -> bool:
        """True once the engine is stopping or closing the spider."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        return not engine.running or getattr(slot, "closing", None) is not None

    def check(self) -> None:
        if not self.sent and self.closing():
            self.sent = True
            logger.debug("the crawl is closing: dropping queued requests and retry waits")
            self.crawler.signals.send_catch_log(signal=crawl_stopping)
            if self.loop is not None and self.loop.running:
                self.loop.stop()
