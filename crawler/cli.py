"""The ``crawler`` command line: crawl a site into a corpus, or run the offline demo.

Each command imports what only it needs (the sample site, the benchmark, the reports)
when it runs, so that ``crawler crawl``, started by a timer every hour, pays for none."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

import click
from scrapy.settings import Settings

from crawler import settings as defaults
from crawler.errors import CrawlerError, UsageError
from crawler.outcome import DEGRADED, Thresholds, exit_status
from crawler.process import run_crawl
from crawler.profiles import PROFILES, get_profile
from crawler.runsettings import check_settings, project_settings
from crawler.storage import Corpus, RunLock
from crawler.summary import crawl_summary
from crawler.urls import check_url

DEFAULT_DB = defaults.CORPUS_DB
DEMO_DB = "data/demo.db"


def check_corpus(db: str) -> None:
    """Open (creating or migrating) the corpus once, so a bad file fails before the crawl."""
    Corpus(db).close()


def finish(db: str, settings: Settings, stats: dict[str, Any]) -> int:
    """The exit status of the run that just ended (as its recorder judged it, else judged
    here), saying why if it is not 0."""
    code, why = stats.get("run/exit_status"), stats.get("run/verdict")
    if code is None:
        limits = Thresholds.from_settings(settings)
        code, why = exit_status(stats, stats_run(stats), None, limits)
    if why:
        click.echo(f"Warning: {why} (exit {code})" if code == DEGRADED else f"Error: {why}",
                   err=True)
    return int(code)


def stats_run(stats: dict[str, Any]) -> dict[str, Any]:
    """A run's counts as its row would hold them, from the crawl's stats."""
    return {"fetched": stats.get("response_received_count", 0),
            "failed": stats.get("fetch/failed", 0), "new": stats.get("store/inserted", 0)}


class Group(click.Group):
    """Reports the crawler's own errors as one line with their exit code, and any
    other error as one line with exit 1 (the details go to the log at DEBUG)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CrawlerError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:  # a bug of ours: still one line, never a traceback
            logging.getLogger(__name__).debug("unexpected error", exc_info=True)
            click.echo(f"Error: unexpected {type(e).__name__}: {e}", err=True)
            sys.exit(1)


@click.group(cls=Group)
@click.version_option(package_name="arabic-news-crawler")
def main() -> None:
    """Build archival text corpora from Arabic news sites."""


@main.command()
@click.argument("profile", type=click.Choice(sorted(PROFILES)))
@click.argument("start_urls", nargs=-1)
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite file of the corpus (created if missing).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy or crawler setting (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Print no summary at the end.")
def crawl(profile: str, start_urls: tuple[str, ...], db: str, overrides: tuple[str, ...],
          quiet: bool) -> None:
    """Crawl a site with PROFILE into the corpus, from START_URLs (staying on their
    hosts) or the profile's own start pages, then from what earlier runs left to look
    at; only new or changed pages are fetched again.  Ends with a summary on standard
    output; the log goes to standard error.

    Exit status: 0 success, 1 stopped or ended early, 2 bad input, 3 storage error,
    4 another run holds the database, 5 degraded run, 6 the site cannot be reached."""
    get_profile(profile)
    urls = [check_url(u) for u in start_urls]
    if not urls and not get_profile(profile).start_urls:
        raise UsageError(f"profile {profile!r} has no start pages: give at least one START_URL")
    settings = project_settings(db, overrides)
    check_settings(settings, overrides)
    check_corpus(db)
    started = time.monotonic()
    with RunLock(db):
        settings.set("RUNS_LOCK_HELD", True, priority="cmdline")
        stats = run_crawl(settings, profile, urls)
        code = finish(db, settings, stats)
    if not quiet:
        click.echo(crawl_summary(stats, time.monotonic() - started, code))
    sys.exit(code)


@main.command()
@click.option("--articles", default=200, show_default=True, type=click.IntRange(2, 100_000),
              help="Number of articles of the sample site.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the sample site.")
@click.option("--db", default=DEMO_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite file the demo writes: a new file, or a demo corpus made by an "
                   "earlier demo (replaced); any other file is refused.")
def demo(articles: int, seed: int, db: str) -> None:
    """Serve the built-in sample site on 127.0.0.1, crawl it from the article in the
    middle of its chain (and its home page) into a fresh demo corpus, and print a summary.

    Exit status: 0 the corpus equals the site's truth, 1 it differs or the crawl was
    stopped (Ctrl-C), 3 a file at --db that is not a demo corpus (left as it is), 4 a
    run holds --db's lock."""
    from crawler.demo import print_summary, run_demo

    started = time.monotonic()
    result = run_demo(articles=articles, seed=seed, db=Path(db))
    print_summary(result, elapsed=time.monotonic() - started)
    sys.exit(0 if result.ok else 1)


def existing_corpus(db: str) -> Corpus:
    """Open a corpus that must already exist, read-only: reading commands never create,
    migrate or change one."""
    if not Path(db).is_file():
        raise UsageError(f"no corpus at {db}")
    return Corpus(db, readonly=True)


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite file of the corpus.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="Number of runs to show, newest first.")
def runs(db: str, limit: int) -> None:
    """Show the history of runs: when, what they fetched and stored, how they ended
    (the corpus is only read)."""
    from crawler.report import format_runs

    with existing_corpus(db) as corpus:
        click.echo(format_runs(corpus.runs(limit=limit)))


@main.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="SQLite file of the corpus.")
def stats(db: str) -> None:
    """Summarise the corpus: articles, aliases, links by role, revisions, fetches,
    stored bytes, date range, top categories and field coverage (the corpus is only read)."""
    from crawler.report import format_summary

    with existing_corpus(db) as corpus:
        click.echo(format_summary(corpus.summary()))


@main.command()
@click.option("--articles", default=2000, show_default=True, type=click.IntRange(2, 100_000),
              help="Number of articles of the sample site.")
@click.option("--latency", default=0.0, show_default=True, type=click.FloatRange(0, 60),
              help="Seconds the site waits before each response.")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 1000),
              help="Concurrent requests to the site (CONCURRENT_REQUESTS_PER_DOMAIN).")
@click.option("--start", default="home", show_default=True,
              type=click.Choice(["home", "middle"]),
              help="Start from the home page or from the article in the middle of the chain.")
@click.option("--chain-only", is_flag=True,
              help="Switch discovery off (sitemaps, feeds, archives): walk the links alone.")
@click.option("--bare", is_flag=True,
              help="Then fetch the same pages with a bare Scrapy spider (title only) and "
                   "print our throughput as a share of its.")
@click.option("--profile", is_flag=True,
              help="Sample the crawl's CPU and print each stage's share (needs pyinstrument).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Set a Scrapy or crawler setting for the crawl (repeatable).")
def bench(articles: int, latency: float, concurrency: int, start: str, chain_only: bool,
          bare: bool, profile: bool, overrides: tuple[str, ...]) -> None:
    """Measure the real crawl, every feature on, on the built-in sample site served by a
    child process: pages fetched, articles stored, wall time, pages/s, CPU ms per page,
    peak memory, database bytes per article, and with a latency the time a chain walk
    (articles x latency) and a full fan-out (that / concurrency) would take."""
    from crawler.bench import CHAIN_ONLY, print_result, run_bench

    if chain_only:
        overrides = (*CHAIN_ONLY, *overrides)
    check_settings(project_settings("bench.db", overrides), overrides)
    print_result(run_bench(articles, latency, concurrency, start, bare=bare, profile=profile,
                           overrides=overrides))
