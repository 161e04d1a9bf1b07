"""The corpus database: migrations, batched saves, aliases, duplicates, links."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from crawler import storage
from crawler.errors import StorageError
from crawler.storage import MIGRATIONS, SCHEMA_VERSION, Corpus, SaveCounts
from crawler.text import content_hash

SITE = "https://www.janoubia.com"


def article(slug: str, text: str | None = None, **fields: Any) -> dict[str, Any]:
    """An Article as the pipelines hand it to the store."""
    title = f"عنوان {slug}"
    body = text if text is not None else f"نص المقال {slug} " + "كلمة " * 30
    item = {
        "url": f"{SITE}/2017/09/12/{slug}/",
        "title": title,
        "author": "كاتب",
        "published": "2017-09-12T10:05:00+03:00",
        "published_raw": "12 أيلول 2017",
        "categories": ["لبنان", "سياسة"],
        "tags": ["حزب"],
        "body": body,
        "language": "ar",
        "word_count": len(body.split()),
        "content_hash": content_hash(title, body),
        "status": 200,
        "profile": "janoubia",
        "fetched_at": "2024-05-01T10:00:00+00:00",
        "aliases": [],
        "links": [],
    }
    item.update(fields)
    return item


def url(slug: str) -> str:
    return f"{SITE}/2017/09/12/{slug}/"


def link(slug: str, role: str = "next", rule: str = "rel") -> dict[str, str]:
    return {"dst": url(slug), "role": role, "rule": rule}


@pytest.fixture
def corpus(tmp_path: Path):
    with Corpus(tmp_path / "corpus.db") as opened:
        yield opened


def rows(corpus: Corpus, sql: str, params: Any = ()) -> list[tuple]:
    return [tuple(row) for row in corpus.db.execute(sql, params).fetchall()]


def aliases(corpus: Corpus) -> set[tuple[str, str, str]]:
    return set(rows(corpus, "SELECT url, article_url, reason FROM aliases"))


def links(corpus: Corpus) -> set[tuple[str, str, str]]:
    return set(rows(corpus, "SELECT src, dst, role FROM links"))


# -- opening and migrations ----------------------------------------------------


def test_fresh_file_gets_the_v1_schema(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folders" / "corpus.db"
    with Corpus(path) as corpus:
        assert path.is_file()
        assert corpus.schema_version() == SCHEMA_VERSION == len(MIGRATIONS)
        assert corpus.db.journal_mode == "wal"
        assert corpus.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert corpus.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert corpus.counts() == {"articles": 0, "aliases": 0, "links": 0}
        columns = corpus.db["articles"].columns_dict
        assert list(columns) == [
            "id", "url", "title", "author", "published", "published_raw", "modified",
            "categories", "tags", "body", "language", "word_count", "content_hash",
            "status", "profile", "fetched_at", "first_seen", "last_seen",
        ]
        assert corpus.db["links"].pks == ["src", "dst", "role"]
        assert corpus.db["aliases"].pks == ["url"]
        indexed = {tuple(i.columns) for t in ("articles", "aliases", "links")
                   for i in corpus.db[t].indexes}
        assert {("url",), ("content_hash",), ("article_url",), ("dst",)} <= indexed


def test_schema_enforces_url_and_role(corpus: Corpus) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        corpus.db.execute("INSERT INTO links (src, dst, role) VALUES ('a', 'b', 'sidebar')")
    corpus.db.execute("INSERT INTO articles (url) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        corpus.db.execute("INSERT INTO articles (url) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        corpus.db.execute("INSERT INTO articles (title) VALUES ('no url')")


def test_reopening_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        corpus.save([article("a")])
    for _ in range(2):
        with Corpus(path) as corpus:
            assert corpus.schema_version() == SCHEMA_VERSION
            assert corpus.counts()["articles"] == 1


def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE articles (url TEXT, hologram BLOB)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError) as error:
        Corpus(path)
    assert str(error.value) == (f"{path}: schema version {SCHEMA_VERSION + 1} is newer than "
                                f"this crawler ({SCHEMA_VERSION})")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["future.db"]


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"These are my notes, not a database.\n" * 200)
    before = path.read_bytes()
    with pytest.raises(StorageError) as error:
        Corpus(path)
    assert str(error.value) == f"{path} is not a SQLite database"
    assert "\n" not in str(error.value)
    assert path.read_bytes() == before


def test_a_folder_in_the_way_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(StorageError, match="cannot create its folder"):
        Corpus(tmp_path / "blocker" / "corpus.db")
    with pytest.raises(StorageError, match="open failed"):
        Corpus(tmp_path)


def test_failing_migration_leaves_the_previous_version(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        corpus.save([article("a")])

    def broken(db) -> None:
        db.execute("CREATE TABLE revisions (id INTEGER PRIMARY KEY)")
        db.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")

    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(StorageError, match="migrate failed: no such table"):
        Corpus(path)
    monkeypatch.undo()
    with Corpus(path) as corpus:
        assert corpus.schema_version() == 1
        assert "revisions" not in corpus.db.table_names()
        assert corpus.counts()["articles"] == 1


def test_pending_migrations_are_applied_in_order(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "corpus.db"
    Corpus(path).close()

    def add_revisions(db) -> None:
        db.execute("CREATE TABLE revisions (id INTEGER PRIMARY KEY, url TEXT)")

    def add_note(db) -> None:
        db.execute("ALTER TABLE revisions ADD COLUMN note TEXT")

    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, add_revisions, add_note])
    with Corpus(path) as corpus:
        assert corpus.schema_version() == 3
        assert list(corpus.db["revisions"].columns_dict) == ["id", "url", "note"]
    with Corpus(path) as corpus:  # nothing left to apply
        assert corpus.schema_version() == 3


# -- saving articles -----------------------------------------------------------


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


@pytest.mark.parametrize("change", [
    {"tags": ["حزب", "انتخابات"]},
    {"author": "كاتب آخر"},
    {"published": "2017-09-12T11:05:00+03:00"},
    {"body": "نص آخر تماما " + "كلمة " * 30},
])
def test_metadata_changes_are_updates(corpus: Corpus, change: dict[str, Any]) -> None:
    corpus.save([article("a")])
    assert corpus.save([article("a", **change)]) == SaveCounts(updated=1)


# -- aliases -------------------------------------------------------------------


def test_aliases_are_recorded_with_reasons(corpus: Corpus) -> None:
    corpus.save([article("b")])
    shortlink = f"{SITE}/?p=123"
    item = article("a", aliases=[shortlink, f"{SITE}/old-slug/", url("a"), url("b"),
                                 {"url": f"{SITE}/amp/", "reason": "canonical"}])
    assert corpus.save([item]).aliases == 3
    assert aliases(corpus) == {
        (shortlink, url("a"), "shortlink"),
        (f"{SITE}/old-slug/", url("a"), "redirect"),
        (f"{SITE}/amp/", url("a"), "canonical"),
    }


def test_an_alias_that_becomes_an_article_is_no_alias(corpus: Corpus) -> None:
    corpus.save([article("a", aliases=[url("b")])])
    assert aliases(corpus) == {(url("b"), url("a"), "redirect")}
    corpus.save([article("b")])
    assert aliases(corpus) == set()


def test_saving_aliases_twice_counts_once(corpus: Corpus) -> None:
    item = article("a", aliases=[f"{SITE}/?p=1"])
    assert corpus.save([item]).aliases == 1
    assert corpus.save([item]).aliases == 0
    assert corpus.counts()["aliases"] == 1


# -- links ---------------------------------------------------------------------


def test_links_are_replaced_deduplicated_and_never_self(corpus: Corpus) -> None:
    corpus.save([article("a", links=[link("b"), link("c", "read_also", "label")])])
    item = article("a", links=[link("c", "read_also", "label"), link("d", "prev"),
                               link("d", "prev", "class"), link("a", "next")])
    assert corpus.save([item]).links == 1
    assert links(corpus) == {(url("a"), url("c"), "read_also"), (url("a"), url("d"), "prev")}
    assert rows(corpus, "SELECT rule FROM links WHERE role = 'prev'") == [("rel",)]


def test_an_unknown_link_role_is_refused(corpus: Corpus) -> None:
    with pytest.raises(StorageError, match="CHECK constraint failed"):
        corpus.save([article("a", links=[link("b", "sidebar")])])


# -- duplicates ------------------------------------------------------------------


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


# -- links to aliases ------------------------------------------------------------


def test_resolve_links_points_at_articles(corpus: Corpus) -> None:
    short = f"{SITE}/?p=2"
    corpus.save([
        article("b", aliases=[short]),
        # a links to b twice for the same role: once by alias, once directly.
        article("a", links=[{"dst": short, "role": "next", "rule": "rel"}, link("b"),
                            {"dst": short, "role": "read_also", "rule": "label"}]),
        article("c", links=[link("a", "prev")]),
    ])
    # b links to itself through its own alias: dropped.
    corpus.db.execute("INSERT INTO links VALUES (?, ?, 'prev', 'rel')", [url("b"), short])
    assert corpus.resolve_links() == 1
    assert links(corpus) == {
        (url("a"), url("b"), "next"),
        (url("a"), url("b"), "read_also"),
        (url("c"), url("a"), "prev"),
    }
    assert corpus.resolve_links() == 0


# -- transactions ------------------------------------------------------------------


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


def test_two_connections_share_the_file(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as first, Corpus(path) as second:
        first.save([article("a")])
        second.save([article("b")])
        assert first.counts()["articles"] == second.counts()["articles"] == 2


def test_content_keys(corpus: Corpus) -> None:
    a, b = article("a"), article("b", published=None)
    corpus.save([a, b])
    assert sorted(corpus.content_keys()) == sorted([
        (a["content_hash"], a["url"], a["published"]),
        (b["content_hash"], b["url"], None),
    ])
