"""The corpus database: one SQLite file, its schema applied by migrations.

``Corpus`` is the only code that writes the file.  Every batch of items is
written in one ``BEGIN IMMEDIATE`` transaction, so a crawl killed half-way
leaves the file as it was after the last complete batch.

Schema version 1:

- ``articles``: one row per article, keyed by its canonical ``url``;
  ``categories`` and ``tags`` are JSON arrays; ``first_seen``/``last_seen`` are
  UTC ISO 8601 times of the first and latest save.
- ``aliases``: other URLs of an article (``reason``: ``redirect``,
  ``shortlink``, ``canonical``, ``duplicate``...) -> ``article_url``.
- ``links``: ``src`` article -> ``dst`` URL by ``role`` (``prev``, ``next``,
  ``read_also``) and the ``rule`` that found it.

Version 2 adds what scheduled runs need:

- ``runs``: one row per run: when, profile, start URLs (JSON), pid and host,
  counts, field ``coverage`` (JSON), finish reason and exit status.
- ``bodies``: raw response bodies by SHA-256 ``digest``, compressed (``encoding``
  ``zstd`` or ``gzip``), each stored once; ``size`` is the raw length.
- ``fetches``: one provenance row per HTTP fetch (run, requested and final URL,
  status, validators, body digest, the link that led there, error).
- ``revisions``: the earlier versions of articles whose extracted text or
  publication date changed.
- views ``pending`` (linked URLs that are neither article nor alias: the crawl's
  unfinished frontier) and ``chain_ends`` (articles without a ``next`` or
  without a ``prev`` link, with the ``missing`` role).

Version 3 adds ``meta``: ``key`` -> ``value`` facts about the corpus itself, such
as ``made_by`` (``crawler demo`` for a demo corpus, which the next demo may replace).

A corpus carries ``PRAGMA application_id`` ``APPLICATION_ID``, set by every
migration; one made before version 3 is known by its tables.  Every other file is
refused before anything is written to it, and a read-only corpus
(``Corpus(path, readonly=True)``) never writes at all.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.bodies import PackedBody, body_digest, compress_body, decompress_body
from crawler.errors import StorageError
from crawler.shortlinks import shortlink_query
from crawler.sqlitefile import Contents, inspect, open_readonly

_SCHEMA_V1 = (
    """CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT,
        author TEXT,
        published TEXT,
        published_raw TEXT,
        modified TEXT,
        categories TEXT,
        tags TEXT,
        body TEXT,
        language TEXT,
        word_count INTEGER,
        content_hash TEXT,
        status INTEGER,
        profile TEXT,
        fetched_at TEXT,
        first_seen TEXT,
        last_seen TEXT
    )""",
    "CREATE INDEX idx_articles_content_hash ON articles (content_hash)",
    """CREATE TABLE aliases (
        url TEXT PRIMARY KEY,
        article_url TEXT NOT NULL,
        reason TEXT,
        first_seen TEXT
    )""",
    "CREATE INDEX idx_aliases_article_url ON aliases (article_url)",
    """CREATE TABLE links (
        src TEXT NOT NULL,
        dst TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('prev', 'next', 'read_also')),
        rule TEXT,
        PRIMARY KEY (src, dst, role)
    )""",
    "CREATE INDEX idx_links_dst ON links (dst)",
)


def _create_v1(db: sqlite_utils.Database) -> None:
    """Version 1: articles, aliases and links."""
    for statement in _SCHEMA_V1:
        db.execute(statement)


_SCHEMA_V2 = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        profile TEXT,
        start_urls TEXT,
        pid INTEGER,
        host TEXT,
        fetched INTEGER,
        new INTEGER,
        updated INTEGER,
        unchanged INTEGER,
        duplicates INTEGER,
        failed INTEGER,
        not_modified INTEGER,
        coverage TEXT,
        date_failures INTEGER,
        finish_reason TEXT,
        exit_status INTEGER
    )""",
    """CREATE TABLE bodies (
        digest TEXT PRIMARY KEY,
        encoding TEXT NOT NULL CHECK (encoding IN ('zstd', 'gzip')),
        size INTEGER NOT NULL,
        data BLOB NOT NULL
    )""",
    """CREATE TABLE fetches (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        requested_url TEXT NOT NULL,
        final_url TEXT,
        status INTEGER,
        etag TEXT,
        last_modified TEXT,
        content_type TEXT,
        digest TEXT REFERENCES bodies (digest),
        link_role TEXT,
        link_src TEXT,
        fetched_at TEXT NOT NULL,
        error TEXT
    )""",
    "CREATE INDEX idx_fetches_final_url ON fetches (final_url)",
    "CREATE INDEX idx_fetches_requested_url ON fetches (requested_url)",
    "CREATE INDEX idx_fetches_run_id ON fetches (run_id)",
    """CREATE TABLE revisions (
        id INTEGER PRIMARY KEY,
        article_url TEXT NOT NULL,
        title TEXT,
        author TEXT,
        published TEXT,
        modified TEXT,
        categories TEXT,
        tags TEXT,
        body TEXT,
        content_hash TEXT,
        first_seen TEXT,
        replaced_at TEXT NOT NULL,
        run_id INTEGER
    )""",
    "CREATE INDEX idx_revisions_article_url ON revisions (article_url)",
    """CREATE VIEW pending AS
        SELECT DISTINCT dst AS url FROM links
        WHERE NOT EXISTS (SELECT 1 FROM articles WHERE articles.url = links.dst)
          AND NOT EXISTS (SELECT 1 FROM aliases WHERE aliases.url = links.dst)""",
    # Only articles on a chain (with a prev or a next link) can be its end: an article
    # reached by read-also alone has neither and would be fetched again every run.
    """CREATE VIEW chain_ends AS
        SELECT url, 'next' AS missing FROM articles
        WHERE EXISTS (SELECT 1 FROM links WHERE links.src = articles.url AND links.role = 'prev')
          AND NOT EXISTS
            (SELECT 1 FROM links WHERE links.src = articles.url AND links.role = 'next')
        UNION ALL
        SELECT url, 'prev' AS missing FROM articles
        WHERE EXISTS (SELECT 1 FROM links WHERE links.src = articles.url AND links.role = 'next')
          AND NOT EXISTS
            (SELECT 1 FROM links WHERE links.src = articles.url AND links.role = 'prev')""",
)


