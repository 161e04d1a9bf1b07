"""Crash safety: a crawl SIGKILLed at any moment, then re-run, ends with the corpus an
uninterrupted crawl stores: same articles, same fields, same links, nothing twice."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.samplesite import generate, serve
from tests.conftest import LOOPBACK

TRIALS = 10
FIELDS = ("url", "title", "author", "published", "modified", "categories", "tags", "body",
          "language", "word_count", "content_hash")
# Small batches: the kill lands inside or between writes often.  Two requests at a time
# to a server that waits 50 ms: the crawl lasts seconds, so most kills land mid-crawl.
CRAWL_SETTINGS = [*LOOPBACK, "-s", "STORE_BATCH_SIZE=3",
                  "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2"]
LATENCY = 0.05


def command(start: str, db: Path) -> list[str]:
    return [sys.executable, "-m", "crawler", "crawl", "janoubia", start, "--db", str(db),
            *CRAWL_SETTINGS]


def snapshot(db: Path) -> dict:
    """What must be equal between corpora: article fields, links, aliases."""
    with sqlite3.connect(db) as conn:
        articles = sorted(conn.execute(f"select {', '.join(FIELDS)} from articles").fetchall())
        links = sorted(conn.execute("select src, dst, role from links").fetchall())
        aliases = sorted(conn.execute("select url, article_url from aliases").fetchall())
    return {"articles": articles, "links": links, "aliases": aliases}


def stored_articles(db: Path) -> int:
    """Articles a killed crawl had committed (0 when it died before creating the file)."""
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("select count(*) from articles").fetchone()[0]
        except sqlite3.OperationalError:  # killed before the schema was committed
            return 0


@pytest.fixture(scope="module")
def site_and_reference(tmp_path_factory: pytest.TempPathFactory):
    site = generate(150, seed=9)
    with serve(site, latency=LATENCY) as server:
        start = site.middle_article(server.origin)
        ref = tmp_path_factory.mktemp("ref") / "ref.db"
        began = time.monotonic()
        subprocess.run(command(start, ref), check=True, capture_output=True, timeout=300)
        yield start, ref, time.monotonic() - began


def test_sigkill_at_random_moments_then_rerun_gives_the_uninterrupted_corpus(
        site_and_reference, tmp_path):
    start, ref, duration = site_and_reference
    expected = snapshot(ref)
    rng = random.Random(20261125)
    partial = 0
    for trial in range(TRIALS):
        db = tmp_path / f"trial{trial}.db"
        victim = subprocess.Popen(command(start, db), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        started = time.monotonic()
        # One kill in three lands while the crawl starts (schema, first requests); the
        # others after its first commit, somewhere in the rest of the crawl.
        if trial % 3 == 2:
            time.sleep(rng.uniform(0.2, 1.0))
        else:
            while stored_articles(db) == 0 and victim.poll() is None:
                time.sleep(0.01)
            left = duration - (time.monotonic() - started)
            time.sleep(rng.uniform(0, max(left, 0.1) * 0.8))
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        partial += 0 < stored_articles(db) < len(expected["articles"])
        rerun = subprocess.run(command(start, db), capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, (trial, rerun.stderr[-2000:])
        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
            assert conn.execute("select count(*) from articles group by content_hash "
                                "having count(*) > 1").fetchall() == []
        assert snapshot(db) == expected, f"trial {trial} differs"
    # The kills must land mid-crawl, not only before the first write or after the last.
    assert partial >= TRIALS // 2, partial
