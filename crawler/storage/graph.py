"""The URL graph of the corpus: aliases (which URL is which article) and links (which
article links where, by role), written inside a save's transaction.

Links are stored as the page printed them; ``resolve_links`` points them at articles
rather than at their aliases once a crawl has stored what it found.  Statements are
written out here (all values parameters) rather than through sqlite-utils' ``insert``
and ``upsert``: they run several times per article, where sqlite-utils' per-call table
check and savepoint would cost a tenth of a save, and the alias upsert re-points a
row only when its article changed, which ``upsert`` cannot say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from crawler.storage.rows import alias_entries


class Graph:
    """Aliases and links of the corpus in *db*; the caller holds the transaction."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def is_article(self, url: str) -> bool:
        """True when *url* is a stored article."""
        return self.db.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchone() is not None

    def add_aliases(self, aliases: Iterable[Any] | None, target: str, now: str) -> int:
        """Record *aliases* (URLs or ``{"url", "reason"}`` dicts) of article *target*,
        but its own URL and stored articles; return the rows added or re-pointed."""
        added = 0
        for url, reason in alias_entries(aliases):
            if url != target and not self.is_article(url):
                added += self.put_alias(url, target, reason, now)
        return added

    def put_alias(self, url: str, target: str, reason: str, now: str) -> int:
        """Point alias *url* at *target*; 1 when a row was added or re-pointed."""
        cursor = self.db.execute(
            "INSERT INTO aliases (url, article_url, reason, first_seen) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (url) DO UPDATE SET article_url = excluded.article_url,"
            " reason = excluded.reason WHERE article_url IS NOT excluded.article_url",
            [url, target, reason, now],
        )
        return cursor.rowcount

    def drop_alias(self, url: str) -> None:
        """*url* is an article now, whatever it was an alias of before."""
        self.db.execute("DELETE FROM aliases WHERE url = ?", [url])

    def redirect_alias(self, url: str, target: str, now: str) -> int:
        """Make *url* an alias of article *target*, or of the article *target* is an
        alias of (a duplicate folded in); not when *url* is itself an article."""
        found = self.db.execute("SELECT article_url FROM aliases WHERE url = ?",
                                [target]).fetchone()
        return self.add_aliases([{"url": url, "reason": "redirect"}],
                                found[0] if found else target, now)

    def retire(self, old: str, new: str, now: str) -> int:
        """Make *old* an alias of *new*: its aliases and incoming links follow, its own go."""
        self.db.execute("UPDATE aliases SET article_url = ? WHERE article_url = ?", [new, old])
        self.db.execute("DELETE FROM aliases WHERE url = ? AND article_url = ?", [new, new])
        self.db.execute("DELETE FROM links WHERE src = ?", [old])
        self.db.execute("UPDATE OR IGNORE links SET dst = ? WHERE dst = ?", [new, old])
        self.db.execute("DELETE FROM links WHERE dst = ? OR (src = ? AND dst = ?)", [old, new, new])
        return self.put_alias(old, new, "duplicate", now)

    def replace_links(self, src: str, links: Iterable[Mapping[str, Any]]) -> int:
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
