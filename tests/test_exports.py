"""Scrapy's own feed exports (``scrapy crawl ... -O FILE``) write the articles stored:
one record per article, its fields in order, no fetch record, no raw body."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler

import crawler.settings
from crawler.exports import CsvArticleExporter
from crawler.items import Article
from pipelines.dedupe import DedupePipeline
from pipelines.store import StorePipeline
from pipelines.validate import ValidatePipeline
from tests.conftest import (
    LOOPBACK,
    RunningSite,
    project_crawler,
    query,
    start_sample_site,
    stop_sample_site,
    stored_articles,
)

ROOT = Path(__file__).parents[1]
FIELDS = crawler.settings.FEED_EXPORT_FIELDS
LISTS = ("categories", "tags", "aliases", "links")


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    """A sample site of a few dozen articles (one of them also under a second URL)."""
    proc, site = start_sample_site(tmp_path_factory.mktemp("site"), 40, 0)
    yield site
    stop_sample_site(proc)


def export(site: RunningSite, folder: Path, name: str) -> tuple[Path, Path, str]:
    """Crawl *site* through the real ``scrapy`` command with ``-O folder/name``."""
    db, out = folder / "corpus.db", folder / name
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "wordpress", "-a",
         f"start_urls={site.origin}/", "-s", f"CORPUS_DB={db}", "-O", str(out), *LOOPBACK],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return db, out, result.stderr


def read_records(out: Path) -> list[dict[str, Any]]:
    """The records of an export file, lists decoded from CSV's JSON cells."""
    text = out.read_text(encoding="utf-8")
    if out.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines()]
    if out.suffix == ".json":
        return json.loads(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == FIELDS  # the header
    for row in rows:
        row.update({name: json.loads(row[name]) for name in LISTS})
    return rows


@pytest.mark.parametrize("name", ["out.jsonl", "out.csv", "out.json"])
def test_an_export_has_one_record_per_stored_article(small_site, tmp_path, name):
    db, out, log = export(small_site, tmp_path, name)
    assert "Traceback" not in log and "ERROR" not in log
    records = read_records(out)
    assert all(list(record) == FIELDS for record in records)
    # A better copy of an article exported earlier in the run names the record it
    # supersedes; duplicates kept as aliases are not exported at all.
    superseded = {r["replaces"] for r in records if r["replaces"]}
    current = {r["url"]: r for r in records if r["url"] not in superseded}
    assert len(current) == len(records) - len(superseded)
    stored = stored_articles(db)
    assert sorted(current) == sorted(stored)
    assert len(stored) == len(small_site.truth["articles"])
    for url, row in stored.items():
        record = current[url]
        assert (record["title"], record["body"]) == (row["title"], row["body"]), url
        assert (record["categories"], record["tags"]) == (row["categories"], row["tags"])
        assert str(record["word_count"]) == str(row["word_count"])
    duplicates = {url for (url,) in query(db, "select url from aliases"
                                              " where reason = 'duplicate'")}
    assert duplicates and not duplicates & set(current)


def test_json_exports_keep_types_and_utf8(small_site, tmp_path):
    db, out, _ = export(small_site, tmp_path, "out.jsonl")
    text = out.read_text(encoding="utf-8")
    assert "\\u06" not in text  # Arabic as is, not escaped
    records = [json.loads(line) for line in text.splitlines()]
    stored = stored_articles(db)
    for record in records:
        row = stored.get(record["url"])
        if row is None:  # superseded in the run
            continue
        assert record["word_count"] == row["word_count"] and record["status"] == row["status"]
        assert (record["published"], record["modified"]) == (row["published"], row["modified"])
        assert all(isinstance(alias, dict) for alias in record["aliases"])
        assert {link["role"] for link in record["links"]} <= {"prev", "next", "read_also"}


def test_export_fields_are_article_fields_without_the_fetch():
    assert set(FIELDS) <= set(Article.fields)
    assert len(FIELDS) == len(set(FIELDS))
    assert not {"fetch", "duplicate_of", "dated_by_markup"} & set(FIELDS)
    assert crawler.settings.FEED_EXPORTERS["csv"] == "crawler.exports.CsvArticleExporter"


def test_csv_cells_hold_lists_as_json_text():
    out = io.BytesIO()
    exporter = CsvArticleExporter(out, fields_to_export=["url", "categories", "aliases"],
                                  encoding="utf-8")
    exporter.start_exporting()
    exporter.export_item(Article(url="https://a.com/x/", categories=["سياسة، لبنان", "a,b"],
                                 aliases=[{"url": "https://a.com/?p=1", "reason": "shortlink"}]))
    exporter.finish_exporting()
    row = next(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))
    assert json.loads(row["categories"]) == ["سياسة، لبنان", "a,b"]
    assert json.loads(row["aliases"]) == [{"url": "https://a.com/?p=1", "reason": "shortlink"}]



def passed_on(db: Path, items: list[Article]) -> list[Article]:
    """The items the three pipelines pass on to item_scraped, so to the exports."""
    crawler = project_crawler(settings={"CORPUS_DB": str(db)})
    chain = [build_from_crawler(cls, crawler)
             for cls in (ValidatePipeline, DedupePipeline, StorePipeline)]
    for pipeline in (chain[2], chain[1]):  # the store creates the corpus
        pipeline.open_spider()
    passed = []
    for item in items:
        try:
            for pipeline in chain:
                item = pipeline.process_item(item)
        except DropItem:  # as in a crawl: the item goes no further
            continue
        passed.append(item)
    for pipeline in chain[1:]:
        pipeline.close_spider()
    return passed


def copies() -> tuple[Article, Article]:
    """One article under two URLs: the later copy, and the one to keep."""
    text = {"title": "عنوان", "body": "نص المقال " * 20, "aliases": [], "links": []}
    return (Article(url="https://a.com/2017/09/13/slug-2/",
                    published="2017-09-13T10:00:00+03:00", **text),
            Article(url="https://a.com/2017/09/12/slug/",
                    published="2017-09-12T10:00:00+03:00", **text))


def test_a_better_copy_met_later_names_the_record_it_supersedes(tmp_path):
    later, kept = copies()
    assert [(a["url"], a.get("replaces")) for a in passed_on(tmp_path / "a.db", [later, kept])
            ] == [(later["url"], None), (kept["url"], later["url"])]
    # The other way round, the later copy is only an alias: one record.
    later, kept = copies()
    assert [a["url"] for a in passed_on(tmp_path / "b.db", [kept, later])] == [kept["url"]]
