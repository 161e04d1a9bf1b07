"""``crawler demo``: the main job, offline, on the built-in sample site.

The demo writes only to a path where nothing is, or to a demo corpus it made
itself (``made_by`` ``crawler demo`` in its ``meta``), which it replaces.  It holds
the corpus's run lock throughout, so it never replaces a corpus a crawl is writing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from crawler.errors import StorageError
from crawler.outcome import FORCED, STOPPED
from crawler.process import run_crawl
from crawler.runsettings import LOOPBACK_SETTINGS, project_settings
from crawler.samplesite import generate, serve
from crawler.storage import Corpus, RunLock, connect_readonly, side_files

ARTICLE_FIELDS = ("title", "author", "published", "categories", "tags", "body")
MADE_BY = "crawler demo"
# Finish reasons of a crawl stopped before its end: Ctrl-C (Scrapy's graceful
# shutdown), a second Ctrl-C (forced), or none at all.
STOPPED_REASONS = (None, STOPPED, FORCED)


@dataclass
class DemoResult:
    """What the demo crawl stored in *db*, and how it compares with the sample site's truth
    (not compared when the crawl was stopped)."""

    stats: dict[str, Any]
    articles: int
    duplicates: int
    links: dict[str, int]
    db: Path
    differences: list[str] = field(default_factory=list)

    @property
    def stopped(self) -> bool:
        """True when the crawl was stopped before it finished (Ctrl-C)."""
        return self.stats.get("finish_reason") in STOPPED_REASONS

    @property
    def ok(self) -> bool:
        """True when the crawl finished and the corpus equals the truth."""
        return self.stats.get("finish_reason") == "finished" and not self.differences


def run_demo(articles: int, seed: int, db: Path) -> DemoResult:
    """Serve a sample site, crawl it from its middle article into a new demo corpus
    *db*, compare.  Raises StorageError for a file at *db* that is not a demo corpus,
    RunLocked when a run holds *db*'s lock."""
    if os.path.lexists(db):
        if os.path.lexists(f"{db}.lock"):  # a run may hold it: the lock decides first
            _refused_unless_ours(db)
        else:  # no run has it: refuse before a lock file is made beside it
            check_replaceable(db)
    with RunLock(db):
        new_demo_corpus(db)
        stats, truth = crawl_sample_site(articles, seed, db)
        return demo_result(db, stats, truth)


def crawl_sample_site(articles: int, seed: int, db: Path) -> tuple[dict[str, Any], dict]:
    """Serve a sample site and crawl it into *db*; the crawl's stats and the site's truth."""
    site = generate(n=articles, seed=seed)
    with serve(site) as server:
        # The demo holds the lock itself, for the whole crawl.
        settings = project_settings(str(db), extra={**LOOPBACK_SETTINGS, "RUNS_LOCK_HELD": True})
        # The middle of the chain, and the home page (whose ticker names the newest post).
        starts = [site.middle_article(server.origin), server.origin + "/"]
        return run_crawl(settings, "janoubia", starts), site.truth_for(server.origin)


def demo_result(db: Path, stats: dict[str, Any], truth: dict) -> DemoResult:
    """What the crawl stored in *db*, compared with *truth* unless it was stopped."""
    # Read as a writer, which removes SQLite's side files when it closes.
    with Corpus(db) as corpus:
        result = DemoResult(
            stats=stats,
            articles=corpus.db["articles"].count,
            duplicates=stats.get("dedupe/duplicate", 0) + stats.get("dedupe/replaced", 0),
            links=dict(corpus.db.execute(
                "select role, count(*) from links group by role").fetchall()),
            db=db,
        )
        if not result.stopped:
            result.differences = compare_with_truth(corpus.db, truth)
    return result


def new_demo_corpus(db: Path) -> None:
    """Make *db* a new, empty demo corpus, replacing the demo corpus there (its side
    files too); StorageError for any other file.  The caller holds *db*'s run lock."""
    if os.path.lexists(db):
        check_replaceable(db)
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            path.unlink(missing_ok=True)
    with Corpus(db) as corpus:
        corpus.set_meta("made_by", MADE_BY)


