"""``crawler demo``: the main job, offline, on the built-in sample site."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from crawler.cli import LOOPBACK_SETTINGS, project_settings, run_crawl
from crawler.samplesite import generate, serve

ARTICLE_FIELDS = ("title", "author", "published", "categories", "tags", "body")


@dataclass
class DemoResult:
    """What the demo crawl stored, and how it compares with the sample site's truth."""

    stats: dict[str, Any]
    articles: int
    duplicates: int
    links: dict[str, int]
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.stats.get("finish_reason") == "finished" and not self.differences


def run_demo(articles: int, seed: int, db: Path) -> DemoResult:
    """Serve a sample site, crawl it from its middle article into a new *db*, compare."""
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        path.unlink(missing_ok=True)
    site = generate(n=articles, seed=seed)
    with serve(site) as server:
        settings = project_settings(str(db), extra=LOOPBACK_SETTINGS)
        # The middle of the chain, and the home page (whose ticker names the newest post).
        starts = [site.middle_article(server.origin), server.origin + "/"]
        stats = run_crawl(settings, "janoubia", starts)
        truth = site.truth_for(server.origin)
    corpus = sqlite_utils.Database(db)
    try:
        return DemoResult(
            stats=stats,
            articles=corpus["articles"].count,
            duplicates=stats.get("dedupe/duplicate", 0) + stats.get("dedupe/replaced", 0),
            links=dict(corpus.execute("select role, count(*) from links group by role").fetchall()),
            differences=compare_with_truth(corpus, truth),
        )
    finally:
        corpus.close()


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
    """Print what the demo did: articles, duplicates, links by role, speed."""
    pages = result.stats.get("response_received_count", 0)
    click.echo(f"articles stored:    {result.articles}")
    click.echo(f"duplicates merged:  {result.duplicates}")
    for role in ("prev", "next", "read_also"):
        click.echo(f"links {role + ':':<13}{result.links.get(role, 0)}")
    click.echo(f"pages fetched:      {pages} ({pages / max(elapsed, 1e-9):.0f} pages/s)")
    click.echo(f"elapsed:            {elapsed:.1f} s")
    click.echo(f"finish reason:      {result.stats.get('finish_reason')}")
    if result.differences:
        click.echo(f"differs from the sample site's truth in {len(result.differences)} ways, e.g.:")
        for line in result.differences[:10]:
            click.echo(f"  {line}")
    else:
        click.echo("corpus equals the sample site's truth")
