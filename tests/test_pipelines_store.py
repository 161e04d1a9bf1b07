"""The store pipeline: batches, fetches and runs, stats, and a crawl stopped by a storage error."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.errors import NotExported
from crawler.items import Article, Fetch
from crawler.storage import APPLICATION_ID, Corpus
from pipelines.store import StorePipeline
from tests.conftest import project_crawler

REPO = Path(__file__).resolve().parents[1]
SITE = "https://www.janoubia.com"


def article(slug: str, **fields: Any) -> Article:
    values = {"url": f"{SITE}/{slug}/", "title": f"عنوان {slug}",
              "body": f"نص {slug} " + "كلمة " * 30, "content_hash": f"hash-{slug}",
              "aliases": [], "links": []}
    values.update(fields)
    return Article(**values)


def build(db: Path, **settings: Any) -> StorePipeline:
    crawler = project_crawler(settings={"CORPUS_DB": str(db), **settings})
    return build_from_crawler(StorePipeline, crawler)


def article_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def test_writes_in_batches_and_at_close(tmp_path: Path) -> None:
    db = tmp_path / "data" / "corpus.db"
    pipeline = build(db, STORE_BATCH_SIZE=2)
    pipeline.open_spider()
    for slug in ("a", "b", "c"):
        pipeline.process_item(article(slug))
    assert article_count(db) == 2  # the first batch is committed, the third item is buffered
    pipeline.close_spider()
    assert article_count(db) == 3
    assert pipeline.corpus is None


def test_stats(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    items = [
        article("a", links=[{"dst": f"{SITE}/?p=2", "role": "next", "rule": "rel"}]),
        article("b", aliases=[f"{SITE}/?p=2"]),
        article("c", duplicate_of=f"{SITE}/a/"),
    ]
    for run in range(2):
        pipeline = build(db)
        pipeline.open_spider()
        for item in items[:2]:
            assert pipeline.process_item(item) is item
        with pytest.raises(NotExported):  # stored as an alias of a/
            pipeline.process_item(items[2])
        pipeline.close_spider()
        stats = pipeline.stats.get_stats()
        if run == 0:
            assert stats == {"store/inserted": 2, "store/updated": 0, "store/unchanged": 0,
                             "store/aliases": 2, "store/links": 1, "store/duplicates": 1,
                             "store/revisions": 0, "store/fetches": 0,
                             "store/links_resolved": 1}
        else:
            assert stats["store/unchanged"] == 2 and stats["store/inserted"] == 0
    with Corpus(db) as corpus:
        links = corpus.db.execute("SELECT src, dst FROM links").fetchall()
        assert links == [(f"{SITE}/a/", f"{SITE}/b/")]


def test_an_unusable_corpus_stops_the_crawl(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    db.write_text("not a database " * 100)
    pipeline = build(db)
    with pytest.raises(CloseSpider) as stop:
        pipeline.open_spider()
    assert stop.value.reason == "storage_error"
    assert pipeline.stats.get_value("store/error") == f"{db} is not a SQLite database"
    pipeline.close_spider()  # Scrapy closes every pipeline, opened or not


def test_a_failing_batch_is_reported_and_later_items_dropped(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    pipeline = build(db, STORE_BATCH_SIZE=1)
    pipeline.open_spider()
    pipeline.process_item(article("a"))
    bad = article("b", links=[{"dst": f"{SITE}/a/", "role": "sidebar", "rule": "x"}])
    with pytest.raises(DropItem, match="not stored: .*CHECK constraint failed"):
        pipeline.process_item(bad)
    with pytest.raises(DropItem, match="corpus is unavailable") as dropped:
        pipeline.process_item(article("c"))
    assert dropped.value.log_level == "DEBUG"
    pipeline.close_spider()
    assert article_count(db) == 1
    assert "CHECK constraint failed" in pipeline.stats.get_value("store/error")


def page_fetch(slug: str, **fields: Any) -> dict[str, Any]:
    """A fetch record as the spider makes it."""
    record = {"requested_url": f"{SITE}/{slug}/", "final_url": f"{SITE}/{slug}/",
              "status": 200, "etag": f'"{slug}"', "body": f"<html>{slug}</html>".encode(),
              "link_role": "prev", "fetched_at": "2024-05-01T10:00:00+00:00"}
    record.update(fields)
    return record


def store(pipeline: StorePipeline, item: Any) -> Any:
    """Pass *item* through the pipeline: the item, for the exports, or None when it was
    only stored (a fetch record, a duplicate)."""
    try:
        return pipeline.process_item(item)
    except NotExported as dropped:
        assert dropped.log_level == "DEBUG"
        return None


def fetches(db: Path) -> list[tuple]:
    with Corpus(db) as corpus:
        return corpus.db.execute("SELECT run_id, requested_url, status, digest IS NOT NULL"
                                 " FROM fetches ORDER BY id").fetchall()


def test_fetches_are_batched_with_the_run_id_of_the_stats(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    with Corpus(db) as corpus:
        run_id = corpus.start_run("janoubia", [])
    pipeline = build(db, STORE_BATCH_SIZE=3)
    pipeline.open_spider()
    pipeline.stats.set_value("run/id", run_id)
    listing = Fetch(page_fetch("page/2", link_role="listing"))
    not_modified = Fetch(page_fetch("b", status=304, body=None))
    for item in (listing, article("a", fetch=page_fetch("a")), not_modified):
        store(pipeline, item)
    assert fetches(db) == [(run_id, f"{SITE}/page/2/", 200, 1), (run_id, f"{SITE}/a/", 200, 1),
                           (run_id, f"{SITE}/b/", 304, 0)]
    pipeline.stats.set_value("run/id", None)  # read when each batch is written
    store(pipeline, Fetch(page_fetch("c")))
    pipeline.close_spider()
    assert fetches(db)[3] == (None, f"{SITE}/c/", 200, 1)
    assert pipeline.stats.get_value("store/fetches") == 4
    assert pipeline.stats.get_value("store/inserted") == 1


def test_fetch_records_and_duplicates_are_stored_but_not_passed_on(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    pipeline = build(db, STORE_BATCH_SIZE=1)
    pipeline.open_spider()
    original = article("a", fetch=page_fetch("a"))
    copy = article("a-2", duplicate_of=f"{SITE}/a/", fetch=page_fetch("a-2"))
    listing = Fetch(page_fetch("page/2", link_role="listing"))
    assert store(pipeline, original) is original
    assert store(pipeline, copy) is None
    assert store(pipeline, listing) is None
    # Scrapy then signals the drops: what the store dropped itself is not stored again.
    assert pipeline.crawler is not None
    for item in (copy, listing):
        pipeline.crawler.signals.send_catch_log(
            signals.item_dropped, item=item, response=None, spider=None,
            exception=NotExported("stored", log_level="DEBUG"))
    pipeline.close_spider()
    assert article_count(db) == 1
    assert [url for _, url, _, _ in fetches(db)] == [f"{SITE}/a/", f"{SITE}/a-2/",
                                                    f"{SITE}/page/2/"]
    with Corpus(db) as corpus:
        aliases = corpus.db.execute("SELECT url, article_url FROM aliases").fetchall()
    assert aliases == [(f"{SITE}/a-2/", f"{SITE}/a/")]


def test_revisions_are_counted(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    for title in ("عنوان", "عنوان", "عنوان مصحح"):
        pipeline = build(db)
        pipeline.open_spider()
        pipeline.process_item(article("a", title=title, content_hash=f"hash-{title}"))
        pipeline.close_spider()
    assert pipeline.stats.get_value("store/revisions") == 1
    assert pipeline.stats.get_value("store/updated") == 1


def test_the_fetch_of_a_dropped_article_is_kept(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    crawler = project_crawler(settings={"CORPUS_DB": str(db)})
    pipeline = build_from_crawler(StorePipeline, crawler)
    pipeline.open_spider()
    dropped = article("short", body="قصير", fetch=page_fetch("short"))
    crawler.signals.send_catch_log(signals.item_dropped, item=dropped, response=None,
                                   exception=DropItem("body too short"), spider=None)
    # A dropped item without a fetch, or a dropped Fetch, adds nothing.
    for other in (article("x"), Fetch(page_fetch("y"))):
        crawler.signals.send_catch_log(signals.item_dropped, item=other, response=None,
                                       exception=DropItem("x"), spider=None)
    pipeline.close_spider()
    assert fetches(db) == [(None, f"{SITE}/short/", 200, 1)]
    assert article_count(db) == 0


def test_a_fetch_in_a_failing_batch_is_not_stored(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    pipeline = build(db, STORE_BATCH_SIZE=2)
    pipeline.open_spider()
    store(pipeline, Fetch(page_fetch("home", link_role="start")))
    bad = article("b", links=[{"dst": f"{SITE}/a/", "role": "sidebar", "rule": "x"}])
    with pytest.raises(DropItem, match="not stored"):
        pipeline.process_item(bad)
    with pytest.raises(DropItem, match=f"corpus is unavailable: {SITE}/late/"):
        pipeline.process_item(Fetch(page_fetch("late")))
    pipeline.close_spider()
    assert fetches(db) == []


# -- whole crawls, each in a child process with its own reactor ----------------

CRAWL = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from crawler.items import Article, Fetch

items, settings = json.loads(sys.argv[1]), json.loads(sys.argv[2])

class ItemsSpider(scrapy.Spider):
    name = "items"

    async def start(self):
        if "RUN_ID" in self.settings:  # what the run recorder does when the spider opens
            self.crawler.stats.set_value("run/id", self.settings.getint("RUN_ID"))
        # One data: URL per item: items come from responses, as in a real crawl.
        for number, item in enumerate(items):
            yield scrapy.Request(f"data:,{number}", cb_kwargs={"item": item})

    def parse(self, response, item):
        yield Fetch(**item) if "requested_url" in item else Article(**item)

process = CrawlerProcess(settings)
crawler = process.create_crawler(ItemsSpider)
process.crawl(crawler)
process.start()
print(json.dumps(crawler.stats.get_stats(), default=str))
"""