def _create_v2(db: sqlite_utils.Database) -> None:
    """Version 2: runs, bodies, fetches, revisions; views pending and chain_ends."""
    for statement in _SCHEMA_V2:
        db.execute(statement)


def _create_v3(db: sqlite_utils.Database) -> None:
    """Version 3: meta, facts about the corpus itself."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


#: Schema changes in order; the database's ``PRAGMA user_version`` counts those applied.
#: Append new functions, never edit or reorder applied ones.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_create_v1, _create_v2, _create_v3]
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("articles", "aliases", "links")
#: The ``PRAGMA application_id`` of a corpus: "ArNC" (Arabic news crawler) in ASCII.
APPLICATION_ID = int.from_bytes(b"ArNC", "big")
# Versions written before corpora carried APPLICATION_ID: such a file is a corpus by its TABLES.
_UNMARKED_VERSIONS = (1, 2)
# A read-only corpus is read as it is from version 2 (runs, fetches); ``meta`` reads as
# empty before version 3.
_OLDEST_READABLE = 2
_META_VERSION = 3

# Article fields written as they come, then the JSON-array ones.
_PLAIN = ("title", "author", "published", "published_raw", "modified", "body", "language",
          "word_count", "content_hash", "status", "profile", "fetched_at")
_JSON = ("categories", "tags")
_COLUMNS = ("url", *_PLAIN, *_JSON)
# Fields of a fetch rather than of the article: they change without the article changing.
_FETCH_ONLY = {"url", "status", "fetched_at"}
_COMPARED = tuple(c for c in _COLUMNS if c not in _FETCH_ONLY)
# A change in these is a new version of the article; the old one goes to ``revisions``.
_REVISED = ("content_hash", "published")
_REVISION_COLUMNS = ("title", "author", "published", "modified", "categories", "tags", "body",
                     "content_hash")
_FETCH_COLUMNS = ("requested_url", "final_url", "status", "etag", "last_modified",
                  "content_type", "link_role", "link_src", "fetched_at", "error")
# What ``finish_run`` may set; the rest of a runs row is written by ``start_run``.
_RUN_RESULTS = ("finished_at", "fetched", "new", "updated", "unchanged", "duplicates", "failed",
                "not_modified", "coverage", "date_failures", "finish_reason", "exit_status")
_COVERED = ("title", "author", "published", "body")


@dataclass
class SaveCounts:
    """What one ``Corpus.save`` call did: articles inserted, updated or seen unchanged,
    alias rows added or re-pointed, links added, duplicates recorded as aliases,
    earlier versions kept as revisions, fetch rows written."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0
    links: int = 0
    duplicates: int = 0
    revisions: int = 0
    fetches: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return asdict(self)


