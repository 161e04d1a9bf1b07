"""The write path: a batch of Article and Fetch items saved in one transaction.

An article is inserted or updated by URL, its earlier version kept in ``revisions``
when its text or date changed; a duplicate folds into the article it copies; a
preferred copy takes over the stored one.  Aliases and links go through ``Graph``,
fetches and bodies through ``PendingFetches``.  Articles are written by statements of
our own (values as parameters): later items of the batch read them back at once,
and sqlite-utils' ``insert`` costs a table check and a savepoint per call, a tenth
of a save; revisions and meta, written rarely, go through sqlite-utils' API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlite_utils

from crawler.storage.connection import Connection
from crawler.storage.fetches import PendingFetches
from crawler.storage.graph import Graph
from crawler.storage.rows import (
    ARTICLE_COLUMNS,
    COMPARED,
    FETCH_ONLY,
    REVISED,
    REVISION_COLUMNS,
    article_row,
    is_fetch,
    item_name,
    utc_now,
)


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
    """What the items of one save share: its time, its run, its fetches and its counts."""

    now: str
    run_id: int | None
    fetches: PendingFetches
    counts: SaveCounts = field(default_factory=SaveCounts)


class Writer:
    """Writes items, links and facts into the corpus of *connection*."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.db: sqlite_utils.Database = connection.db
        self.graph = Graph(connection.db)

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
        started = utc_now()
        batch = _Batch(started, run_id, PendingFetches(self.db, started, run_id))
        if not items:
            return batch.counts
        with self.connection.transaction(f"save of {len(items)} items"):
            for item in items:
                with self.connection.errors(f"save of {item_name(item)}"):
                    self._save_item(item, batch)
            batch.fetches.write()
        return batch.counts

    def resolve_links(self) -> int:
        """Point links at articles rather than at their aliases; return links rewritten.

        A link that would then exist twice is dropped, as is a link to itself.
        """
        with self.connection.transaction("resolve links"):
            return self.graph.resolve_links()

    def set_meta(self, key: str, value: str) -> None:
        """Record the fact *key* = *value* in ``meta`` (committed at once)."""
        with self.connection.transaction(f"set {key} in meta"):
            self.db.table("meta").upsert({"key": key, "value": value}, pk="key")

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
        row = article_row(item)
        url = row["url"]
        stored = self._article(url)
        if stored is None:
            self._insert_article(row, now)
            counts.inserted += 1
        elif changed or any(stored[c] != row[c] for c in COMPARED):
            # A replacing copy has the same content: the URL moves, no new version.
            if not changed and any(stored[c] != row[c] for c in REVISED):
                self._keep_revision(stored, batch)
            self._update_article(row, now, row.keys())
            counts.updated += 1
        else:
            self._update_article(row, now, FETCH_ONLY - {"url"})
            counts.unchanged += 1
        self.graph.drop_alias(url)
        counts.aliases += self.graph.add_aliases(item.get("aliases"), url, now)
        counts.links += self.graph.replace_links(url, item.get("links") or ())

    def _article(self, url: str) -> dict[str, Any] | None:
        names = (*ARTICLE_COLUMNS, "first_seen")
        row = self.db.execute(f"SELECT {', '.join(names)} FROM articles WHERE url = ?",
                              [url]).fetchone()
        return None if row is None else dict(zip(names, row, strict=True))

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
        values = {name: stored[name] for name in REVISION_COLUMNS}
        values.update(article_url=stored["url"], first_seen=since or stored["first_seen"],
                      replaced_at=batch.now, run_id=batch.run_id)
        self.db.table("revisions").insert(values)
        batch.counts.revisions += 1

    def _save_fetch(self, fetch: Mapping[str, Any], batch: _Batch) -> None:
        batch.fetches.add(fetch)
        batch.counts.fetches += 1
        alias = fetch.get("alias_of")
        if alias and alias.get("url") and alias.get("article_url"):
            batch.counts.aliases += self.graph.redirect_alias(alias["url"], alias["article_url"],
                                                              batch.now)

    def _save_duplicate(self, item: Mapping[str, Any], batch: _Batch) -> None:
        url, target, now = item["url"], item["duplicate_of"], batch.now
        # A URL stored as an article earlier (before its twin was known) is folded in.
        self.db.execute("DELETE FROM articles WHERE url = ?", [url])
        batch.counts.aliases += self.graph.retire(url, target, now)
        batch.counts.aliases += self.graph.add_aliases(item.get("aliases"), target, now)
        batch.counts.duplicates += 1

    def _save_replacing(self, item: Mapping[str, Any], batch: _Batch) -> None:
        old, new = item["replaces"], item["url"]
        if self.graph.is_article(new):
            self.db.execute("DELETE FROM articles WHERE url = ?", [old])
        else:
            # Keep the row (its id and first_seen): the article is the same, its URL moves.
            self.db.execute("UPDATE articles SET url = ? WHERE url = ?", [new, old])
        batch.counts.aliases += self.graph.retire(old, new, batch.now)
        self._save_article(item, batch, changed=True)
