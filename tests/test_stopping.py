"""Ctrl-C on a crawl: a prompt stop that keeps what was read; a second one forces it.

Each test runs the real ``crawler crawl`` against a sample site in a child process of
its own and interrupts it as a terminal would: SIGINT to the whole process group."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import query


@pytest.fixture
def slow_site(tmp_path: Path) -> Iterator[str]:
    """A 300-article sample site that waits 1 s before every response."""
    proc = subprocess.Popen([sys.executable, "-m", "crawler.samplesite", "--articles", "300",
                             "--latency", "1", "--max-seconds", "300"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    origin = proc.stdout.readline().strip()
    yield origin
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def start_crawl(origin: str, db: Path, *settings: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "wordpress", origin + "/", "--db", str(db),
         "-s", "LOG_LEVEL=WARNING", *(arg for s in settings for arg in ("-s", s))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_articles(db: Path, proc: subprocess.Popen, at_least: int = 1) -> None:
    """Wait (bounded) until the crawl has read at least *at_least* articles (the
    fetches it wrote count only what was flushed: the stats line says more)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                if query(db, "select count(*) from runs")[0][0]:
                    break
            except sqlite3.OperationalError:
                pass
        time.sleep(0.1)
    time.sleep(5)  # the robots file, the REST index, the home page, then articles


def interrupt(proc: subprocess.Popen, times: int = 1) -> tuple[str, str, float]:
    started = time.monotonic()
    for _ in range(times):
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.1)
    out, err = proc.communicate(timeout=60)
    return out, err, time.monotonic() - started


def summary_count(out: str, label: str) -> int:
    return int(re.search(rf"^{label}:\s+(\d+)", out, re.M).group(1))


def test_ctrl_c_stops_a_polite_crawl_at_once_and_keeps_what_it_read(slow_site, tmp_path):
    db = tmp_path / "corpus.db"
    # One request at a time, one a second, sixteen queued in the downloader: before,
    # Ctrl-C sent every queued request first (sixteen seconds).
    proc = start_crawl(slow_site, db, "CONCURRENT_REQUESTS_PER_DOMAIN=1", "DOWNLOAD_DELAY=1",
                       "AUTOTHROTTLE_ENABLED=0", "CONCURRENT_REQUESTS=16")
    wait_for_articles(db, proc)
    out, err, elapsed = interrupt(proc)
    assert proc.returncode == 1, err
    assert elapsed < 4, elapsed  # the page in transfer (1 s) and the close
    assert "Stopping:" in err and "Ctrl-C again to force" in err
    assert "stopped before the crawl finished" in err and "Traceback" not in err
    assert "finish reason:      shutdown" in out
    assert query(db, "select finish_reason, exit_status from runs") == [("shutdown", 1)]
    stored = query(db, "select count(*) from articles")[0][0]
    assert stored == summary_count(out, "articles new")


def test_a_second_ctrl_c_forces_the_stop_and_still_keeps_what_was_read(slow_site, tmp_path):
    db = tmp_path / "corpus.db"
    # Items wait in the store for a minute: a forced stop must write them itself.
    proc = start_crawl(slow_site, db, "CONCURRENT_REQUESTS_PER_DOMAIN=8",
                       "AUTOTHROTTLE_ENABLED=0", "DOWNLOAD_DELAY=0", "STORE_FLUSH_SECONDS=60")
    wait_for_articles(db, proc)
    out, err, elapsed = interrupt(proc, times=2)
    assert proc.returncode == 1, err
    assert elapsed < 4, elapsed
    assert "Forced to stop" in err and "Traceback" not in err
    assert "finish reason:      forced_stop" in out
    assert query(db, "select finish_reason, exit_status from runs") == [("forced_stop", 1)]
    stored = query(db, "select count(*) from articles")[0][0]
    assert stored > 0 and stored == summary_count(out, "articles new")
