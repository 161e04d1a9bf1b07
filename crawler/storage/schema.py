"""The corpus schema: its tables and views, made by named migrations applied in order.

``PRAGMA user_version`` counts the migrations applied, and every migration sets
``PRAGMA application_id`` to ``APPLICATION_ID``.  A migration is a function of the
database, named for what it adds; append new ones to ``MIGRATIONS``, never edit or
reorder applied ones.

Schema version 1 (``articles_aliases_links``):

- ``articles``: one row per article, keyed by its canonical ``url``;
  ``categories`` and ``tags`` are JSON arrays; ``first_seen``/``last_seen`` are
  UTC ISO 8601 times of the first and latest save.
- ``aliases``: other URLs of an article (``reason``: ``redirect``,
  ``shortlink``, ``canonical``, ``duplicate``...) -> ``article_url``.
- ``links``: ``src`` article -> ``dst`` URL by ``role`` (``prev``, ``next``,
  ``read_also``) and the ``rule`` that found it.

Version 2 (``run_memory``) adds what scheduled runs need:

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

Version 3 (``corpus_meta``) adds ``meta``: ``key`` -> ``value`` facts about the corpus
itself, such as ``made_by`` (``crawler demo`` for a demo corpus, which the next demo
may replace).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlite_utils

from crawler.storage.connection import Connection

logger = logging.getLogger(__name__)

_ARTICLES_ALIASES_LINKS = (
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

_RUN_MEMORY = (
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


def articles_aliases_links(db: sqlite_utils.Database) -> None:
    """Version 1: the articles, the other URLs they are known by, and the prev, next
    and read-also links between them."""
    for statement in _ARTICLES_ALIASES_LINKS:
        db.execute(statement)


def run_memory(db: sqlite_utils.Database) -> None:
    """Version 2: what scheduled runs remember: runs, fetches with their compressed
    bodies, revisions of changed articles, and the frontier views pending and chain_ends."""
    for statement in _RUN_MEMORY:
        db.execute(statement)


def corpus_meta(db: sqlite_utils.Database) -> None:
    """Version 3: meta, facts about the corpus itself (who made it)."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


#: Schema changes in order; the database's ``PRAGMA user_version`` counts those applied.
#: Append new functions, never edit or reorder applied ones.
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    articles_aliases_links, run_memory, corpus_meta]
SCHEMA_VERSION = len(MIGRATIONS)
#: The tables of version 1, by which a corpus made before it carried APPLICATION_ID is known.
TABLES = ("articles", "aliases", "links")
#: The ``PRAGMA application_id`` of a corpus: "ArNC" (Arabic news crawler) in ASCII.
APPLICATION_ID = int.from_bytes(b"ArNC", "big")
#: Versions written before corpora carried APPLICATION_ID: such a file is a corpus by its TABLES.
UNMARKED_VERSIONS = (1, 2)
#: A read-only corpus is read as it is from version 2 (runs, fetches).
OLDEST_READABLE = 2
#: The version that adds ``meta``; it reads as empty before.
META_VERSION = 3


def migrate(connection: Connection) -> None:
    """Apply the migrations the corpus lacks, each in its own transaction."""
    # The version is read again inside each transaction: another process may
    # have migrated the file while this one waited for the write lock.
    while True:
        with connection.transaction("migrate"):
            version = connection.schema_version()
            if version >= len(MIGRATIONS):
                return
            migration = MIGRATIONS[version]
            migration(connection.db)
            connection.db.execute(f"PRAGMA user_version = {version + 1}")
            connection.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        logger.debug("%s: schema version %d (%s) applied", connection.path, version + 1,
                     getattr(migration, "__name__", migration))
