"""The provenance of a batch: one ``fetches`` row per fetch, and the raw bodies they
point to, each stored once per digest, compressed.

Nothing in a save reads these rows back, so they are kept until the batch's end and
written then, bodies first (a fetch names its body's digest), in the order the items
came: one lookup of the batch's digests and one ``executemany`` per table instead of a
lookup and an insert per row.  A body is compressed (unless a page-reader worker packed
it) only when no body with its digest is stored.  sqlite-utils' ``insert_all`` would
cost a tenth of a save here (it converts every value and compiles a statement per
batch), so the statements are ours, every value a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlite_utils

from crawler.bodies import PackedBody, body_digest, compress_body
from crawler.storage.rows import FETCH_COLUMNS, fetch_row, kept_body

# Digests looked up per query, well below SQLite's limit on parameters (999 before 3.32).
_LOOKUP = 500
_INSERT_BODY = ("INSERT INTO bodies (digest, encoding, size, data)"
                " VALUES (:digest, :encoding, :size, :data)")
_FETCH_NAMES = (*FETCH_COLUMNS, "run_id", "digest")
_INSERT_FETCH = (f"INSERT INTO fetches ({', '.join(_FETCH_NAMES)})"
                 f" VALUES ({', '.join(':' + name for name in _FETCH_NAMES)})")


class PendingFetches:
    """The fetches of one batch into *db*, fetched *now* by run *run_id* unless a fetch
    says when; written by ``write`` inside the batch's transaction."""

    def __init__(self, db: sqlite_utils.Database, now: str, run_id: int | None) -> None:
        self.db = db
        self.now = now
        self.run_id = run_id
        self.rows: list[dict[str, Any]] = []
        # The bodies by digest, in the order they came: raw, and packed if they were.
        self.bodies: dict[str, tuple[bytes, PackedBody | None]] = {}

    def add(self, fetch: Mapping[str, Any]) -> None:
        """Keep the row of a Fetch item or an Article's ``fetch``, and its body."""
        row = fetch_row(fetch, self.now, self.run_id)
        row["digest"] = self._put_body(kept_body(fetch), fetch.get("packed_body"))
        self.rows.append(row)

    def _put_body(self, body: bytes | None, packed: PackedBody | None) -> str | None:
        """Keep *body* for ``write`` unless one with its digest is kept already; its
        digest.  *packed* is *body* hashed and compressed already (by a page-reader worker)."""
        if body is None:
            return None
        if packed is not None and packed.size != len(body):
            packed = None  # packed from other bytes than these: not this body's
        digest = packed.digest if packed is not None else body_digest(body)
        self.bodies.setdefault(digest, (body, packed))
        return digest

    def write(self) -> None:
        """Insert the bodies not stored yet, then the fetches rows."""
        self.db.conn.executemany(_INSERT_BODY, self._new_bodies())
        self.db.conn.executemany(_INSERT_FETCH, self.rows)

    def _new_bodies(self) -> list[dict[str, Any]]:
        """The ``bodies`` rows of the kept bodies not stored yet, compressed."""
        stored = self._stored(list(self.bodies))
        rows = []
        for digest, (body, packed) in self.bodies.items():
            if digest not in stored:
                encoding, data = ((packed.encoding, packed.data) if packed is not None
                                  else compress_body(body))
                rows.append({"digest": digest, "encoding": encoding, "size": len(body),
                             "data": data})
        return rows

    def _stored(self, digests: list[str]) -> set[str]:
        """Those of *digests* whose bodies are stored: one query per few hundred."""
        stored: set[str] = set()
        for start in range(0, len(digests), _LOOKUP):
            chunk = digests[start:start + _LOOKUP]
            marks = ", ".join("?" * len(chunk))
            stored.update(digest for (digest,) in self.db.execute(
                f"SELECT digest FROM bodies WHERE digest IN ({marks})", chunk))
        return stored
