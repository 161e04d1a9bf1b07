"""``ReachabilityMiddleware``: a site that cannot be reached ends the crawl, in one line.

A typo in the host or port, a DNS failure or a site that is down used to cost a run
half a minute of retries of every entry page, robots file, feed and sitemap, long
tracebacks, and a verdict that named none of it.  This middleware sits below the retry
middleware, so it sees a request's exception only once the retries are spent.  A host
that has never answered this run and on which ``UNREACHABLE_AFTER`` requests have
failed for good that way (the first one, by default: four attempts over several
seconds, or minutes of timeouts) is unreachable: one ERROR line says so (``cannot
reach 127.0.0.1:8899: connection refused``), and once every host the crawl asked is
unreachable, the crawl closes with finish reason ``unreachable`` (exit status 6).
Until then, a request to a host found unreachable fails at once (``HostUnreachable``,
recorded as a failed fetch, so the next run asks again) instead of retrying.

It also counts every request that failed for good without an answer in
``fetch/failed`` (robots files, feeds and sitemaps included), and keeps out of the
log Scrapy's robots.txt record of such a failure: a traceback repeating the retry
middleware's line.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached

from crawler.errors import HostUnreachable

logger = logging.getLogger(__name__)
ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"

# What each kind of network failure is called, by exception class name: Scrapy 2.13+
# wraps Twisted's in its own, and both spellings reach a middleware.
_REASONS = {
    "ConnectionRefusedError": "connection refused",
    "DownloadConnectionRefusedError": "connection refused",
    "DNSLookupError": "no such host (DNS lookup failed)",
    "CannotResolveHostError": "no such host (DNS lookup failed)",
    "TimeoutError": "timed out",
    "DownloadTimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "NoRouteError": "no route to host",
    "ConnectError": "could not connect",
    "ConnectingCancelledError": "could not connect",
    "ConnectionLost": "connection lost",
    "ConnectionDone": "connection closed",
    "ResponseFailed": "connection lost",
    "DownloadFailedError": "connection lost",
    "ResponseNeverReceived": "no answer",
}


def network_reason(exception: BaseException) -> str | None:
    """How a network failure reads in one line, or None for any other exception."""
    for cls in type(exception).__mro__:
        if cls.__name__ in _REASONS:
            return _REASONS[cls.__name__]
    return None


class QuietNetworkErrors(logging.Filter):
    """Drops the robots middleware's record of a robots file that failed on the network:
    the retry middleware logged that failure already, in one line, and this record
    repeats it with a traceback, naming a request that waited for the file.  Every
    other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and record.exc_info[1] is not None
                    and network_reason(record.exc_info[1]))


class ReachabilityMiddleware:
    """Notices hosts that never answer and ends a crawl none of whose hosts does.

    Settings: ``UNREACHABLE_AFTER`` (default 1): requests to a host that must fail
    for good, with no answer from it yet, before it counts as unreachable; 0 turns
    the check off (failures are still counted).
    """

    def __init__(self, crawler: Crawler, after: int):
        self.crawler = crawler
        self.after = after
        self.asked: set[str] = set()
        self.answered: set[str] = set()
        self.failures: dict[str, int] = {}
        self.unreachable: dict[str, str] = {}
        self.filter = QuietNetworkErrors()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReachabilityMiddleware:
        after = crawler.settings.getint("UNREACHABLE_AFTER")
        if after < 0:
            raise NotConfigured("UNREACHABLE_AFTER is negative")
        mw = cls(crawler, after)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        # The start hosts count as asked from the start: a first request that waits
        # for another (the REST index of the first) must not leave them unjudged.
        self.asked.update(urlsplit(url).netloc for url in getattr(spider, "start_urls", ()))
        logging.getLogger(ROBOTS_LOGGER).addFilter(self.filter)

    def spider_closed(self, spider: Spider) -> None:
        logging.getLogger(ROBOTS_LOGGER).removeFilter(self.filter)

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).netloc
        if host in self.unreachable:  # its retries would only say it again
            raise HostUnreachable(f"cannot reach {host}: {self.unreachable[host]}")
        self.asked.add(host)

    def process_response(self, request: Request, response: Response) -> Response:
        self.answered.add(urlparse_cached(request).netloc)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        reason = network_reason(exception)
        if reason is None or isinstance(exception, IgnoreRequest):
            return None
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("fetch/failed")
        host = urlparse_cached(request).netloc
        if host in self.answered or host in self.unreachable:
            return None
        self.failures[host] = self.failures.get(host, 0) + 1
        if self.after and self.failures[host] >= self.after:
            self.give_up(host, reason)
        return None

    def give_up(self, host: str, reason: str) -> None:
        """Say that *host* cannot be reached; close the crawl if no host it asked can."""
        self.unreachable[host] = reason
        message = f"cannot reach {host}: {reason}"
        logger.error("%s (no answer to %d request(s), retries included)", message,
                     self.failures[host])
        stats: Any = self.crawler.stats
        stats.set_value("unreachable/hosts", "; ".join(
            f"{h}: {r}" for h, r in self.unreachable.items()))
        if self.asked <= self.unreachable.keys():
            stats.set_value("unreachable/message", message)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="unreachable"))