def check_replaceable(db: Path) -> None:
    """Raise StorageError unless *db* is a demo corpus no other run wrote into."""
    made_by, runs = demo_marks(db)
    if made_by != MADE_BY:
        raise StorageError(f"{db} is not a corpus `{MADE_BY}` made (older versions left "
                           "no mark): the demo replaces only its own; remove it or give "
                           "another --db")
    if runs > 1:
        raise StorageError(f"{db} was made by `{MADE_BY}`, but {runs - 1} later run(s) "
                           "wrote into it: not replaced; remove it or give another --db")


def demo_marks(db: Path) -> tuple[str | None, int]:
    """Who made the corpus *db* (its ``made_by`` mark) and how many runs it holds.

    A file without side files is read as immutable, which leaves none behind (a
    moment's read; a crawl at work on it has made side files)."""
    _refused_unless_ours(db)
    conn = connect_readonly(db, immutable=not side_files(db))
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        made_by = conn.execute("SELECT value FROM meta WHERE key = 'made_by'").fetchone() \
            if "meta" in tables else None
        runs = conn.execute("SELECT count(*) FROM runs").fetchone()[0] if "runs" in tables else 0
    except sqlite3.Error as e:
        raise StorageError(f"{db}: cannot read it: {e}") from e
    finally:
        conn.close()
    return (made_by[0] if made_by else None), runs


def _refused_unless_ours(db: Path) -> None:
    try:
        Corpus.check_file(db)
        if not db.is_file() or not db.stat().st_size:
            raise StorageError(f"{db} holds no corpus")
    except StorageError as e:
        raise StorageError(f"{e}: the demo writes only to a new file or to a demo "
                           "corpus it made; give another --db") from e


def compare_with_truth(corpus: sqlite_utils.Database, truth: dict) -> list[str]:
    """Differences between a corpus and a sample site's truth, one line each."""
    stored = {row["url"]: row for row in corpus["articles"].rows}
    expected = {a["url"]: a for a in truth["articles"]}
    diffs = [f"missing article {u}" for u in expected.keys() - stored.keys()]
    diffs += [f"unexpected article {u}" for u in stored.keys() - expected.keys()]
    for url in expected.keys() & stored.keys():
        row = dict(stored[url], categories=json.loads(stored[url]["categories"]),
                   tags=json.loads(stored[url]["tags"]))
        diffs += [f"{url}: {name} is {row[name]!r}, expected {expected[url][name]!r}"
                  for name in ARTICLE_FIELDS if row[name] != expected[url][name]]
    links = set(corpus.execute("select src, dst, role from links").fetchall())
    truth_links = {tuple(link) for link in truth["links"]}
    diffs += [f"missing link {link}" for link in truth_links - links]
    diffs += [f"unexpected link {link}" for link in links - truth_links]
    return sorted(diffs)


def print_summary(result: DemoResult, elapsed: float) -> None:
    """Print what the demo did: articles, duplicates, links by role, speed, and whether
    the corpus equals the truth (or that the crawl was stopped)."""
    pages = result.stats.get("response_received_count", 0)
    click.echo(f"articles stored:    {result.articles}")
    click.echo(f"duplicates merged:  {result.duplicates}")
    for role in ("prev", "next", "read_also"):
        click.echo(f"links {role + ':':<13}{result.links.get(role, 0)}")
    click.echo(f"pages fetched:      {pages} ({pages / max(elapsed, 1e-9):.0f} pages/s)")
    click.echo(f"elapsed:            {elapsed:.1f} s")
    click.echo(f"finish reason:      {result.stats.get('finish_reason') or '-'}")
    if result.stopped:
        click.echo(f"stopped before the crawl finished: {result.articles} articles kept in "
                   f"{result.db}; run `{MADE_BY}` again for the whole site")
    elif result.differences:
        click.echo(f"differs from the sample site's truth in {len(result.differences)} ways, e.g.:")
        for line in result.differences[:10]:
            click.echo(f"  {line}")
    else:
        click.echo("corpus equals the sample site's truth")
