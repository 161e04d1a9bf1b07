"""The store pipeline: batches, stats, and a crawl stopped by a storage error."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.storage import Corpus
from pipelines.store import StorePipeline

REPO = Path(__file__).resolve().parents[1]
SITE = "https://www.janoubia.com"


def article(slug: str, **fields: Any) -> Article:
    values = {"url": f"{SITE}/{slug}/", "title": f"عنوان {slug}",
              "body": f"نص {slug} " + "كلمة " * 30, "content_hash": f"hash-{slug}",
              "aliases": [], "links": []}
    values.update(fields)
    return Article(**values)


def build(db: Path, **settings: Any) -> StorePipeline:
    crawler = get_crawler(settings_dict={"CORPUS_DB": str(db), **settings})
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
        for item in items:
            assert pipeline.process_item(item) is item
        pipeline.close_spider()
        stats = pipeline.stats.get_stats()
        if run == 0:
            assert stats == {"store/inserted": 2, "store/updated": 0, "store/unchanged": 0,
                             "store/aliases": 2, "store/links": 1, "store/duplicates": 1,
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


# -- whole crawls, each in a child process with its own reactor ----------------

CRAWL = """
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from crawler.items import Article

items, settings = json.loads(sys.argv[1]), json.loads(sys.argv[2])

class ItemsSpider(scrapy.Spider):
    name = "items"

    async def start(self):
        # One data: URL per item: items come from responses, as in a real crawl.
        for number, item in enumerate(items):
            yield scrapy.Request(f"data:,{number}", cb_kwargs={"item": item})

    def parse(self, response, item):
        yield Article(**item)

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
    stats, log = crawl(tmp_path, items, CORPUS_DB="out/corpus.db")
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


def test_crawl_with_a_newer_corpus_ends_with_storage_error(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    conn = sqlite3.connect(db)
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
