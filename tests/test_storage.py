"""The corpus database: migrations, batched saves, aliases, duplicates, links, and the
run memory of schema 2: runs, fetches with compressed bodies, revisions, frontier views."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from crawler import bodies, storage
from crawler.bodies import BODY_ENCODING, compress_body, decompress_body, pack_body
from crawler.errors import StorageError
from crawler.storage import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Corpus, SaveCounts
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


def test_fresh_file_gets_the_whole_schema(tmp_path: Path) -> None:
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
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # a newer crawler's corpus
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
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
        db.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")

    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(StorageError, match="migrate failed: no such table"):
        Corpus(path)
    monkeypatch.undo()
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION
        assert "notes" not in corpus.db.table_names()
        assert corpus.counts()["articles"] == 1


def test_pending_migrations_are_applied_in_order(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "corpus.db"
    Corpus(path).close()

    def add_notes(db) -> None:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, url TEXT)")

    def add_note(db) -> None:
        db.execute("ALTER TABLE notes ADD COLUMN note TEXT")

    monkeypatch.setattr(storage, "MIGRATIONS", [*MIGRATIONS, add_notes, add_note])
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION + 2
        assert list(corpus.db["notes"].columns_dict) == ["id", "url", "note"]
    with Corpus(path) as corpus:  # nothing left to apply
        assert corpus.schema_version() == SCHEMA_VERSION + 2


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


def test_copies_of_a_hash_and_count_of_hashes(corpus: Corpus) -> None:
    a, b = article("a"), article("b", published=None)
    corpus.save([a, b])
    assert corpus.copies_of(a["content_hash"]) == [(a["url"], a["published"])]
    assert corpus.copies_of(b["content_hash"]) == [(b["url"], None)]
    assert corpus.copies_of("0" * 64) == []
    assert corpus.count_hashes() == 2


# -- schema 2 and the migration from 1 ---------------------------------------------------


def test_fresh_file_gets_the_v2_tables_and_views(corpus: Corpus) -> None:
    assert SCHEMA_VERSION == 3
    db = corpus.db
    assert {"runs", "bodies", "fetches", "revisions"} <= set(db.table_names())
    assert set(db.view_names()) == {"pending", "chain_ends"}
    assert list(db["runs"].columns_dict) == [
        "id", "started_at", "finished_at", "profile", "start_urls", "pid", "host", "fetched",
        "new", "updated", "unchanged", "duplicates", "failed", "not_modified", "coverage",
        "date_failures", "finish_reason", "exit_status",
    ]
    assert list(db["bodies"].columns_dict) == ["digest", "encoding", "size", "data"]
    assert db["bodies"].pks == ["digest"]
    assert list(db["fetches"].columns_dict) == [
        "id", "run_id", "requested_url", "final_url", "status", "etag", "last_modified",
        "content_type", "digest", "link_role", "link_src", "fetched_at", "error",
    ]
    assert [(fk.column, fk.other_table) for fk in db["fetches"].foreign_keys] == [
        ("digest", "bodies")]
    assert list(db["revisions"].columns_dict) == [
        "id", "article_url", "title", "author", "published", "modified", "categories", "tags",
        "body", "content_hash", "first_seen", "replaced_at", "run_id",
    ]
    indexed = {(t, tuple(i.columns)) for t in ("fetches", "revisions") for i in db[t].indexes}
    assert {("fetches", ("final_url",)), ("fetches", ("requested_url",)),
            ("revisions", ("article_url",))} <= indexed


def v1_file(path: Path) -> None:
    """A corpus written by the first version: migration 1 only, rows in every table."""
    db = sqlite_utils.Database(path)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO articles (url, title, body, content_hash, categories, tags,"
               " first_seen, last_seen) VALUES (?, 'عنوان', 'نص', 'h1', '[\"لبنان\"]', '[]',"
               " '2020-01-01T00:00:00+00:00', '2020-01-02T00:00:00+00:00')", [url("a")])
    db.execute("INSERT INTO aliases VALUES (?, ?, 'shortlink', '2020-01-01T00:00:00+00:00')",
               [f"{SITE}/?p=1", url("a")])
    db.execute("INSERT INTO links VALUES (?, ?, 'prev', 'rel')", [url("a"), url("older")])
    db.conn.commit()
    db.close()


def test_a_v1_file_migrates_in_place_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    v1_file(path)
    before = {t: sqlite_utils.Database(path).execute(f"SELECT * FROM {t}").fetchall()
              for t in ("articles", "aliases", "links")}
    with Corpus(path) as corpus:
        assert corpus.schema_version() == SCHEMA_VERSION
        for table, old_rows in before.items():
            assert corpus.db.execute(f"SELECT * FROM {table}").fetchall() == old_rows, table
        assert corpus.pending_urls() == [url("older")]
        assert corpus.chain_ends() == [(url("a"), "next")]
        assert corpus.is_known(f"{SITE}/?p=1")
        # The migrated file takes the new writes: a revision of the v1 row, with its dates.
        counts = corpus.save([article("a", title="عنوان جديد", content_hash="h2",
                                      fetch=fetch("a"))], run_id=None)
        assert (counts.updated, counts.revisions, counts.fetches) == (1, 1, 1)
        assert rows(corpus, "SELECT title, content_hash, first_seen FROM revisions") == [
            ("عنوان", "h1", "2020-01-01T00:00:00+00:00")]


# -- fetches and bodies ----------------------------------------------------------------


PAGE = ("<html><body>" + "<p>نص المقال الطويل</p>" * 400 + "</body></html>").encode()


def fetch(slug: str, **fields: Any) -> dict[str, Any]:
    """A fetch record as the spider makes it."""
    record = {
        "requested_url": url(slug), "final_url": url(slug), "status": 200,
        "etag": f'"{slug}-1"', "last_modified": "Tue, 12 Sep 2017 07:05:00 GMT",
        "content_type": "text/html; charset=UTF-8", "body": PAGE, "link_role": "next",
        "link_src": url("src"), "fetched_at": "2024-05-01T10:00:00+00:00",
    }
    record.update(fields)
    return record


def fetch_rows(corpus: Corpus) -> list[dict[str, Any]]:
    return list(corpus.db.query("SELECT * FROM fetches ORDER BY id"))


def test_an_articles_fetch_is_stored_with_its_compressed_body(corpus: Corpus) -> None:
    counts = corpus.save([article("a", fetch=fetch("a"))], run_id=7)
    assert counts == SaveCounts(inserted=1, fetches=1)
    (row,) = fetch_rows(corpus)
    digest = hashlib.sha256(PAGE).hexdigest()
    assert row == {
        "id": 1, "run_id": 7, "requested_url": url("a"), "final_url": url("a"), "status": 200,
        "etag": '"a-1"', "last_modified": "Tue, 12 Sep 2017 07:05:00 GMT",
        "content_type": "text/html; charset=UTF-8", "digest": digest, "link_role": "next",
        "link_src": url("src"), "fetched_at": "2024-05-01T10:00:00+00:00", "error": None,
    }
    encoding, size, stored = rows(corpus, "SELECT encoding, size, length(data) FROM bodies")[0]
    assert (encoding, size) == (BODY_ENCODING, len(PAGE)) == ("zstd", len(PAGE))
    assert stored < size / 10
    assert corpus.raw_body(digest) == PAGE


def test_identical_bodies_are_stored_once(corpus: Corpus) -> None:
    corpus.save([article("a", fetch=fetch("a")), {**fetch("home"), "link_role": "start"}])
    counts = corpus.save([article("a", fetch=fetch("a"))])
    assert counts == SaveCounts(unchanged=1, fetches=1)
    assert rows(corpus, "SELECT count(*) FROM fetches") == [(3,)]
    assert rows(corpus, "SELECT count(*) FROM bodies") == [(1,)]
    assert len({row["digest"] for row in fetch_rows(corpus)}) == 1


def test_fetch_items_without_a_page_keep_no_body(corpus: Corpus) -> None:
    counts = corpus.save([
        fetch("listing", body=b"<html>listing</html>", link_role="listing"),
        fetch("known", status=304, body=None, etag=None),
        fetch("gone", status=404, body=b"<html>Not found</html>", error="HttpError 404"),
        {"requested_url": url("slow"), "final_url": url("slow"), "status": None,
         "error": "TimeoutError"},
    ], run_id=3)
    assert counts == SaveCounts(fetches=4)
    got = [(r["requested_url"], r["status"], r["digest"] is not None, r["error"], r["run_id"])
           for r in fetch_rows(corpus)]
    assert got == [(url("listing"), 200, True, None, 3), (url("known"), 304, False, None, 3),
                   (url("gone"), 404, False, "HttpError 404", 3),
                   (url("slow"), None, False, "TimeoutError", 3)]
    assert rows(corpus, "SELECT size FROM bodies") == [(len(b"<html>listing</html>"),)]
    # Without a time of its own, a fetch gets the batch's.
    assert fetch_rows(corpus)[3]["fetched_at"] > "2024"
    assert corpus.counts() == {"articles": 0, "aliases": 0, "links": 0}


def test_fetch_items_need_a_requested_url(corpus: Corpus) -> None:
    with pytest.raises(StorageError, match="fetch without a requested_url"):
        corpus.save([article("a"), {"requested_url": None, "final_url": url("x")}])
    with pytest.raises(StorageError, match="fetch without a requested_url"):
        corpus.save([article("a", fetch={"final_url": url("a"), "status": 200})])
    assert corpus.counts()["articles"] == 0


def test_a_duplicate_still_records_its_fetch(corpus: Corpus) -> None:
    corpus.save([article("a")])
    counts = corpus.save([article("copy", duplicate_of=url("a"), fetch=fetch("copy"))])
    assert counts == SaveCounts(duplicates=1, aliases=1, fetches=1)
    assert [r["requested_url"] for r in fetch_rows(corpus)] == [url("copy")]


def test_bodies_round_trip_in_both_encodings(corpus: Corpus) -> None:
    encoding, data = compress_body(PAGE)
    assert (encoding, decompress_body(encoding, data)) == (BODY_ENCODING, PAGE)
    assert compress_body(PAGE) == (encoding, data)  # the same page, the same bytes
    # A gzip body (written where no zstd module was installed) reads back too.
    corpus.db.execute("INSERT INTO bodies VALUES ('g', 'gzip', ?, ?)",
                      [len(PAGE), gzip.compress(PAGE)])
    assert corpus.raw_body("g") == PAGE
    with pytest.raises(StorageError, match="no body with digest nope"):
        corpus.raw_body("nope")
    with pytest.raises(StorageError, match="cannot read a brotli body"):
        decompress_body("brotli", b"")
    with pytest.raises(sqlite3.IntegrityError):
        corpus.db.execute("INSERT INTO bodies VALUES ('b', 'brotli', 1, x'00')")


def test_a_body_packed_by_a_worker_is_stored_as_packed(corpus: Corpus) -> None:
    packed = pack_body(PAGE)
    corpus.save([fetch("a", packed_body=packed), fetch("b", packed_body=pack_body(PAGE))])
    assert rows(corpus, "SELECT digest, encoding, size, data FROM bodies") == [
        (hashlib.sha256(PAGE).hexdigest(), packed.encoding, len(PAGE), packed.data)]
    assert [r["digest"] for r in fetch_rows(corpus)] == [packed.digest] * 2
    assert corpus.raw_body(packed.digest) == PAGE
    # A failed fetch keeps no body, packed or not.
    corpus.save([fetch("c", body=b"<html>503</html>", error="HttpError",
                       packed_body=pack_body(b"<html>503</html>"))])
    assert rows(corpus, "SELECT count(*) FROM bodies") == [(1,)]


def test_a_body_packed_from_other_bytes_is_packed_again(corpus: Corpus) -> None:
    other = pack_body(b"<html>another page</html>")
    corpus.save([fetch("a", packed_body=other)])
    [row] = fetch_rows(corpus)
    assert row["digest"] == hashlib.sha256(PAGE).hexdigest()
    assert corpus.raw_body(row["digest"]) == PAGE


def test_a_gzip_only_install_writes_gzip(corpus: Corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bodies, "_ZSTD", None)
    corpus.save([fetch("a", body=b"<html>gzip</html>")])
    digest = hashlib.sha256(b"<html>gzip</html>").hexdigest()
    assert rows(corpus, "SELECT encoding FROM bodies") == [("gzip",)]
    assert corpus.raw_body(digest) == b"<html>gzip</html>"


# -- revisions -------------------------------------------------------------------------


def revisions(corpus: Corpus) -> list[dict[str, Any]]:
    return list(corpus.db.query("SELECT * FROM revisions ORDER BY id"))


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


# -- the crawl's memory: known URLs, frontier, chain ends, validators ------------------------


def test_is_known_by_article_or_alias(corpus: Corpus) -> None:
    corpus.save([article("a", aliases=[f"{SITE}/?p=1"], links=[link("b")])])
    assert corpus.is_known(url("a")) and corpus.is_known(f"{SITE}/?p=1")
    assert not corpus.is_known(url("b"))
    assert not corpus.is_known(url("a").rstrip("/"))


def test_pending_is_what_stored_articles_link_to_and_is_not_stored(corpus: Corpus) -> None:
    corpus.save([
        article("a", links=[link("b"), link("c", "read_also", "label"), link("z", "prev")]),
        article("b", links=[link("a", "prev"), link("c"), {"dst": f"{SITE}/?p=9",
                                                            "role": "next", "rule": "rel"}]),
        article("x", aliases=[f"{SITE}/?p=9"]),
    ])
    assert corpus.pending_urls() == [url("c"), url("z")]
    corpus.save([article("c", links=[link("b", "prev")])])
    assert corpus.pending_urls() == [url("z")]


def test_chain_ends_are_chain_articles_missing_a_next_or_a_prev_link(corpus: Corpus) -> None:
    corpus.save([
        article("old", links=[link("mid")]),
        article("mid", links=[link("old", "prev"), link("new")]),
        article("new", links=[link("mid", "prev"), link("x", "read_also", "label")]),
        article("lone"),
    ])
    # "lone" is on no chain (reached by read-also alone): not an end of one.
    assert corpus.chain_ends() == [(url("new"), "next"), (url("old"), "prev")]
    # The site publishes: the newest article gains a next link and is an end no more.
    corpus.save([article("new", links=[link("mid", "prev"), link("newer")])])
    assert (url("new"), "next") not in corpus.chain_ends()


def test_validators_come_from_the_newest_successful_fetch(corpus: Corpus) -> None:
    assert corpus.validators(url("a")) is None
    redirected = fetch("a", requested_url=f"{SITE}/?p=1", etag='"v1"')
    corpus.save([article("a", fetch=redirected)])
    assert corpus.validators(url("a")) == ('"v1"', "Tue, 12 Sep 2017 07:05:00 GMT")
    assert corpus.validators(f"{SITE}/?p=1") == ('"v1"', "Tue, 12 Sep 2017 07:05:00 GMT")
    corpus.save([fetch("a", etag='"v2"', last_modified=None)])
    corpus.save([fetch("a", status=304, etag='"v3"', body=None),
                 fetch("a", status=500, etag='"v4"', error="HttpError 500"),
                 fetch("a", status=200, etag='"v5"', error="IgnoreRequest")])
    assert corpus.validators(url("a")) == ('"v2"', None)
    corpus.save([fetch("a", etag=None, last_modified=None)])
    assert corpus.validators(url("a")) is None


def test_stored_links_in_page_order_also_through_an_alias(corpus: Corpus) -> None:
    corpus.save([article("a", aliases=[f"{SITE}/?p=1"],
                         links=[link("z", "prev"), link("b"), link("c", "read_also", "label")])])
    expected = [(url("z"), "prev"), (url("b"), "next"), (url("c"), "read_also")]
    assert corpus.stored_links(url("a")) == expected
    assert corpus.stored_links(f"{SITE}/?p=1") == expected
    assert corpus.stored_links(url("b")) == []


def test_lookups_use_indexes(corpus: Corpus) -> None:
    def plan(sql: str) -> str:
        return " | ".join(r[3] for r in corpus.db.execute("EXPLAIN QUERY PLAN " + sql,
                                                           {"url": "u"}))
    known = plan("SELECT EXISTS (SELECT 1 FROM articles WHERE url = :url)"
                 " OR EXISTS (SELECT 1 FROM aliases WHERE url = :url)")
    validators = plan("SELECT etag FROM fetches WHERE (final_url = :url OR requested_url = :url)"
                      " AND status = 200 AND error IS NULL ORDER BY id DESC LIMIT 1")
    for text in (known, validators):
        assert "SCAN" not in text.replace("SCAN CONSTANT ROW", ""), text
    assert "idx_fetches_final_url" in validators and "idx_fetches_requested_url" in validators


# -- batches with fetches are all or nothing -----------------------------------------------


def test_a_failing_batch_writes_no_fetch_or_body(corpus: Corpus) -> None:
    batch = [article("a", fetch=fetch("a")), fetch("home", body=b"<html>home</html>"),
             article("b", title="changed", fetch=fetch("b", body=b"<html>b</html>")),
             article("c", links=[link("a", "sidebar")], fetch=fetch("c"))]
    corpus.save([article("b")])
    with pytest.raises(StorageError, match="save of " + url("c")):
        corpus.save(batch, run_id=1)
    for table in ("fetches", "bodies", "revisions"):
        assert rows(corpus, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert corpus.counts()["articles"] == 1
    counts = corpus.save(batch[:3], run_id=1)
    assert (counts.fetches, counts.inserted, counts.updated) == (3, 1, 1)
    assert rows(corpus, "SELECT count(*) FROM bodies") == [(3,)]


# -- runs ------------------------------------------------------------------------------


def test_a_run_is_recorded_from_start_to_exit(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Corpus(path) as corpus:
        assert corpus.last_finished_run() is None
        first = corpus.start_run("janoubia", [SITE + "/"])
    with Corpus(path) as corpus:  # committed at once: another connection sees it
        (run,) = corpus.runs()
        assert run["id"] == first and run["finished_at"] is None
        assert run["profile"] == "janoubia" and run["start_urls"] == [SITE + "/"]
        assert run["pid"] > 0 and run["host"] and run["started_at"] > "2024"
        corpus.finish_run(first, fetched=12, new=3, updated=1, unchanged=8, duplicates=0,
                          failed=1, not_modified=4, date_failures=0, finish_reason="finished",
                          coverage={"title": 1.0, "author": 0.5})
        corpus.set_exit_status(first, 0)
        second = corpus.start_run("wordpress", [])
        runs = corpus.runs()
        assert [r["id"] for r in runs] == [second, first]
        done = corpus.last_finished_run()
    assert done is not None and done == runs[1]
    assert done["finished_at"] >= done["started_at"]
    assert done["coverage"] == {"author": 0.5, "title": 1.0}
    assert (done["new"], done["not_modified"], done["exit_status"]) == (3, 4, 0)
    with Corpus(path) as corpus:
        assert len(corpus.runs(limit=1)) == 1


def test_run_updates_are_checked(corpus: Corpus) -> None:
    run_id = corpus.start_run("wordpress", [])
    with pytest.raises(TypeError, match="unknown run fields: pid, profit"):
        corpus.finish_run(run_id, profit=1, pid=2)
    with pytest.raises(StorageError, match="no run 99"):
        corpus.set_exit_status(99, 1)
    corpus.finish_run(run_id, finished_at="2030-01-01T00:00:00+00:00", coverage=None)
    assert corpus.runs()[0]["finished_at"] == "2030-01-01T00:00:00+00:00"
    assert not corpus.db.conn.in_transaction


# -- summary ---------------------------------------------------------------------------


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


def test_a_redirect_fetch_records_its_alias_before_or_after_the_article(corpus: Corpus) -> None:
    short = f"{SITE}/?p=7"
    redirect = fetch("short", status=301, alias_of={"url": short, "article_url": url("a")})
    counts = corpus.save([redirect])  # the article is still on its way
    assert counts == SaveCounts(aliases=1, fetches=1)
    corpus.save([article("a")])
    assert aliases(corpus) == {(short, url("a"), "redirect")}


def test_a_redirect_to_a_folded_in_duplicate_points_at_its_article(corpus: Corpus) -> None:
    corpus.save([article("a"), article("copy", text=article("a")["body"], duplicate_of=url("a"))])
    corpus.save([fetch("short", status=301,
                       alias_of={"url": f"{SITE}/?p=8", "article_url": url("copy")})])
    assert (f"{SITE}/?p=8", url("a"), "redirect") in aliases(corpus)


def test_a_redirect_names_no_stored_article_as_an_alias(corpus: Corpus) -> None:
    corpus.save([article("a"), article("b")])
    moved = {"url": url("b"), "article_url": url("a")}
    counts = corpus.save([fetch("b", status=301, alias_of=moved)])
    assert counts.aliases == 0 and aliases(corpus) == set()
