"""The corpus database: one SQLite file, its schema applied by migrations.

``Corpus`` is the entry point and the only code that writes the file; every batch
of items is written in one transaction, so a crawl killed half-way leaves the file
as it was after the last complete batch.  A corpus is known by its ``PRAGMA
application_id``; every other file is refused before anything is written to it,
and a read-only corpus (``Corpus(path, readonly=True)``) never writes at all.

One module per job:

- ``corpus``: the Corpus class, which opens the file and composes the parts below;
- ``schema``: the tables and views, and the named migrations that make them
  (the schema versions are described there);
- ``identity``: whether a file is a corpus this code may open;
- ``files``: reading a SQLite file without writing to it, read-only connections;
- ``connection``: SQLite's errors as StorageErrors, and write transactions;
- ``writes``: the write path (articles, revisions, duplicates), with ``rows``
  (items as table rows), ``graph`` (aliases and links) and ``fetches`` (fetches
  and raw bodies);
- ``queries``: what the crawl and its pipelines read;
- ``runs``: the run history and the run lock;
- ``summary``: figures of the whole corpus.
"""

from __future__ import annotations

from crawler.storage.corpus import Corpus
from crawler.storage.files import Contents, connect_readonly, inspect, open_readonly, side_files
from crawler.storage.rows import is_fetch
from crawler.storage.runs import RunLock
from crawler.storage.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, TABLES
from crawler.storage.writes import SaveCounts

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "TABLES", "Contents", "Corpus",
           "RunLock", "SaveCounts", "connect_readonly", "inspect", "is_fetch", "open_readonly",
           "side_files"]
