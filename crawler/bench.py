"""``crawler bench``: time the real crawl, every feature on, on the built-in sample site.

The site runs in a child process, so the figures (CPU time, peak memory) are the crawler's
alone; the crawl runs in this process into a fresh temporary database.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from crawler.cli import project_settings, run_crawl

SEED = 0
# Longer than any bench run; the child is stopped as soon as the crawl ends anyway.
SITE_MAX_SECONDS = 3600
# Prints the encoded path of the middle article of the chain the site child serves.
MIDDLE_SCRIPT = ("import sys; from crawler.samplesite import generate; "
                 "s = generate(int(sys.argv[1]), int(sys.argv[2])); "
                 "print(s.chain[len(s.chain) // 2])")


@dataclass(frozen=True)
class BenchResult:
    """The figures of one bench run."""

    articles: int
    latency: float
    concurrency: int
    pages: int
    stored: int
    wall: float
    cpu: float
    peak_rss_mb: float
    db_bytes: int
    finish_reason: str

    @property
    def pages_per_second(self) -> float:
        return self.pages / max(self.wall, 1e-9)

    @property
    def chain_bound(self) -> float:
        """Seconds a crawl fetching one article after another would wait on the server."""
        return self.articles * self.latency

    @property
    def fanout_bound(self) -> float:
        """Seconds a crawl keeping every connection busy would wait on the server."""
        return self.chain_bound / self.concurrency


def start_site(articles: int, latency: float) -> tuple[subprocess.Popen, str]:
    """Start ``python -m crawler.samplesite`` in a child process; return it and its origin."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.samplesite", "--articles", str(articles),
         "--seed", str(SEED), "--latency", str(latency),
         "--max-seconds", str(SITE_MAX_SECONDS)],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    origin = proc.stdout.readline().strip()
    if not origin.startswith("http://127.0.0.1:"):
        stop_site(proc)
        raise click.ClickException(f"the sample site did not start (it printed {origin!r})")
    return proc, origin


def stop_site(proc: subprocess.Popen) -> None:
    """Stop the site child and close its pipe."""
    proc.terminate()
    proc.wait(timeout=10)
    if proc.stdout:
        proc.stdout.close()


def middle_path(articles: int) -> str:
    """The middle article's path, computed in a child so this process's memory stays the
    crawler's."""
    out = subprocess.run([sys.executable, "-c", MIDDLE_SCRIPT, str(articles), str(SEED)],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def run_bench(articles: int, latency: float, concurrency: int, start: str) -> BenchResult:
    """Serve the sample site in a child, crawl it from *start* (home or middle), measure."""
    path = middle_path(articles) if start == "middle" else "/"
    proc, origin = start_site(articles, latency)
    try:
        with tempfile.TemporaryDirectory(prefix="crawler-bench-") as tmp:
            db = Path(tmp) / "bench.db"
            return measure(db, origin + path, articles, latency, concurrency)
    finally:
        stop_site(proc)


def cpu_seconds() -> float:
    """User and system CPU time of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(db: Path, start_url: str, articles: int, latency: float,
            concurrency: int) -> BenchResult:
    """Crawl from *start_url* into *db* with the janoubia profile; time it and size it."""
    settings = project_settings(str(db), extra={
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS": max(16, concurrency), "LOG_LEVEL": "WARNING"})
    cpu, started = cpu_seconds(), time.monotonic()
    stats: dict[str, Any] = run_crawl(settings, "janoubia", [start_url])
    wall, cpu = time.monotonic() - started, cpu_seconds() - cpu
    # ru_maxrss is in kilobytes on Linux.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with sqlite_utils.Database(db) as corpus:
        stored = corpus["articles"].count
    size = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    return BenchResult(articles, latency, concurrency,
                       stats.get("response_received_count", 0), stored, wall, cpu, peak_mb,
                       size, str(stats.get("finish_reason")))


def print_result(r: BenchResult) -> None:
    """Print the figures of one run, one per line."""
    click.echo(f"articles on site:   {r.articles} (latency {r.latency:g} s, "
               f"concurrency {r.concurrency})")
    click.echo(f"pages fetched:      {r.pages}")
    click.echo(f"articles stored:    {r.stored}")
    click.echo(f"wall time:          {r.wall:.2f} s")
    click.echo(f"pages/s:            {r.pages_per_second:.1f}")
    click.echo(f"CPU ms per page:    {1000 * r.cpu / max(r.pages, 1):.2f}")
    click.echo(f"peak RSS:           {r.peak_rss_mb:.1f} MB")
    click.echo(f"DB bytes/article:   {r.db_bytes / max(r.stored, 1):.0f}")
    click.echo(f"finish reason:      {r.finish_reason}")
    if r.latency > 0:
        click.echo(f"chain bound:        {r.chain_bound:.3f} s "
                   f"(wall/bound {r.wall / r.chain_bound:.2f})")
        click.echo(f"fan-out bound:      {r.fanout_bound:.3f} s "
                   f"(wall/bound {r.wall / r.fanout_bound:.2f})")
