"""Reading what a SQLite file holds without writing to it or beside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.errors import NotADatabase
from crawler.storage.files import Contents, inspect, open_readonly


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_contents_name_a_few_tables_and_count_the_rest() -> None:
    tables = tuple(f"t{n}" for n in range(9))
    assert Contents(0, 0, tables, ("v",)).describe() == (
        "it holds tables t0, t1, t2, t3, t4, t5 and 3 more; views v")
    assert Contents(0, 0, (), ()).empty and Contents(0, 0, (), ()).describe() == (
        "it holds no tables")
    assert not Contents(0, 1, (), ()).empty


def test_inspect_reads_a_wal_database_without_side_files(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE notes (x)")
    conn.execute("PRAGMA application_id = 7")
    conn.commit()
    conn.close()
    assert listing(tmp_path) == ["wal.db"]
    assert inspect(path) == Contents(7, 0, ("notes",), ())
    assert listing(tmp_path) == ["wal.db"]
    # A usual read-only connection makes SQLite's side files, and cannot remove them.
    reader = open_readonly(path)
    reader.close()
    assert listing(tmp_path) == ["wal.db", "wal.db-shm", "wal.db-wal"]


def test_a_file_of_one_byte_is_no_database(tmp_path: Path) -> None:
    # SQLite reads it as an empty database, and a writer would write over it.
    path = tmp_path / "x.db"
    path.write_bytes(b"x")
    with pytest.raises(NotADatabase) as error:
        inspect(path)
    assert error.value.sqlite_errorname == "SQLITE_NOTADB"
    assert path.read_bytes() == b"x"