@dataclass
class _Batch:
    """What the items of one save share: its time, its run and its counts."""

    now: str
    run_id: int | None
    counts: SaveCounts = field(default_factory=SaveCounts)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def is_fetch(item: Mapping[str, Any]) -> bool:
    """True for a Fetch item: it has a ``requested_url`` and no ``url``."""
    return "url" not in item and "requested_url" in item


def _alias_entries(aliases: Iterable[Any] | None) -> Iterator[tuple[str, str]]:
    """``(url, reason)`` pairs from plain URLs or ``{"url", "reason"}`` dicts."""
    for alias in aliases or ():
        if isinstance(alias, Mapping):
            url, reason = alias.get("url"), alias.get("reason")
        else:
            url, reason = alias, None
        if url:
            query = url.partition("?")[2].partition("#")[0]
            yield url, reason or ("shortlink" if shortlink_query(query) else "redirect")


def _article_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """The ``articles`` columns of *item*, lists as JSON text."""
    if not item.get("url"):
        raise StorageError("cannot save an item without a url")
    row = {name: item.get(name) for name in ("url", *_PLAIN)}
    for name in _JSON:
        row[name] = json.dumps(list(item.get(name) or ()), ensure_ascii=False)
    return row


def _fetch_row(fetch: Mapping[str, Any], batch: _Batch) -> dict[str, Any]:
    """The ``fetches`` columns of a Fetch item or an Article's ``fetch``, but the digest."""
    if not fetch.get("requested_url"):
        raise StorageError("cannot save a fetch without a requested_url")
    row = {name: fetch.get(name) for name in _FETCH_COLUMNS}
    row["fetched_at"] = row["fetched_at"] or batch.now
    row["run_id"] = batch.run_id
    return row


def _kept_body(fetch: Mapping[str, Any]) -> bytes | None:
    """The body worth keeping: none for a failure or a 304 (an error page is not the page)."""
    body = fetch.get("body")
    if not body or fetch.get("error") or fetch.get("status") == 304:
        return None
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _item_name(item: Mapping[str, Any]) -> Any:
    return item.get("url") if not is_fetch(item) else f"fetch of {item.get('requested_url')}"


def _run_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    """A runs row with its JSON columns decoded."""
    run = dict(row)
    for name in ("start_urls", "coverage"):
        if run.get(name) is not None:
            run[name] = json.loads(run[name])
    return run


def _share(count: int | None, total: int) -> float:
    return round((count or 0) / total, 4) if total else 0.0


