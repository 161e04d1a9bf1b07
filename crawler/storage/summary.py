"""Figures of a whole corpus, for ``crawler stats``: rows per table, links by role,
bodies' sizes, the range of publication dates, the commonest categories and the
share of articles with each main field."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from crawler.storage.connection import Connection

_COUNTED = ("articles", "aliases", "revisions", "fetches", "runs")
_COVERED = ("title", "author", "published", "body")


def summarise(connection: Connection) -> dict[str, Any]:
    """Figures of the whole corpus: ``articles``, ``aliases``, ``links`` (by role),
    ``revisions``, ``fetches``, ``runs``, ``bodies`` (``count``, ``raw_bytes``,
    ``stored_bytes``), ``published`` (``first``, ``last``), ``categories`` (the
    10 commonest as ``(name, count)``) and ``coverage`` (share 0..1 of articles
    with a non-blank ``title``, ``author``, ``published``, ``body``)."""
    db = connection.db
    with connection.errors("summarise the corpus"):
        figures: dict[str, Any] = {
            name: db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in _COUNTED
        }
        figures["links"] = dict(db.execute(
            "SELECT role, count(*) FROM links GROUP BY role ORDER BY role").fetchall())
        count, raw, stored = db.execute(
            "SELECT count(*), sum(size), sum(length(data)) FROM bodies").fetchone()
        figures["bodies"] = {"count": count, "raw_bytes": raw or 0, "stored_bytes": stored or 0}
        figures["published"] = _published_range(db)
        figures["categories"] = [tuple(row) for row in db.execute(
            "SELECT value, count(*) AS n FROM articles, json_each(articles.categories)"
            " GROUP BY value ORDER BY n DESC, value LIMIT 10")]
        figures["coverage"] = _coverage(db, figures["articles"])
    return figures


def _published_range(db: sqlite_utils.Database) -> dict[str, str | None]:
    # julianday() reads the UTC offset, so dates written with different offsets compare right.
    order = "SELECT published FROM articles WHERE julianday(published) IS NOT NULL" \
            " ORDER BY julianday(published) {} LIMIT 1"
    ends = {}
    for name, direction in (("first", "ASC"), ("last", "DESC")):
        row = db.execute(order.format(direction)).fetchone()
        ends[name] = row[0] if row else None
    return ends


def _coverage(db: sqlite_utils.Database, total: int) -> dict[str, float]:
    present = ", ".join(f"sum(coalesce(trim({name}), '') != '')" for name in _COVERED)
    counts = db.execute(f"SELECT {present} FROM articles").fetchone()
    return {name: _share(count, total) for name, count in zip(_COVERED, counts, strict=True)}


def _share(count: int | None, total: int) -> float:
    return round((count or 0) / total, 4) if total else 0.0
