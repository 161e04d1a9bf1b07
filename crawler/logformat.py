"""``LevelLogFormatter``: Scrapy's log messages, not built at all below ``LOG_LEVEL``.

Scrapy leaves its loggers open to every level and lets the handler drop what is below
``LOG_LEVEL``: every page fetched and every item scraped still builds a DEBUG record
("Crawled (200) ...", "Scraped from ..."), two per article, for nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class LevelLogFormatter(LogFormatter):
    """Skips the per-page and per-item messages when ``LOG_LEVEL`` is above DEBUG."""

    def __init__(self, level: int = logging.DEBUG) -> None:
        self.level = level

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LevelLogFormatter:
        level = logging.getLevelName(str(crawler.settings.get("LOG_LEVEL")).upper())
        return cls(level if isinstance(level, int) else logging.DEBUG)

    # Scrapy's engine and scraper skip a message its formatter returns None for.
    def crawled(self, request: Request, response: Response,  # type: ignore[override]
                spider: Spider) -> LogFormatterResult | None:
        if self.level > logging.DEBUG:
            return None
        return super().crawled(request, response, spider)

    def scraped(self, item: Any, response: Response | Failure | None,  # type: ignore[override]
                spider: Spider) -> LogFormatterResult | None:
        if self.level > logging.DEBUG:
            return None
        return super().scraped(item, response, spider)

    def dropped(self, item: Any, exception: BaseException,  # type: ignore[override]
                response: Response | Failure | None, spider: Spider
                ) -> LogFormatterResult | None:
        # The store pipeline drops every fetch record it has written, at DEBUG.
        result = super().dropped(item, exception, response, spider)
        if result["level"] <= logging.DEBUG < self.level:
            return None
        return result
