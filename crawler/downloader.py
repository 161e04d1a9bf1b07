"""``HostBoundDownloader``: Scrapy's downloader, holding each host to its concurrency.

Scrapy (2.13 and later) starts each download as an asyncio task and counts it against
its slot's concurrency only once the task first runs, on the event loop's next turn.
Until then the slot looks free, so one pass over its queue starts every request
queued there: up to ``CONCURRENT_REQUESTS`` at once on one host, whatever
``CONCURRENT_REQUESTS_PER_DOMAIN`` says (16 against a limit of 8, measured on the
sample site).  Beyond the host's load, the connections over the limit find no room in
the connection pool when they finish and are closed, so a third of the requests paid
for a new connection.

Once the crawl is closing (``crawler.quickstop.crawl_stopping``), it also fails the
requests still waiting in its queues with ``CrawlStopping`` instead of sending them
one download delay after another, and takes no new ones.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.errors import CrawlStopping
from crawler.quickstop import crawl_stopping


class HostBoundDownloader(Downloader):
    """Counts a download against its slot as soon as it is taken off the slot's queue,
    and sends nothing more once the crawl is closing."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.stopping = False
        crawler.signals.connect(self.drop_queued, signal=crawl_stopping)

    def drop_queued(self) -> int:
        """Fail every request still queued, unsent, and refuse new ones; return how many."""
        self.stopping = True
        dropped = 0
        for slot in self.slots.values():
            while slot.queue:
                _request, queue_dfd = slot.queue.popleft()
                queue_dfd.errback(Failure(CrawlStopping("the crawl is closing")))
                dropped += 1
        if dropped and self.crawler.stats is not None:
            self.crawler.stats.inc_value("quickstop/dropped", dropped)
        return dropped

    async def _enqueue_request(self, request: Request) -> Response:
        if self.stopping:
            raise CrawlStopping("the crawl is closing")
        return await super()._enqueue_request(request)

    def _wait_for_download(self, slot: Slot, request: Request,
                           queue_dfd: Deferred[Any]) -> Coroutine[Any, Any, None]:
        # Called as the request leaves the queue; its task runs later and adds the request
        # to the same set again (a no-op), and removes it once the download is over.
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)
