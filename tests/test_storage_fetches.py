"""Fetches and their bodies: one row per fetch, bodies compressed once per digest,
none for a failure, and nothing of a batch that fails."""

from __future__ import annotations

import gzip
import hashlib
import sqlite3

import pytest

from crawler import bodies
from crawler.bodies import BODY_ENCODING, compress_body, decompress_body, pack_body
from crawler.errors import StorageError
from crawler.storage import Corpus, SaveCounts
from tests.storage_items import PAGE, article, fetch, fetch_rows, link, rows, url


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


def test_a_batch_of_many_bodies_stores_each_once(corpus: Corpus) -> None:
    # More bodies than one lookup of stored digests takes, one of them twice.
    pages = [f"<html>page {n}</html>".encode() for n in range(1200)]
    batch = [fetch(f"p{n}", body=page) for n, page in enumerate(pages)] + [
        fetch("again", body=pages[7])]
    assert corpus.save(batch) == SaveCounts(fetches=1201)
    assert rows(corpus, "SELECT count(*) FROM bodies") == [(1200,)]
    assert corpus.save(batch) == SaveCounts(fetches=1201)
    assert rows(corpus, "SELECT count(*), count(DISTINCT digest) FROM fetches") == [(2402, 1200)]
    assert rows(corpus, "SELECT count(*) FROM bodies") == [(1200,)]
    assert [r["requested_url"] for r in fetch_rows(corpus)][:2] == [url("p0"), url("p1")]


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