def crawl(tmp_path: Path, items: list[Article], **settings: Any) -> tuple[dict[str, Any], str]:
    """Crawl *items* through the three pipelines; return the stats and the log."""
    settings = {
        "ITEM_PIPELINES": {"pipelines.validate.ValidatePipeline": 100,
                           "pipelines.dedupe.DedupePipeline": 200,
                           "pipelines.store.StorePipeline": 300},
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        **settings,
    }
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", CRAWL,
         json.dumps([dict(i) for i in items]), json.dumps(settings)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_crawl_stores_items(tmp_path: Path) -> None:
    copy = article("a-copy", title="عنوان a", body=article("a")["body"], content_hash="hash-a")
    items = [copy, article("a"), article("b"), article("c", body="قصير")]
    stats, log = crawl(tmp_path, items, CORPUS_DB="out/corpus.db", VALIDATE_MIN_WORDS=20)
    assert stats["finish_reason"] == "finished"
    assert stats["store/inserted"] == 2
    assert stats["validate/dropped/too_short"] == 1
    assert stats.get("dedupe/duplicate", 0) + stats.get("dedupe/replaced", 0) == 1
    db = tmp_path / "out" / "corpus.db"
    assert article_count(db) == 2
    with Corpus(db) as corpus:
        aliases = corpus.db.execute("SELECT url, article_url FROM aliases").fetchall()
    assert aliases == [(f"{SITE}/a-copy/", f"{SITE}/a/")]
    assert "Traceback" not in log


