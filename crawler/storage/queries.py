"""What the crawl and its pipelines read from the corpus: whether a URL is known, when
it was fetched, the frontier (pending links, chain ends), conditional-request
validators, stored links, copies of a text, raw bodies and corpus facts.

Every lookup by URL is by index (``tests/test_storage_queries.py`` checks the plans).
"""

from __future__ import annotations

from crawler.bodies import decompress_body
from crawler.errors import StorageError
from crawler.storage.connection import Connection
from crawler.storage.schema import META_VERSION, TABLES


class Queries:
    """Reads the corpus of *connection*."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.db = connection.db

    def is_known(self, url: str) -> bool:
        """True when *url* is a stored article or an alias of one."""
        with self.connection.errors(f"look up {url}"):
            row = self.db.execute(
                "SELECT EXISTS (SELECT 1 FROM articles WHERE url = :url)"
                " OR EXISTS (SELECT 1 FROM aliases WHERE url = :url)", {"url": url}
            ).fetchone()
        return bool(row[0])

    def fetched_at(self, url: str) -> str | None:
        """When the article at *url* (or at the URL it is an alias of) was last fetched."""
        with self.connection.errors(f"look up {url}"):
            row = self.db.execute(
                "SELECT fetched_at FROM articles WHERE url = :url UNION ALL "
                "SELECT a.fetched_at FROM aliases JOIN articles a ON a.url = aliases.article_url"
                " WHERE aliases.url = :url LIMIT 1", {"url": url}).fetchone()
        return row[0] if row else None

    def pending_urls(self) -> list[str]:
        """URLs that stored articles link to but that are not stored yet (view ``pending``)."""
        with self.connection.errors("read pending urls"):
            return [url for (url,) in self.db.execute("SELECT url FROM pending ORDER BY url")]

    def chain_ends(self) -> list[tuple[str, str]]:
        """``(url, missing)`` of each article without a ``next`` or without a ``prev``
        link (view ``chain_ends``); an article without both appears twice."""
        with self.connection.errors("read chain ends"):
            rows = self.db.execute("SELECT url, missing FROM chain_ends ORDER BY url, missing")
            return [(url, missing) for url, missing in rows]

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """``(etag, last_modified)`` of the newest successful 200 fetch whose final or
        requested URL is *url*; None when there is none or it sent neither header."""
        with self.connection.errors(f"read validators of {url}"):
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
        with self.connection.errors(f"read links of {url}"):
            rows = self.db.execute(
                "SELECT dst, role FROM links WHERE src = coalesce("
                "(SELECT article_url FROM aliases WHERE url = :url), :url) ORDER BY rowid",
                {"url": url},
            )
            return [(dst, role) for dst, role in rows]

    def copies_of(self, digest: str) -> list[tuple[str, str | None]]:
        """``(url, published)`` of the stored articles whose content hash is *digest*."""
        with self.connection.errors("read content keys"):
            return [(url, published) for url, published in self.db.execute(
                "SELECT url, published FROM articles WHERE content_hash = ?", [digest])]

    def count_hashes(self) -> int:
        """Number of distinct content hashes stored."""
        with self.connection.errors("count content hashes"):
            return self.db.execute("SELECT count(DISTINCT content_hash) FROM articles"
                                   " WHERE content_hash IS NOT NULL").fetchone()[0]

    def raw_body(self, digest: str) -> bytes:
        """The raw (decompressed) response body stored under *digest*."""
        with self.connection.errors(f"read body {digest}"):
            row = self.db.execute("SELECT encoding, data FROM bodies WHERE digest = ?",
                                  [digest]).fetchone()
        if row is None:
            raise StorageError(f"{self.connection.path}: no body with digest {digest}")
        return decompress_body(row[0], row[1])

    def counts(self) -> dict[str, int]:
        """Rows per table of version 1 (articles, aliases, links)."""
        with self.connection.errors("count rows"):
            return {table: self.db.table(table).count for table in TABLES}

    def meta(self) -> dict[str, str]:
        """The facts of the ``meta`` table by key (none in a corpus older than version 3)."""
        with self.connection.errors("read meta"):
            if self.connection.schema_version() < META_VERSION:
                return {}
            return dict(self.db.execute("SELECT key, value FROM meta").fetchall())
