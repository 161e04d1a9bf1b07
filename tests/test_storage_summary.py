"""The corpus summary: figures of an empty corpus and of a small one."""

from __future__ import annotations

from crawler.storage import Corpus
from tests.storage_items import PAGE, SITE, article, fetch, link, rows


def test_summary_of_an_empty_corpus(corpus: Corpus) -> None:
    assert corpus.summary() == {
        "articles": 0, "aliases": 0, "revisions": 0, "fetches": 0, "runs": 0, "links": {},
        "bodies": {"count": 0, "raw_bytes": 0, "stored_bytes": 0},
        "published": {"first": None, "last": None}, "categories": [],
        "coverage": {"title": 0.0, "author": 0.0, "published": 0.0, "body": 0.0},
    }


def test_summary_numbers(corpus: Corpus) -> None:
    corpus.start_run("janoubia", [])
    corpus.save([
        article("a", links=[link("b"), link("c", "read_also", "label")],
                published="2017-09-12T01:00:00+03:00", fetch=fetch("a")),
        # Earlier than a's time read as text, later once the offsets are counted.
        article("b", links=[link("a", "prev")], published="2017-09-11T23:00:00+00:00",
                author=None, categories=["سياسة", "اقتصاد"], aliases=[f"{SITE}/?p=2"],
                fetch=fetch("b", body=b"<html>b</html>")),
        article("c", published=None, author="  ", categories=["اقتصاد"], fetch=fetch("c")),
        article("d", published="not a date", categories=[]),
    ])
    corpus.save([article("c", title="عنوان آخر", content_hash="other", published=None,
                         author="  ", categories=["اقتصاد"])])
    summary = corpus.summary()
    raw, stored = rows(corpus, "SELECT sum(size), sum(length(data)) FROM bodies")[0]
    assert summary == {
        "articles": 4, "aliases": 1, "revisions": 1, "fetches": 3, "runs": 1,
        "links": {"next": 1, "prev": 1, "read_also": 1},
        "bodies": {"count": 2, "raw_bytes": len(PAGE) + len(b"<html>b</html>"),
                   "stored_bytes": stored},
        "published": {"first": "2017-09-12T01:00:00+03:00",
                      "last": "2017-09-11T23:00:00+00:00"},
        "categories": [("اقتصاد", 2), ("سياسة", 2), ("لبنان", 1)],
        "coverage": {"title": 1.0, "author": 0.5, "published": 0.75, "body": 1.0},
    }
    assert raw == summary["bodies"]["raw_bytes"] > stored
