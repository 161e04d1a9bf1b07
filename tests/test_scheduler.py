"""The disk-queue scheduler: pending requests wait on disk, in a folder of the run's own
that is gone when the crawl closes, or in JOBDIR when the crawl has one."""

from __future__ import annotations

from pathlib import Path

import scrapy
from scrapy.utils.test import get_crawler

from crawler.scheduler import DiskQueueScheduler


class _Spider(scrapy.Spider):
    name = "queue-test"


def open_scheduler(settings: dict | None = None) -> tuple[DiskQueueScheduler, scrapy.Spider]:
    # The downloader-aware queue asks a running engine; the plain one needs none.
    crawler = get_crawler(_Spider, settings_dict={
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue", **(settings or {})})
    crawler.spider = spider = _Spider.from_crawler(crawler)
    scheduler = DiskQueueScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler, spider


def test_requests_beyond_the_memory_size_wait_on_disk_in_a_folder_removed_at_close():
    scheduler, spider = open_scheduler()
    scheduler.memory_size = 10
    assert scheduler.dqdir is not None
    folder = Path(scheduler.dqdir).parent
    urls = [f"https://a.example/{n}/" for n in range(50)]
    for url in urls:
        assert scheduler.enqueue_request(scrapy.Request(url, meta={"link_role": "sitemap"}))
    assert not scheduler.enqueue_request(scrapy.Request(urls[0]))  # seen: filtered
    assert len(scheduler) == 50 and len(scheduler.mqs) == 10
    assert any(folder.rglob("*")) and folder.exists()
    first = scheduler.next_request()
    assert first is not None and first.url in urls and first.meta["link_role"] == "sitemap"
    assert spider.crawler.stats.get_value("scheduler/enqueued/disk") == 40
    scheduler.close("finished")
    assert not folder.exists()


def test_a_jobdir_is_used_and_kept(tmp_path: Path):
    scheduler, _ = open_scheduler({"JOBDIR": str(tmp_path / "job")})
    assert scheduler.memory_size == 0  # all of a resumable queue is on disk
    assert scheduler.dqdir is not None
    assert Path(scheduler.dqdir).is_relative_to(tmp_path / "job")
    scheduler.enqueue_request(scrapy.Request("https://a.example/x/"))
    scheduler.close("shutdown")
    assert (tmp_path / "job" / "requests.queue" / "active.json").exists()
