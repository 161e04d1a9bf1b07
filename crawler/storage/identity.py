"""Whether a file is a corpus this code may open: checked before anything is written to it.

A corpus carries ``PRAGMA application_id`` ``APPLICATION_ID``; one made before
schema version 3 is known by its tables.  An empty file (no schema at all) may
become a corpus when a crawl writes to it, but holds none to read.  Another
application's SQLite file, a file of other bytes and a corpus of a newer schema
are refused; only the file's header and schema are read.
"""

from __future__ import annotations

from pathlib import Path

from crawler.errors import StorageError
from crawler.storage import schema
from crawler.storage.connection import sqlite_errors
from crawler.storage.files import Contents, inspect


def read_contents(path: Path) -> Contents:
    """What the existing file *path* holds, or StorageError when it cannot be read."""
    with sqlite_errors(path, "open"):
        try:
            return inspect(path)
        except OSError as e:  # a folder, a file this user cannot read
            raise StorageError(f"{path}: open failed: {e.strerror}") from e


def is_ours(contents: Contents) -> bool:
    """True for a corpus of this crawler, of any version."""
    return contents.application_id == schema.APPLICATION_ID or (
        contents.application_id == 0 and contents.user_version in schema.UNMARKED_VERSIONS
        and set(schema.TABLES) <= set(contents.tables))


def check_identity(path: Path, contents: Contents) -> None:
    """Raise StorageError unless *contents* are a corpus of a version this code knows,
    or nothing at all."""
    if not is_ours(contents) and not contents.empty:
        raise StorageError(f"{path} is not a corpus of this crawler ({contents.describe()})")
    # Read here, not imported: a test may add migrations.
    newest = len(schema.MIGRATIONS)
    if contents.user_version > newest:
        raise StorageError(f"{path}: schema version {contents.user_version} is "
                           f"newer than this crawler ({newest})")


def check_file(path: Path) -> None:
    """Raise StorageError unless the file at *path* is missing, empty or a corpus this
    code can open; only its header and schema are read, nothing is written."""
    if path.exists():
        check_identity(path, read_contents(path))


def check_writable(path: Path) -> None:
    """Refuse a file that is neither a corpus nor empty (a crawl may make a corpus of
    an empty one) before anything writes to it; make the folder of a new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(f"{path}: cannot create its folder: {e.strerror}") from e
    check_file(path)


def check_readable(path: Path) -> None:
    """Refuse anything but a corpus this code can read as it is."""
    if not path.exists():
        raise StorageError(f"no corpus at {path}")
    found = read_contents(path)
    if found.empty:
        raise StorageError(f"{path} holds no corpus")
    check_identity(path, found)
    if found.user_version < schema.OLDEST_READABLE:
        raise StorageError(f"{path}: schema version {found.user_version} is too "
                           "old to read; a crawl into it migrates it (`crawler crawl`)")