def test_crawl_passes_on_only_the_articles_it_stores(tmp_path: Path) -> None:
    # What reaches item_scraped (and Scrapy's feed exports): the article, not the
    # listing's fetch record nor the copy of the article kept as its alias.
    listing = {"requested_url": f"{SITE}/", "final_url": f"{SITE}/", "status": 200,
               "link_role": "start"}
    copy = article("a-copy", title="عنوان a", body=article("a")["body"],
                   content_hash="hash-a", fetch=page_fetch("a-copy", body=None))
    items = [Fetch(listing), article("a", fetch=page_fetch("a", body=None)), copy]
    stats, log = crawl(tmp_path, items, CORPUS_DB="corpus.db")
    assert stats["item_scraped_count"] == 1
    assert stats["item_dropped_reasons_count/NotExported"] == 2
    assert stats["store/fetches"] == 3 and stats["store/duplicates"] == 1
    assert "Traceback" not in log


def test_crawl_with_a_newer_corpus_ends_with_storage_error(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    conn = sqlite3.connect(db)  # a corpus of a newer crawler
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db.read_bytes()
    stats, log = crawl(tmp_path, [article("a")], CORPUS_DB=str(db))
    assert stats["finish_reason"] == "storage_error"
    assert "item_scraped_count" not in stats
    assert db.read_bytes() == before
    errors = [line for line in log.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "schema version 99 is newer than this crawler" in errors[0]
    assert "Traceback" not in log


def test_crawl_with_a_failing_write_ends_with_storage_error(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    bad = article("b", links=[{"dst": f"{SITE}/a/", "role": "sidebar", "rule": "x"}])
    stats, log = crawl(tmp_path, [article("a"), bad, article("c")],
                       CORPUS_DB=str(db), STORE_BATCH_SIZE=1)
    assert stats["finish_reason"] == "storage_error"
    assert stats["store/inserted"] == 1
    assert article_count(db) == 1
    assert "CHECK constraint failed" in stats["store/error"]


def test_crawl_stores_fetches_of_articles_listings_and_dropped_pages(tmp_path: Path) -> None:
    listing = {"requested_url": f"{SITE}/", "final_url": f"{SITE}/", "status": 200,
               "link_role": "start"}
    items = [Fetch(listing), article("a", fetch=page_fetch("a", body=None)),
             article("short", body="قصير", fetch=page_fetch("short", body=None))]
    stats, log = crawl(tmp_path, items, CORPUS_DB="corpus.db", RUN_ID=7,
                       VALIDATE_MIN_WORDS=20)
    assert stats["finish_reason"] == "finished"
    assert stats["store/fetches"] == 3 and stats["store/inserted"] == 1
    assert stats["validate/dropped/too_short"] == 1
    assert stats["validate/ok"] == 1  # the Fetch items passed through uncounted
    assert sorted(fetches(tmp_path / "corpus.db")) == [
        (7, f"{SITE}/", 200, 0), (7, f"{SITE}/a/", 200, 0), (7, f"{SITE}/short/", 200, 0)]
    assert "Traceback" not in log


def test_a_batch_is_written_once_its_oldest_item_has_waited_long_enough(tmp_path: Path) -> None:
    pipeline = StorePipeline(get_crawler().stats, path=str(tmp_path / "c.db"), batch_size=100,
                             flush_seconds=0.2)
    pipeline.open_spider()
    pipeline.process_item(article("a"))
    assert article_count(tmp_path / "c.db") == 0  # buffered
    time.sleep(0.25)
    pipeline.process_item(article("b"))
    assert article_count(tmp_path / "c.db") == 2  # the wait passed: both written
    pipeline.close_spider()