class Corpus:
    """The corpus SQLite file: open (creating and migrating it), save, read, close.

    *timeout* is how many seconds a write waits for another writer's lock.  With
    *readonly*, an existing corpus is opened read-only: never created, migrated or
    changed.  Raises StorageError when the file cannot be opened, is not a SQLite
    database, is not a corpus (another application's database; or, read-only, an
    empty file), or has a schema newer than this code.  Usable as a context manager.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0,
                 readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            self._check_readable()
            with self._errors("open"):
                self.db = sqlite_utils.Database(open_readonly(self.path))
        else:
            self._check_writable()
            with self._errors("open"):
                self.db = sqlite_utils.Database(self.path)
        try:
            self._prepare(timeout)
        except BaseException:
            self.db.close()
            raise

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- opening -----------------------------------------------------------

    def _check_writable(self) -> None:
        """Refuse a file that is neither a corpus nor empty (no schema at all: a crawl may
        make a corpus of it) before anything writes to it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"{self.path}: cannot create its folder: {e.strerror}") from e
        if self.path.exists():
            self._check_identity(self._contents())

    def _check_readable(self) -> None:
        """Refuse anything but a corpus this code can read as it is."""
        if not self.path.exists():
            raise StorageError(f"no corpus at {self.path}")
        contents = self._contents()
        if contents.empty:
            raise StorageError(f"{self.path} holds no corpus")
        self._check_identity(contents)
        if contents.user_version < _OLDEST_READABLE:
            raise StorageError(f"{self.path}: schema version {contents.user_version} is too "
                               "old to read; a crawl into it migrates it (`crawler crawl`)")

    @classmethod
    def check_file(cls, path: str | Path) -> None:
        """Raise StorageError unless the file at *path* is missing, empty or a corpus this
        code can open; only its header and schema are read, nothing is written."""
        probe = cls.__new__(cls)  # the checks below need the path alone
        probe.path = Path(path)
        if probe.path.exists():
            probe._check_identity(probe._contents())

    def _contents(self) -> Contents:
        with self._errors("open"):
            try:
                return inspect(self.path)
            except OSError as e:  # a folder, a file this user cannot read
                raise StorageError(f"{self.path}: open failed: {e.strerror}") from e

    def _check_identity(self, contents: Contents) -> None:
        """Raise StorageError unless *contents* are a corpus of a version this code knows,
        or nothing at all."""
        ours = contents.application_id == APPLICATION_ID or (
            contents.application_id == 0 and contents.user_version in _UNMARKED_VERSIONS
            and set(TABLES) <= set(contents.tables))
        if not ours and not contents.empty:
            raise StorageError(f"{self.path} is not a corpus of this crawler "
                               f"({contents.describe()})")
        if contents.user_version > len(MIGRATIONS):
            raise StorageError(f"{self.path}: schema version {contents.user_version} is "
                               f"newer than this crawler ({len(MIGRATIONS)})")

    def _prepare(self, timeout: float) -> None:
        with self._errors("open"):
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if self.readonly:
                return
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def schema_version(self) -> int:
        """The schema version of the file (``PRAGMA user_version``)."""
        with self._errors("read schema version"):
            return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        # The version is read again inside each transaction: another process may
        # have migrated the file while this one waited for the write lock.
        while True:
            with self._transaction("migrate"):
                version = self.schema_version()
                if version >= len(MIGRATIONS):
                    return
                MIGRATIONS[version](self.db)
                self.db.execute(f"PRAGMA user_version = {version + 1}")
                self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    # -- errors and transactions -------------------------------------------

    @contextmanager
    def _errors(self, operation: str) -> Iterator[None]:
        """Turn sqlite3 errors into one-line StorageErrors naming the file and operation."""
        try:
            yield
        except sqlite3.Error as e:
            if getattr(e, "sqlite_errorname", "") == "SQLITE_NOTADB":
                raise StorageError(f"{self.path} is not a SQLite database") from e
            raise StorageError(f"{self.path}: {operation} failed: {e}") from e

    @contextmanager
    def _transaction(self, operation: str) -> Iterator[None]:
        """One write transaction: committed at the end, rolled back on any error."""
        with self._errors(operation):
            # IMMEDIATE takes the write lock up front, so a concurrent writer
            # waits (busy_timeout) instead of failing half-way through a batch.
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.db.conn.execute("COMMIT")
            except BaseException:
                self.db.rollback()
                raise

    # -- reading -------------------------------------------------------------

    def copies_of(self, digest: str) -> list[tuple[str, str | None]]:
        """``(url, published)`` of the stored articles whose content hash is *digest*."""
        with self._errors("read content keys"):
            return [(url, published) for url, published in self.db.execute(
                "SELECT url, published FROM articles WHERE content_hash = ?", [digest])]

    def count_hashes(self) -> int:
        """Number of distinct content hashes stored."""
        with self._errors("count content hashes"):
            return self.db.execute("SELECT count(DISTINCT content_hash) FROM articles"
                                   " WHERE content_hash IS NOT NULL").fetchone()[0]

    def counts(self) -> dict[str, int]:
        """Rows per table of version 1 (articles, aliases, links)."""
        with self._errors("count rows"):
            return {table: self.db.table(table).count for table in TABLES}

    def meta(self) -> dict[str, str]:
        """The facts of the ``meta`` table by key (none in a corpus older than version 3)."""
        with self._errors("read meta"):
            if self.schema_version() < _META_VERSION:
                return {}
            return dict(self.db.execute("SELECT key, value FROM meta").fetchall())

    def is_known(self, url: str) -> bool:
        """True when *url* is a stored article or an alias of one."""
        with self._errors(f"look up {url}"):
            row = self.db.execute(
                "SELECT EXISTS (SELECT 1 FROM articles WHERE url = :url)"
                " OR EXISTS (SELECT 1 FROM aliases WHERE url = :url)", {"url": url}
            ).fetchone()
        return bool(row[0])

    def fetched_at(self, url: str) -> str | None:
        """When the article at *url* (or at the URL it is an alias of) was last fetched."""
        with self._errors(f"look up {url}"):
            row = self.db.execute(
                "SELECT fetched_at FROM articles WHERE url = :url UNION ALL "
                "SELECT a.fetched_at FROM aliases JOIN articles a ON a.url = aliases.article_url"
                " WHERE aliases.url = :url LIMIT 1", {"url": url}).fetchone()
        return row[0] if row else None

    def pending_urls(self) -> list[str]:
        """URLs that stored articles link to but that are not stored yet (view ``pending``)."""
        with self._errors("read pending urls"):
            return [url for (url,) in self.db.execute("SELECT url FROM pending ORDER BY url")]

    def chain_ends(self) -> list[tuple[str, str]]:
        """``(url, missing)`` of each article without a ``next`` or without a ``prev``
        link (view ``chain_ends``); an article without both appears twice."""
        with self._errors("read chain ends"):
            rows = self.db.execute("SELECT url, missing FROM chain_ends ORDER BY url, missing")
            return [(url, missing) for url, missing in rows]

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """``(etag, last_modified)`` of the newest successful 200 fetch whose final or
        requested URL is *url*; None when there is none or it sent neither header."""
        with self._errors(f"read validators of {url}"):
            row = self.db.execute(
                "SELECT etag, last_modified FROM fetches"
                " WHERE (final_url = :url OR requested_url = :url)"
                " AND status = 200 AND error IS NULL ORDER BY id DESC LIMIT 1", {"url": url}
            ).fetchone()
        if row is None or (row[0] is None and row[1] is None):
            return None
        return row[0], row[1]

    def stored_links(self, url: str) -> list[tuple[str, str]]:
        """``(dst, role)`` of the links stored for article *url* (or the article it is
        an alias of), in the order they were saved."""
        with self._errors(f"read links of {url}"):
            rows = self.db.execute(
                "SELECT dst, role FROM links WHERE src = coalesce("
                "(SELECT article_url FROM aliases WHERE url = :url), :url) ORDER BY rowid",
                {"url": url},
            )
            return [(dst, role) for dst, role in rows]

    def raw_body(self, digest: str) -> bytes:
        """The raw (decompressed) response body stored under *digest*."""
        with self._errors(f"read body {digest}"):
            row = self.db.execute("SELECT encoding, data FROM bodies WHERE digest = ?",
                                  [digest]).fetchone()
        if row is None:
            raise StorageError(f"{self.path}: no body with digest {digest}")
        return decompress_body(row[0], row[1])

    def summary(self) -> dict[str, Any]:
        """Figures of the whole corpus: ``articles``, ``aliases``, ``links`` (by role),
        ``revisions``, ``fetches``, ``runs``, ``bodies`` (``count``, ``raw_bytes``,
        ``stored_bytes``), ``published`` (``first``, ``last``), ``categories`` (the
        10 commonest as ``(name, count)``) and ``coverage`` (share 0..1 of articles
        with a non-blank ``title``, ``author``, ``published``, ``body``)."""
        with self._errors("summarise the corpus"):
            figures: dict[str, Any] = {
                name: self.db.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
                for name in ("articles", "aliases", "revisions", "fetches", "runs")
            }
            figures["links"] = dict(self.db.execute(
                "SELECT role, count(*) FROM links GROUP BY role ORDER BY role").fetchall())
            count, raw, stored = self.db.execute(
                "SELECT count(*), sum(size), sum(length(data)) FROM bodies").fetchone()
            figures["bodies"] = {"count": count, "raw_bytes": raw or 0,
                                 "stored_bytes": stored or 0}
            figures["published"] = self._published_range()
            figures["categories"] = [tuple(row) for row in self.db.execute(
                "SELECT value, count(*) AS n FROM articles, json_each(articles.categories)"
                " GROUP BY value ORDER BY n DESC, value LIMIT 10")]
            figures["coverage"] = self._coverage(figures["articles"])
        return figures

    def _published_range(self) -> dict[str, str | None]:
        # julianday() reads the UTC offset, so dates written with different offsets compare right.
        order = "SELECT published FROM articles WHERE julianday(published) IS NOT NULL" \
                " ORDER BY julianday(published) {} LIMIT 1"
        ends = {}
        for name, direction in (("first", "ASC"), ("last", "DESC")):
            row = self.db.execute(order.format(direction)).fetchone()
            ends[name] = row[0] if row else None
        return ends

    def _coverage(self, total: int) -> dict[str, float]:
        present = ", ".join(f"sum(coalesce(trim({name}), '') != '')" for name in _COVERED)
        counts = self.db.execute(f"SELECT {present} FROM articles").fetchone()
        return {name: _share(count, total) for name, count in zip(_COVERED, counts, strict=True)}

    def _article(self, url: str) -> dict[str, Any] | None:
        names = (*_COLUMNS, "first_seen")
        row = self.db.execute(f"SELECT {', '.join(names)} FROM articles WHERE url = ?",
                              [url]).fetchone()
        return None if row is None else dict(zip(names, row, strict=True))

    def _is_article(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchone() is not None

    # -- runs ------------------------------------------------------------------

    def start_run(self, profile: str | None, start_urls: Iterable[str]) -> int:
        """Record that a run starts now (committed at once, so a killed run leaves its
        row with ``finished_at`` NULL); return the run's id."""
        values = {"started_at": _now(), "profile": profile,
                  "start_urls": json.dumps(list(start_urls), ensure_ascii=False),
                  "pid": os.getpid(), "host": socket.gethostname()}
        with self._transaction("start a run"):
            cursor = self.db.execute(
                f"INSERT INTO runs ({', '.join(values)})"
                f" VALUES ({', '.join(':' + name for name in values)})", values)
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, **fields: Any) -> None:
        """Record how run *run_id* ended: any of ``fetched``, ``new``, ``updated``,
        ``unchanged``, ``duplicates``, ``failed``, ``not_modified`` (counts),
        ``coverage`` (a dict), ``date_failures``, ``finish_reason``, ``exit_status``,
        ``finished_at`` (default: now).  Raises TypeError for another field."""
        unknown = sorted(set(fields) - set(_RUN_RESULTS))
        if unknown:
            raise TypeError(f"finish_run() got unknown run fields: {', '.join(unknown)}")
        values = {"finished_at": _now(), **fields}
        if values.get("coverage") is not None:
            values["coverage"] = json.dumps(values["coverage"], sort_keys=True)
        self._update_run(run_id, values)

    def set_exit_status(self, run_id: int, code: int) -> None:
        """Record the exit status of run *run_id*."""
        self._update_run(run_id, {"exit_status": code})

    def _update_run(self, run_id: int, values: Mapping[str, Any]) -> None:
        sets = ", ".join(f"{name} = :{name}" for name in values)
        with self._transaction(f"update of run {run_id}"):
            cursor = self.db.execute(f"UPDATE runs SET {sets} WHERE id = :run_id",
                                     {**values, "run_id": run_id})
            if cursor.rowcount == 0:
                raise StorageError(f"{self.path}: no run {run_id}")

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The *limit* latest runs, newest first, as dicts (JSON columns decoded)."""
        with self._errors("read runs"):
            rows = self.db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit])
            return [_run_dict(row) for row in rows]

    def last_finished_run(self) -> dict[str, Any] | None:
        """The latest run that recorded its end, or None."""
        with self._errors("read runs"):
            rows = list(self.db.query("SELECT * FROM runs WHERE finished_at IS NOT NULL"
                                      " ORDER BY id DESC LIMIT 1"))
        return _run_dict(rows[0]) if rows else None

    # -- writing -------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        """Record the fact *key* = *value* in ``meta`` (committed at once)."""
        with self._transaction(f"set {key} in meta"):
            self.db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key)"
                            " DO UPDATE SET value = excluded.value", [key, value])

    def save(self, items: Sequence[Mapping[str, Any]], *, run_id: int | None = None
             ) -> SaveCounts:
        """Write a batch of Article and Fetch items in one transaction; nothing is
        written on error.

        A plain article is inserted or updated by URL (``first_seen`` kept), its
        aliases recorded and its outgoing links replaced; when its ``content_hash``
        or ``published`` changed, the stored version is kept in ``revisions``.  An
        item with ``duplicate_of`` only records its URLs as aliases of that article.
        An item with ``replaces`` takes over the stored article of that URL, which
        becomes an alias.  An article's ``fetch`` dict, and each Fetch item (a
        mapping with ``requested_url`` and no ``url``), becomes a ``fetches`` row
        of run *run_id*, its body stored compressed in ``bodies`` once per digest.
        """
        batch = _Batch(_now(), run_id)
        if not items:
            return batch.counts
        with self._transaction(f"save of {len(items)} items"):
            for item in items:
                with self._errors(f"save of {_item_name(item)}"):
                    self._save_item(item, batch)
        return batch.counts

    def _save_item(self, item: Mapping[str, Any], batch: _Batch) -> None:
        if is_fetch(item):
            self._save_fetch(item, batch)
            return
        url = item.get("url")
        if item.get("duplicate_of") and item["duplicate_of"] != url:
            self._save_duplicate(item, batch)
        elif item.get("replaces") and item["replaces"] != url:
            self._save_replacing(item, batch)
        else:
            self._save_article(item, batch)
        if item.get("fetch"):
            self._save_fetch(item["fetch"], batch)

    def _save_article(self, item: Mapping[str, Any], batch: _Batch, *,
                      changed: bool = False) -> None:
        counts, now = batch.counts, batch.now
        row = _article_row(item)
        url = row["url"]
        stored = self._article(url)
        if stored is None:
            self._insert_article(row, now)
            counts.inserted += 1
        elif changed or any(stored[c] != row[c] for c in _COMPARED):
            # A replacing copy has the same content: the URL moves, no new version.
            if not changed and any(stored[c] != row[c] for c in _REVISED):
                self._keep_revision(stored, batch)
            self._update_article(row, now, row.keys())
            counts.updated += 1
        else:
            self._update_article(row, now, _FETCH_ONLY - {"url"})
            counts.unchanged += 1
        # The URL is an article now, whatever it was an alias of before.
        self.db.execute("DELETE FROM aliases WHERE url = ?", [url])
        counts.aliases += self._add_aliases(item.get("aliases"), url, now)
        counts.links += self._replace_links(url, item.get("links") or ())

    def _insert_article(self, row: dict[str, Any], now: str) -> None:
        values = {**row, "first_seen": now, "last_seen": now}
        names = ", ".join(values)
        marks = ", ".join(f":{name}" for name in values)
        self.db.execute(f"INSERT INTO articles ({names}) VALUES ({marks})", values)

    def _update_article(self, row: dict[str, Any], now: str, names: Iterable[str]) -> None:
        sets = ", ".join(f"{name} = :{name}" for name in sorted(names) if name != "url")
        self.db.execute(f"UPDATE articles SET {sets}, last_seen = :now WHERE url = :url",
                        {**row, "now": now})

    def _keep_revision(self, stored: Mapping[str, Any], batch: _Batch) -> None:
        """Keep the *stored* version of an article, current since its last change."""
        since = self.db.execute("SELECT max(replaced_at) FROM revisions WHERE article_url = ?",
                                [stored["url"]]).fetchone()[0]
        values = {name: stored[name] for name in _REVISION_COLUMNS}
        values.update(article_url=stored["url"], first_seen=since or stored["first_seen"],
                      replaced_at=batch.now, run_id=batch.run_id)
        self.db.execute(f"INSERT INTO revisions ({', '.join(values)})"
                        f" VALUES ({', '.join(':' + name for name in values)})", values)
        batch.counts.revisions += 1

    def _save_fetch(self, fetch: Mapping[str, Any], batch: _Batch) -> None:
        row = _fetch_row(fetch, batch)
        row["digest"] = self._put_body(_kept_body(fetch), fetch.get("packed_body"))
        self.db.execute(f"INSERT INTO fetches ({', '.join(row)})"
                        f" VALUES ({', '.join(':' + name for name in row)})", row)
        batch.counts.fetches += 1
        alias = fetch.get("alias_of")
        if alias and alias.get("url") and alias.get("article_url"):
            batch.counts.aliases += self._save_redirect_alias(alias["url"], alias["article_url"],
                                                              batch.now)

    def _save_redirect_alias(self, url: str, target: str, now: str) -> int:
        """Make *url* an alias of article *target*, or of the article *target* is an
        alias of (a duplicate folded in); not when *url* is itself an article."""
        found = self.db.execute("SELECT article_url FROM aliases WHERE url = ?",
                                [target]).fetchone()
        return self._add_aliases([{"url": url, "reason": "redirect"}],
                                 found[0] if found else target, now)

    def _put_body(self, body: bytes | None, packed: PackedBody | None = None) -> str | None:
        """Store *body* compressed unless a body with its digest is stored; its digest.
        *packed* is *body* hashed and compressed already (by a page-reader worker)."""
        if body is None:
            return None
        if packed is not None and packed.size != len(body):
            packed = None  # packed from other bytes than these: not this body's
        digest = packed.digest if packed is not None else body_digest(body)
        if self.db.execute("SELECT 1 FROM bodies WHERE digest = ?", [digest]).fetchone() is None:
            encoding, data = ((packed.encoding, packed.data) if packed is not None
                              else compress_body(body))
            self.db.execute("INSERT INTO bodies (digest, encoding, size, data)"
                            " VALUES (?, ?, ?, ?)", [digest, encoding, len(body), data])
        return digest

    def _save_duplicate(self, item: Mapping[str, Any], batch: _Batch) -> None:
        url, target, now = item["url"], item["duplicate_of"], batch.now
        # A URL stored as an article earlier (before its twin was known) is folded in.
        self.db.execute("DELETE FROM articles WHERE url = ?", [url])
        batch.counts.aliases += self._retire(url, target, now)
        batch.counts.aliases += self._add_aliases(item.get("aliases"), target, now)
        batch.counts.duplicates += 1

    def _save_replacing(self, item: Mapping[str, Any], batch: _Batch) -> None:
        old, new = item["replaces"], item["url"]
        if self._is_article(new):
            self.db.execute("DELETE FROM articles WHERE url = ?", [old])
        else:
            # Keep the row (its id and first_seen): the article is the same, its URL moves.
            self.db.execute("UPDATE articles SET url = ? WHERE url = ?", [new, old])
        batch.counts.aliases += self._retire(old, new, batch.now)
        self._save_article(item, batch, changed=True)

    def _retire(self, old: str, new: str, now: str) -> int:
        """Make *old* an alias of *new*: its aliases and incoming links follow, its own go."""
        self.db.execute("UPDATE aliases SET article_url = ? WHERE article_url = ?", [new, old])
        self.db.execute("DELETE FROM aliases WHERE url = ? AND article_url = ?", [new, new])
        self.db.execute("DELETE FROM links WHERE src = ?", [old])
        self.db.execute("UPDATE OR IGNORE links SET dst = ? WHERE dst = ?", [new, old])
        self.db.execute("DELETE FROM links WHERE dst = ? OR (src = ? AND dst = ?)", [old, new, new])
        return self._put_alias(old, new, "duplicate", now)

    def _add_aliases(self, aliases: Iterable[Any] | None, target: str, now: str) -> int:
        added = 0
        for url, reason in _alias_entries(aliases):
            if url != target and not self._is_article(url):
                added += self._put_alias(url, target, reason, now)
        return added

    def _put_alias(self, url: str, target: str, reason: str, now: str) -> int:
        """Point alias *url* at *target*; 1 when a row was added or re-pointed."""
        cursor = self.db.execute(
            "INSERT INTO aliases (url, article_url, reason, first_seen) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET article_url = excluded.article_url,"
            " reason = excluded.reason WHERE article_url IS NOT excluded.article_url",
            [url, target, reason, now],
        )
        return cursor.rowcount

    def _replace_links(self, src: str, links: Iterable[Mapping[str, Any]]) -> int:
        """Make *src*'s outgoing links exactly *links*; return how many are new."""
        wanted: dict[tuple[str, Any], Any] = {}
        for link in links:
            if link.get("dst") and link["dst"] != src:
                wanted.setdefault((link["dst"], link.get("role")), link.get("rule"))
        stored = {(dst, role): rule for dst, role, rule in self.db.execute(
            "SELECT dst, role, rule FROM links WHERE src = ?", [src])}
        if stored == wanted:
            return 0
        self.db.execute("DELETE FROM links WHERE src = ?", [src])
        self.db.conn.executemany(
            "INSERT INTO links (src, dst, role, rule) VALUES (?, ?, ?, ?)",
            [(src, dst, role, rule) for (dst, role), rule in wanted.items()],
        )
        return len(wanted.keys() - stored.keys())

    def resolve_links(self) -> int:
        """Point links at articles rather than at their aliases; return links rewritten.

        A link that would then exist twice is dropped, as is a link to itself.
        """
        with self._transaction("resolve links"):
            # Uncorrelated IN list and primary-key lookups: linear in the links, where a
            # subquery naming links.src would scan the aliases once per link.
            rewritten = self.db.execute(
                "UPDATE OR IGNORE links SET dst = (SELECT article_url FROM aliases"
                " WHERE aliases.url = links.dst) WHERE dst IN (SELECT url FROM aliases)"
                " AND (SELECT article_url FROM aliases WHERE aliases.url = links.dst) != src"
            ).rowcount
            # Left pointing at an alias: links that collided or would point to their source.
            self.db.execute("DELETE FROM links WHERE dst IN (SELECT url FROM aliases)")
            self.db.execute("DELETE FROM links WHERE src = dst")
        return rewritten

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()
