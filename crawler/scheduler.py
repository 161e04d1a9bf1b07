"""Scrapy's scheduler, with the requests it holds beyond the first 2,500 on disk
rather than in memory.

Discovery fans out: one sitemap page names 2,000 posts, and a site's sitemaps name all
of them at once, so the scheduler may hold a request for every article of the site.
In memory that grows with the site (about a kilobyte a request); on disk it does not.
"""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import Scheduler
from scrapy.utils.job import job_dir
from scrapy.utils.misc import build_from_crawler, load_object

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred


class DiskQueueScheduler(Scheduler):
    """Keeps pending requests in Scrapy's disk queues, beyond the first ``memory_size``
    in a temporary folder of its own, removed when the crawl closes; all of them in
    ``JOBDIR`` when the crawl has one (Scrapy's pause and resume).

    The folder holds this run's queue only: what later runs must fetch is derived from
    the corpus, never from a queue left behind."""

    _spool: tempfile.TemporaryDirectory[str] | None = None
    #: Requests kept in memory before the queue spills to disk (about 800 bytes each):
    #: pickling a request costs more CPU than keeping it, Scrapy's ``to_dict`` looking
    #: its callbacks up among every attribute of the spider.
    memory_size = 2500

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskQueueScheduler:
        settings = crawler.settings
        jobdir = job_dir(settings)
        spool = None
        if jobdir is None:
            spool = tempfile.TemporaryDirectory(prefix="crawler-queue-")
            jobdir = spool.name
        scheduler = cls(
            dupefilter=build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler),
            jobdir=jobdir,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
        scheduler._spool = spool
        if spool is None:  # a paused crawl resumes from JOBDIR: every request goes there
            scheduler.memory_size = 0
        return scheduler

    def _dqpush(self, request: Request) -> bool:
        if len(self.mqs) < self.memory_size:
            return False  # to the memory queue
        return super()._dqpush(request)

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            result: Any = super().close(reason)
        finally:
            if self._spool is not None:
                self._spool.cleanup()
                self._spool = None
        return result
