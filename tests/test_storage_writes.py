"""The write path: batched saves of articles (inserted, updated, unchanged),
duplicates and preferred copies, revisions, and batches that are all or nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crawler.errors import StorageError
from crawler.storage import Corpus, SaveCounts
from crawler.text import content_hash
from tests.storage_items import SITE, aliases, article, fetch, link, links, revisions, rows, url

# -- saving articles -------------------------------------------------------------------


def test_insert_then_unchanged(corpus: Corpus) -> None:
    batch = [article("a", links=[link("b")]), article("b", links=[link("a", "prev")])]
    assert corpus.save(batch) == SaveCounts(inserted=2, links=2)
    counts = corpus.counts()
    again = corpus.save(batch)
    assert again == SaveCounts(unchanged=2)
    assert corpus.counts() == counts == {"articles": 2, "aliases": 0, "links": 2}


def test_stored_row_holds_every_field(corpus: Corpus) -> None:
    item = article("a", modified="2017-09-13T08:00:00+03:00")
    corpus.save([item])
    row = corpus.db["articles"].get(1)
    for name in ("url", "title", "author", "published", "published_raw", "modified", "body",
                 "language", "word_count", "content_hash", "status", "profile", "fetched_at"):
        assert row[name] == item[name], name
    # JSON arrays keep Arabic letters readable in the file.
    assert row["categories"] == '["لبنان", "سياسة"]'
    assert json.loads(row["tags"]) == ["حزب"]
    assert row["first_seen"] == row["last_seen"]


def test_missing_lists_are_stored_as_empty_arrays(corpus: Corpus) -> None:
    item = article("a")
    del item["categories"], item["tags"], item["aliases"], item["links"]
    corpus.save([item])
    assert rows(corpus, "SELECT categories, tags FROM articles") == [("[]", "[]")]


def test_update_keeps_first_seen(corpus: Corpus) -> None:
    corpus.save([article("a")])
    corpus.db.execute("UPDATE articles SET first_seen = '2001-01-01T00:00:00+00:00',"
                      " last_seen = '2001-01-01T00:00:00+00:00'")
    assert corpus.save([article("a", title="عنوان جديد")]) == SaveCounts(updated=1)
    first_seen, last_seen, title = rows(corpus, "SELECT first_seen, last_seen, title"
                                        " FROM articles")[0]
    assert first_seen == "2001-01-01T00:00:00+00:00"
    assert last_seen > first_seen
    assert title == "عنوان جديد"


def test_a_new_fetch_of_the_same_article_is_unchanged(corpus: Corpus) -> None:
    corpus.save([article("a")])
    later = article("a", fetched_at="2025-01-01T00:00:00+00:00", status=200)
    assert corpus.save([later]) == SaveCounts(unchanged=1)
    assert rows(corpus, "SELECT fetched_at FROM articles") == [("2025-01-01T00:00:00+00:00",)]


@pytest.mark.parametrize(("change", "revisions"), [
    ({"tags": ["حزب", "انتخابات"]}, 0),
    ({"author": "كاتب آخر"}, 0),
    ({"published": "2017-09-12T11:05:00+03:00"}, 1),
    ({"body": "نص آخر تماما " + "كلمة " * 30, "content_hash": "other"}, 1),
])
def test_metadata_changes_are_updates(corpus: Corpus, change: dict[str, Any],
                                      revisions: int) -> None:
    corpus.save([article("a")])
    assert corpus.save([article("a", **change)]) == SaveCounts(updated=1, revisions=revisions)


# -- duplicates ------------------------------------------------------------------------


def test_duplicate_is_stored_as_alias_only(corpus: Corpus) -> None:
    corpus.save([article("a")])
    dup = article("copy", text=article("a")["body"], duplicate_of=url("a"),
                  aliases=[f"{SITE}/?p=9", url("a")], links=[link("z")])
    counts = corpus.save([dup])
    assert counts == SaveCounts(duplicates=1, aliases=2)
    assert rows(corpus, "SELECT url FROM articles") == [(url("a"),)]
    assert aliases(corpus) == {(url("copy"), url("a"), "duplicate"),
                               (f"{SITE}/?p=9", url("a"), "shortlink")}
    assert links(corpus) == set()


def test_duplicate_of_a_stored_article_folds_it_in(corpus: Corpus) -> None:
    corpus.save([article("a"), article("copy", links=[link("x")], aliases=[f"{SITE}/?p=5"]),
                 article("x", links=[link("copy", "prev")])])
    corpus.save([article("copy", duplicate_of=url("a"))])
    assert rows(corpus, "SELECT url FROM articles ORDER BY id") == [(url("a"),), (url("x"),)]
    assert aliases(corpus) == {(url("copy"), url("a"), "duplicate"),
                               (f"{SITE}/?p=5", url("a"), "shortlink")}
    assert links(corpus) == {(url("x"), url("a"), "prev")}


def test_replaces_swaps_the_preferred_copy(corpus: Corpus) -> None:
    old = article("old", links=[link("n")], aliases=[f"{SITE}/?p=7"])
    corpus.save([old, article("n", links=[link("old", "prev")]),
                 article("dup", duplicate_of=url("old"))])
    old_id, first_seen = rows(corpus, "SELECT id, first_seen FROM articles WHERE url = ?",
                              [url("old")])[0]
    new = article("new", text=old["body"], title=old["title"], replaces=url("old"),
                  published="2017-09-11T09:00:00+03:00", links=[link("p", "prev")])
    assert corpus.save([new]) == SaveCounts(updated=1, aliases=1, links=1)
    assert rows(corpus, "SELECT id, first_seen, published FROM articles WHERE url = ?",
                [url("new")]) == [(old_id, first_seen, "2017-09-11T09:00:00+03:00")]
    assert not rows(corpus, "SELECT 1 FROM articles WHERE url = ?", [url("old")])
    assert aliases(corpus) == {
        (url("old"), url("new"), "duplicate"),
        (url("dup"), url("new"), "duplicate"),
        (f"{SITE}/?p=7", url("new"), "shortlink"),
    }
    assert links(corpus) == {(url("new"), url("p"), "prev"), (url("n"), url("new"), "prev")}


def test_replaces_an_alias_of_itself(corpus: Corpus) -> None:
    corpus.save([article("old", aliases=[url("new")])])
    corpus.save([article("new", replaces=url("old"))])
    assert rows(corpus, "SELECT url FROM articles") == [(url("new"),)]
    assert aliases(corpus) == {(url("old"), url("new"), "duplicate")}


def test_replaces_when_both_copies_are_stored(corpus: Corpus) -> None:
    corpus.save([article("old"), article("new"), article("x", links=[link("old")])])
    corpus.save([article("new", replaces=url("old"))])
    assert rows(corpus, "SELECT url FROM articles ORDER BY url") == [(url("new"),), (url("x"),)]
    assert links(corpus) == {(url("x"), url("new"), "next")}


# -- transactions ----------------------------------------------------------------------


def test_a_failing_batch_writes_nothing(corpus: Corpus) -> None:
    corpus.save([article("a")])
    before = rows(corpus, "SELECT * FROM articles")
    batch = [article("a", title="changed"), article("b", aliases=[f"{SITE}/?p=3"]),
             article("c", links=[link("a", "sidebar")])]
    with pytest.raises(StorageError) as error:
        corpus.save(batch)
    assert url("c") in str(error.value)
    assert rows(corpus, "SELECT * FROM articles") == before
    assert corpus.counts() == {"articles": 1, "aliases": 0, "links": 0}
    assert not corpus.db.conn.in_transaction
    assert corpus.save(batch[:2]) == SaveCounts(inserted=1, updated=1, aliases=1)


def test_an_item_without_url_fails_the_batch(corpus: Corpus) -> None:
    with pytest.raises(StorageError, match="without a url"):
        corpus.save([article("a"), article("b", url=None)])
    assert corpus.counts()["articles"] == 0


# -- revisions -------------------------------------------------------------------------


def test_the_same_content_again_makes_no_revision(corpus: Corpus) -> None:
    corpus.save([article("a")])
    first_seen = rows(corpus, "SELECT first_seen FROM articles")
    for _ in range(2):
        assert corpus.save([article("a")]) == SaveCounts(unchanged=1)
    assert revisions(corpus) == []
    assert rows(corpus, "SELECT first_seen FROM articles") == first_seen


def test_only_fetch_details_changing_makes_no_revision(corpus: Corpus) -> None:
    corpus.save([article("a", links=[link("b")])])
    later = article("a", fetched_at="2026-01-01T00:00:00+00:00", status=203,
                    links=[link("c")], aliases=[f"{SITE}/?p=4"], fetch=fetch("a"))
    counts = corpus.save([later])
    assert (counts.unchanged, counts.revisions, counts.links, counts.aliases) == (1, 0, 1, 1)
    assert revisions(corpus) == []


def test_a_title_change_keeps_the_old_version(corpus: Corpus) -> None:
    old = article("a", modified="2017-09-12T11:00:00+03:00")
    corpus.save([old])
    corpus.db.execute("UPDATE articles SET first_seen = '2001-01-01T00:00:00+00:00'")
    title = "عنوان مصحح"
    new = article("a", title=title, content_hash=content_hash(title, old["body"]))
    assert corpus.save([new], run_id=5) == SaveCounts(updated=1, revisions=1)
    (revision,) = revisions(corpus)
    now = revision.pop("replaced_at")
    assert revision == {
        "id": 1, "article_url": url("a"), "title": old["title"], "author": "كاتب",
        "published": old["published"], "modified": "2017-09-12T11:00:00+03:00",
        "categories": '["لبنان", "سياسة"]', "tags": '["حزب"]', "body": old["body"],
        "content_hash": old["content_hash"], "first_seen": "2001-01-01T00:00:00+00:00",
        "run_id": 5,
    }
    assert now > "2024"
    assert rows(corpus, "SELECT title, first_seen FROM articles") == [
        (title, "2001-01-01T00:00:00+00:00")]
    # The next change keeps the second version, current since the first change.
    corpus.db.execute("UPDATE revisions SET replaced_at = '2010-01-01T00:00:00+00:00'")
    assert corpus.save([article("a", published="2017-09-13T10:00:00+03:00")],
                       run_id=6).revisions == 1
    second = revisions(corpus)[1]
    assert (second["title"], second["first_seen"], second["run_id"]) == (
        title, "2010-01-01T00:00:00+00:00", 6)
    assert corpus.save([article("a", published="2017-09-13T10:00:00+03:00")]).revisions == 0
