"""The dedupe pipeline: which copy of an article is kept, whatever the crawl order."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.utils.misc import build_from_crawler

from crawler.items import Article, Fetch
from crawler.storage import APPLICATION_ID, Corpus
from crawler.text import content_hash
from pipelines.dedupe import DedupePipeline, preference_key
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline
from tests.conftest import project_crawler

SITE = "https://www.janoubia.com"
TITLE = "عنوان المقال"
BODY = "نص المقال نفسه " + "كلمة " * 30
HASH = content_hash(TITLE, BODY)


def copy(path: str, published: str | None, **fields: Any) -> Article:
    """One copy of the same article under *path*."""
    return Article(url=SITE + path, title=TITLE, body=BODY, published=published,
                   aliases=[], links=[], **fields)


def build(db: Path) -> DedupePipeline:
    return build_from_crawler(DedupePipeline, project_crawler(settings={"CORPUS_DB": str(db)}))


def test_preference_order() -> None:
    keys = [
        preference_key(SITE + "/a-much-longer-url/", "2017-09-12T07:00:00+00:00"),
        # Same instant as the first written with another offset, shorter URL.
        preference_key(SITE + "/z/", "2017-09-12T10:00:00+03:00"),
        preference_key(SITE + "/late/", "2017-09-13T00:00:00+03:00"),
        preference_key(SITE + "/b/", None),
        preference_key(SITE + "/c/", "not a date"),
        preference_key(SITE + "/ab/", None),
    ]
    assert sorted(keys) == [keys[1], keys[0], keys[2], keys[3], keys[4], keys[5]]


def test_known_copy_is_preferred(tmp_path: Path) -> None:
    pipeline = build(tmp_path / "none.db")
    pipeline.open_spider()
    first = pipeline.process_item(copy("/2017/first/", "2017-09-12T10:00:00+03:00",
                                       content_hash=HASH))
    assert "duplicate_of" not in first and "replaces" not in first
    later = pipeline.process_item(copy("/2017/later/", "2017-09-14T10:00:00+03:00",
                                       content_hash=HASH))
    assert later["duplicate_of"] == SITE + "/2017/first/"
    again = pipeline.process_item(copy("/2017/first/", "2017-09-12T10:00:00+03:00",
                                       content_hash=HASH))
    assert "duplicate_of" not in again
    assert pipeline.stats.get_stats() == {"dedupe/duplicate": 1}
    assert not (tmp_path / "none.db").exists()


def test_new_copy_replaces_the_known_one(tmp_path: Path) -> None:
    pipeline = build(tmp_path / "none.db")
    pipeline.open_spider()
    pipeline.process_item(copy("/2017/undated/", None, content_hash=HASH))
    dated = pipeline.process_item(copy("/2017/dated/", "2017-09-12T10:00:00+03:00",
                                       content_hash=HASH))
    assert dated["replaces"] == SITE + "/2017/undated/"
    third = pipeline.process_item(copy("/2017/undated/", None, content_hash=HASH))
    assert third["duplicate_of"] == SITE + "/2017/dated/"
    assert pipeline.stats.get_stats() == {"dedupe/replaced": 1, "dedupe/duplicate": 1}


def test_items_without_hash_pass(tmp_path: Path) -> None:
    pipeline = build(tmp_path / "none.db")
    pipeline.open_spider()
    for _ in range(2):
        assert dict(pipeline.process_item(copy("/x/", None))) == dict(copy("/x/", None))


def test_seeds_from_the_corpus(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    stored = copy("/2017/stored/", "2017-09-12T10:00:00+03:00", content_hash=HASH)
    with Corpus(db) as corpus:
        corpus.save([dict(stored)])
    pipeline = build(db)
    pipeline.open_spider()
    assert pipeline.stats.get_value("dedupe/seeded") == 1
    later = pipeline.process_item(copy("/2017/later/", None, content_hash=HASH))
    assert later["duplicate_of"] == stored["url"]
    earlier = pipeline.process_item(copy("/2017/earlier/", "2017-09-01T10:00:00+03:00",
                                         content_hash=HASH))
    assert earlier["replaces"] == stored["url"]


def test_unreadable_corpus_stops_the_crawl(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    conn = sqlite3.connect(db)  # a corpus of a newer crawler
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 99").connection.close()
    pipeline = build(db)
    with pytest.raises(CloseSpider) as stop:
        pipeline.open_spider()
    assert stop.value.reason == "storage_error"
    assert "newer than this crawler" in pipeline.stats.get_value("dedupe/error")


def crawl_into(db: Path, items: list[Article], recent: int | None = None
               ) -> tuple[list[tuple], list[tuple]]:
    """Run *items* through validate, dedupe and store; return articles and aliases.
    *recent* sets how many hashes the dedupe pipeline remembers itself."""
    crawler = project_crawler(settings={"CORPUS_DB": str(db), "STORE_BATCH_SIZE": 2})
    chain = [build_from_crawler(cls, crawler)
             for cls in (ValidatePipeline, DedupePipeline, StorePipeline)]
    if recent is not None:
        chain[1].recent_size = recent
    for pipeline in chain[1:]:
        pipeline.open_spider()
    for item in items:
        try:
            for pipeline in chain:
                item = pipeline.process_item(item)
        except DropItem:  # as in a crawl, a dropped item goes no further (a duplicate)
            pass
    chain[2].close_spider()
    with Corpus(db) as corpus:
        articles = corpus.db.execute("SELECT url, published FROM articles ORDER BY url")
        aliases = corpus.db.execute("SELECT url, article_url, reason FROM aliases ORDER BY url")
        return articles.fetchall(), aliases.fetchall()


COPIES = [
    copy("/2017/09/12/slug/", "2017-09-12T10:00:00+03:00"),
    copy("/2017/09/12/slug-2/", "2017-09-12T10:00:00+03:00"),
    copy("/?p=42", None),
    copy("/amp/2017/09/12/slug/", "2017-09-12T12:00:00+03:00"),
]


def test_kept_copy_does_not_depend_on_crawl_order(tmp_path: Path) -> None:
    outcomes = set()
    for number, order in enumerate(itertools.permutations(COPIES)):
        articles, aliases = crawl_into(tmp_path / f"{number}.db", [Article(c) for c in order])
        outcomes.add((tuple(articles), tuple(aliases)))
    assert outcomes == {(
        ((SITE + "/2017/09/12/slug/", "2017-09-12T10:00:00+03:00"),),
        tuple((c["url"], SITE + "/2017/09/12/slug/", "duplicate")
              for c in sorted(COPIES[1:], key=lambda c: c["url"])),
    )}


def test_copies_beyond_the_remembered_hashes_are_found_in_the_corpus(tmp_path: Path) -> None:
    # Remembering two hashes, with batches of two: the first copy is only in the corpus
    # when its duplicates arrive, after other articles.
    others = [Article(url=f"{SITE}/other-{n}/", title=f"{TITLE} {n}", body=f"{BODY} {n}",
                      published=None, aliases=[], links=[]) for n in range(6)]
    items = [Article(COPIES[2]), *others, Article(COPIES[1]), *others[:3], Article(COPIES[0])]
    articles, aliases = crawl_into(tmp_path / "corpus.db", items, recent=2)
    assert (SITE + "/2017/09/12/slug/", "2017-09-12T10:00:00+03:00") in articles
    assert not {SITE + "/2017/09/12/slug-2/", SITE + "/?p=42"} & {a[0] for a in articles}
    assert {(a[0], a[1]) for a in aliases} >= {
        (SITE + "/2017/09/12/slug-2/", SITE + "/2017/09/12/slug/"),
        (SITE + "/?p=42", SITE + "/2017/09/12/slug/")}


def test_order_does_not_matter_across_runs(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    crawl_into(db, [Article(COPIES[2]), Article(COPIES[3])])
    articles, aliases = crawl_into(db, [Article(COPIES[1]), Article(COPIES[0])])
    assert articles == [(SITE + "/2017/09/12/slug/", "2017-09-12T10:00:00+03:00")]
    assert {a[0] for a in aliases} == {c["url"] for c in COPIES[1:]}


def test_fetch_items_pass_through_untouched(tmp_path: Path) -> None:
    pipeline = build(tmp_path / "none.db")
    pipeline.open_spider()
    pipeline.process_item(copy("/2017/first/", None, content_hash=HASH))
    # A fetch of a known article's URL is provenance, not a copy to dedupe.
    fetch = Fetch(requested_url=SITE + "/2017/first/", status=200, body=b"<html></html>")
    assert pipeline.process_item(fetch) is fetch
    assert set(fetch) == {"requested_url", "status", "body"}
    assert pipeline.stats.get_value("dedupe/duplicate") is None
