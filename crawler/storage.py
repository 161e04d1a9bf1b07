"""The corpus database: one SQLite file, its schema applied by migrations.

``Corpus`` is the only code that writes the file.  Every batch of items is
written in one ``BEGIN IMMEDIATE`` transaction, so a crawl killed half-way
leaves the file as it was after the last complete batch.

Schema (version 1):

- ``articles``: one row per article, keyed by its canonical ``url``;
  ``categories`` and ``tags`` are JSON arrays; ``first_seen``/``last_seen`` are
  UTC ISO 8601 times of the first and latest save.
- ``aliases``: other URLs of an article (``reason``: ``redirect``,
  ``shortlink``, ``canonical``, ``duplicate``...) -> ``article_url``.
- ``links``: ``src`` article -> ``dst`` URL by ``role`` (``prev``, ``next``,
  ``read_also``) and the ``rule`` that found it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from crawler.errors import StorageError

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


#: Schema changes in order; the database's ``PRAGMA user_version`` counts those applied.
#: Append new functions, never edit or reorder applied ones.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_create_v1]
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("articles", "aliases", "links")

# Article fields written as they come, then the JSON-array ones.
_PLAIN = ("title", "author", "published", "published_raw", "modified", "body", "language",
          "word_count", "content_hash", "status", "profile", "fetched_at")
_JSON = ("categories", "tags")
_COLUMNS = ("url", *_PLAIN, *_JSON)
# Fields of a fetch rather than of the article: they change without the article changing.
_FETCH_ONLY = {"url", "status", "fetched_at"}
_COMPARED = tuple(c for c in _COLUMNS if c not in _FETCH_ONLY)
_SHORTLINK = re.compile(r"(?:^|&)(?:p|page_id)=\d+(?:&|$)")


@dataclass
class SaveCounts:
    """What one ``Corpus.save`` call did: articles inserted, updated or seen unchanged,
    alias rows added or re-pointed, links added, duplicates recorded as aliases."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0
    links: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _alias_entries(aliases: Iterable[Any] | None) -> Iterator[tuple[str, str]]:
    """``(url, reason)`` pairs from plain URLs or ``{"url", "reason"}`` dicts."""
    for alias in aliases or ():
        if isinstance(alias, Mapping):
            url, reason = alias.get("url"), alias.get("reason")
        else:
            url, reason = alias, None
        if url:
            query = url.partition("?")[2].partition("#")[0]
            yield url, reason or ("shortlink" if _SHORTLINK.search(query) else "redirect")


def _article_row(item: Mapping[str, Any]) -> dict[str, Any]:
    """The ``articles`` columns of *item*, lists as JSON text."""
    if not item.get("url"):
        raise StorageError("cannot save an item without a url")
    row = {name: item.get(name) for name in ("url", *_PLAIN)}
    for name in _JSON:
        row[name] = json.dumps(list(item.get(name) or ()), ensure_ascii=False)
    return row


class Corpus:
    """The corpus SQLite file: open (creating and migrating it), save, read, close.

    *timeout* is how many seconds a write waits for another writer's lock.
    Raises StorageError when the file cannot be opened, is not a SQLite
    database, or has a schema newer than this code.  Usable as a context manager.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"{self.path}: cannot create its folder: {e.strerror}") from e
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

    def _prepare(self, timeout: float) -> None:
        with self._errors("open"):
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            # Refuse a newer schema before anything (WAL included) writes to the file.
            version = self.schema_version()
            if version > len(MIGRATIONS):
                raise StorageError(f"{self.path}: schema version {version} is newer than "
                                   f"this crawler ({len(MIGRATIONS)})")
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

    def content_keys(self) -> Iterator[tuple[str, str, str | None]]:
        """``(content_hash, url, published)`` of every article that has a hash."""
        with self._errors("read content keys"):
            rows = self.db.execute(
                "SELECT content_hash, url, published FROM articles"
                " WHERE content_hash IS NOT NULL ORDER BY id"
            )
            yield from ((h, url, published) for h, url, published in rows)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        with self._errors("count rows"):
            return {table: self.db.table(table).count for table in TABLES}

    def _article(self, url: str) -> dict[str, Any] | None:
        cursor = self.db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM articles WHERE url = ?", [url]
        )
        row = cursor.fetchone()
        return None if row is None else dict(zip(_COLUMNS, row, strict=True))

    def _is_article(self, url: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchone() is not None

    # -- writing -------------------------------------------------------------

    def save(self, items: Sequence[Mapping[str, Any]]) -> SaveCounts:
        """Write a batch of Article items in one transaction; nothing is written on error.

        A plain item is inserted or updated by URL (``first_seen`` kept), its
        aliases recorded and its outgoing links replaced.  An item with
        ``duplicate_of`` only records its URLs as aliases of that article.  An
        item with ``replaces`` takes over the stored article of that URL, which
        becomes an alias.
        """
        counts = SaveCounts()
        if not items:
            return counts
        now = _now()
        with self._transaction(f"save of {len(items)} items"):
            for item in items:
                with self._errors(f"save of {item.get('url')}"):
                    self._save_item(item, now, counts)
        return counts

    def _save_item(self, item: Mapping[str, Any], now: str, counts: SaveCounts) -> None:
        url = item.get("url")
        if item.get("duplicate_of") and item["duplicate_of"] != url:
            self._save_duplicate(item, now, counts)
        elif item.get("replaces") and item["replaces"] != url:
            self._save_replacing(item, now, counts)
        else:
            self._save_article(item, now, counts)

    def _save_article(self, item: Mapping[str, Any], now: str, counts: SaveCounts,
                      *, changed: bool = False) -> None:
        row = _article_row(item)
        url = row["url"]
        stored = self._article(url)
        if stored is None:
            self._insert_article(row, now)
            counts.inserted += 1
        elif changed or any(stored[c] != row[c] for c in _COMPARED):
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

    def _save_duplicate(self, item: Mapping[str, Any], now: str, counts: SaveCounts) -> None:
        url, target = item["url"], item["duplicate_of"]
        # A URL stored as an article earlier (before its twin was known) is folded in.
        self.db.execute("DELETE FROM articles WHERE url = ?", [url])
        counts.aliases += self._retire(url, target, now)
        counts.aliases += self._add_aliases(item.get("aliases"), target, now)
        counts.duplicates += 1

    def _save_replacing(self, item: Mapping[str, Any], now: str, counts: SaveCounts) -> None:
        old, new = item["replaces"], item["url"]
        if self._is_article(new):
            self.db.execute("DELETE FROM articles WHERE url = ?", [old])
        else:
            # Keep the row (its id and first_seen): the article is the same, its URL moves.
            self.db.execute("UPDATE articles SET url = ? WHERE url = ?", [new, old])
        counts.aliases += self._retire(old, new, now)
        self._save_article(item, now, counts, changed=True)

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
            rewritten = self.db.execute(
                "UPDATE OR IGNORE links SET dst = (SELECT article_url FROM aliases"
                " WHERE aliases.url = links.dst) WHERE dst IN"
                " (SELECT url FROM aliases WHERE article_url != links.src)"
            ).rowcount
            # Left pointing at an alias: links that collided or would point to their source.
            self.db.execute("DELETE FROM links WHERE dst IN (SELECT url FROM aliases)")
            self.db.execute("DELETE FROM links WHERE src = dst")
        return rewritten

    def close(self) -> None:
        """Close the database connection."""
        self.db.close()
