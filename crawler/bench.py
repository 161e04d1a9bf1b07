"""``crawler bench``: time the real crawl, every feature on, on the built-in sample site.

The site runs in a child process with every page rendered before the first request, so
the figures (CPU time, peak memory) are the crawler's alone.  In the same reactor run, a
bare Scrapy spider then fetches the very pages our crawl fetched and parses their titles,
nothing else: our throughput as a share of it is what all our features cost.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click
import scrapy
import sqlite_utils
from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.asyncio import call_later
from scrapy.utils.misc import load_object
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from crawler.runsettings import project_settings
from crawler.stages import StageProfile, profiling, require_profiler

SEED = 0
# Settings of a crawl that walks the links alone, entering the site at its start page.
CHAIN_ONLY = ("DISCOVERY_SITEMAPS=0", "DISCOVERY_FEEDS=0", "DISCOVERY_ARCHIVES=0")
# Longer than any bench run; the child is stopped as soon as the crawl ends anyway.
SITE_MAX_SECONDS = 3600
# Prints the encoded path of the middle article of the chain the site child serves.
MIDDLE_SCRIPT = ("import sys; from crawler.samplesite import generate; "
                 "s = generate(int(sys.argv[1]), int(sys.argv[2])); "
                 "print(s.chain[len(s.chain) // 2])")


@dataclass
class Timing:
    """Wall and CPU seconds of one crawl, and the pages it fetched."""

    pages: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / max(self.wall, 1e-9)


@dataclass
class BenchResult:
    """The figures of one bench run: ours, and the bare spider's when it ran."""

    articles: int
    latency: float
    concurrency: int
    ours: Timing
    stored: int = 0
    peak_rss_mb: float = 0.0
    reader_rss_mb: float = 0.0
    db_bytes: int = 0
    finish_reason: str = ""
    bare: Timing | None = None
    stages: StageProfile | None = None

    @property
    def chain_bound(self) -> float:
        """Seconds a crawl fetching one article after another would wait on the server."""
        return self.articles * self.latency

    @property
    def fanout_bound(self) -> float:
        """Seconds a crawl keeping every connection busy would wait on the server."""
        return self.chain_bound / self.concurrency


class BareSpider(scrapy.Spider):
    """The reference: fetch each given URL and parse its title, nothing else."""

    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> Any:
        for url in self.urls:
            yield scrapy.Request(url, dont_filter=True)

    def parse(self, response: Response, **kwargs: Any) -> Iterator[dict]:
        yield {"title": response.css("title::text").get()}


def bare_settings(concurrency: int) -> Settings:
    """Scrapy's defaults (none of our middlewares, pipelines or extensions), at our
    concurrency."""
    return Settings({
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency, "CONCURRENT_REQUESTS": max(16, concurrency),
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
    })


def start_site(articles: int, latency: float, errors: IO[bytes] | None = None,
               max_seconds: float = SITE_MAX_SECONDS) -> tuple[subprocess.Popen, str]:
    """Start ``python -m crawler.samplesite`` in a child process, every page rendered up
    front, its stderr to *errors* (default: ours); return it and its origin."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.samplesite", "--articles", str(articles),
         "--seed", str(SEED), "--latency", str(latency), "--prerender",
         "--max-seconds", str(max_seconds)],
        stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL, text=True)
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


def run_bench(articles: int, latency: float, concurrency: int, start: str,
              bare: bool = False, profile: bool = False,
              overrides: Sequence[str] = ()) -> BenchResult:
    """Serve the sample site in a child, crawl it from *start* (home or middle) and
    measure; then, if *bare*, fetch the same pages with the bare spider."""
    if profile:
        require_profiler()
    path = middle_path(articles) if start == "middle" else "/"
    proc, origin = start_site(articles, latency)
    try:
        with tempfile.TemporaryDirectory(prefix="crawler-bench-") as tmp:
            db = Path(tmp) / "bench.db"
            result = BenchResult(articles, latency, concurrency, Timing())
            measure(result, db, origin + path, bare, profile, overrides)
            return result
    finally:
        stop_site(proc)


# Settings that name one class, and those that map classes to orders.
_CLASS_SETTINGS = ("DOWNLOADER", "SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_DISK_QUEUE",
                   "SCHEDULER_MEMORY_QUEUE", "SCHEDULER_START_DISK_QUEUE",
                   "SCHEDULER_START_MEMORY_QUEUE", "DUPEFILTER_CLASS", "STATS_CLASS",
                   "ITEM_PROCESSOR", "LOG_FORMATTER", "REQUEST_FINGERPRINTER_CLASS",
                   "ROBOTSTXT_PARSER", "DOWNLOADER_HTTPCLIENTFACTORY",
                   "DOWNLOADER_CLIENTCONTEXTFACTORY")
_COMPONENT_SETTINGS = ("DOWNLOAD_HANDLERS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES",
                       "EXTENSIONS", "ITEM_PIPELINES")


def warm_up(*all_settings: Settings) -> None:
    """Import every component the crawls of *all_settings* will load.

    Scrapy imports its download handlers, middlewares and queues as a crawl starts
    (the HTTP handler alone takes a third of a second): the first crawl of a process
    would pay for imports the second then gets free."""
    for settings in all_settings:
        paths = [settings.get(name) for name in _CLASS_SETTINGS]
        for name in _COMPONENT_SETTINGS:
            paths += [path for path, order in settings.getwithbase(name).items()
                      if order is not None]
        for path in paths:
            if isinstance(path, str):
                with suppress(ImportError, NameError, AttributeError, ValueError):
                    load_object(path)


def cpu_seconds() -> float:
    """User and system CPU time so far of this process and of its children that ended
    (the page readers end with their crawl; the site's child runs on until the end)."""
    return sum(usage.ru_utime + usage.ru_stime for usage in
               map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


@contextmanager
def timed(timing: Timing) -> Iterator[None]:
    """Add the wall and CPU time of the block to *timing*."""
    cpu, started = cpu_seconds(), time.monotonic()
    yield
    timing.wall += time.monotonic() - started
    timing.cpu += cpu_seconds() - cpu


def measure(result: BenchResult, db: Path, start_url: str, bare: bool, profile: bool,
            overrides: Sequence[str] = ()) -> None:
    """Crawl from *start_url* into *db* with the janoubia profile, then (if *bare*) the
    same pages with the bare spider, one after the other in one reactor run."""
    # A profile samples this process only: read the pages here too, unless told otherwise.
    extra = {"PARSE_WORKERS": 0} if profile else {}
    settings = project_settings(str(db), overrides, extra={**extra,
        "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": result.concurrency,
        "CONCURRENT_REQUESTS": max(16, result.concurrency), "LOG_LEVEL": "WARNING"})
    from spiders.article import ArticleSpider

    # Each crawl brings its own settings: a runner merges its settings into the crawlers
    # it runs, so this one holds no more than Scrapy's defaults.
    process = CrawlerProcess(Settings({"LOG_LEVEL": "WARNING"}))
    reference_settings = bare_settings(result.concurrency)
    ours = Crawler(ArticleSpider, settings, init_reactor=True)
    if not is_reactor_installed():  # some components import the reactor
        install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    warm_up(settings, reference_settings)
    # The pages for the bare crawl go to a file: a list here would grow with the site
    # and count in our crawl's peak memory.
    fetched = db.with_name("fetched.txt").open("w+", encoding="utf-8")
    # Held strongly: the signal dispatcher keeps only weak references by default.
    ours.signals.connect(lambda response, **_: fetched.write(response.url + "\n"),
                         signal=signals.response_received, weak=False)

    @defer.inlineCallbacks
    def crawls() -> Generator[Deferred[Any], Any, None]:
        try:
            with timed(result.ours), profiling(profile) as stages:
                yield process.crawl(ours, profile="janoubia", start_urls=[start_url])
            result.stages = stages.result if profile else None
            # ru_maxrss is in kilobytes on Linux: the peaks of our crawl's process and of
            # its page readers (the largest child that ended), before the bare crawl.
            result.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            if settings.getint("PARSE_WORKERS"):
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                result.reader_rss_mb = children.ru_maxrss / 1024
            if bare:
                fetched.seek(0)
                urls = fetched.read().split()
                result.bare = Timing(len(urls))
                reference = Crawler(BareSpider, reference_settings)
                with timed(result.bare):
                    yield process.crawl(reference, urls=urls)
        finally:
            fetched.close()
            stop_reactor()

    # The crawls start on the reactor's first turn, its event loop running, as under
    # ``scrapy crawl`` (asyncio download handlers need one); a failure stops the
    # reactor and is raised here.
    failures: list[Failure] = []
    call_later(0, lambda: crawls().addErrback(failures.append))
    process.start(stop_after_crawl=False)
    if failures:
        failures[0].raiseException()
    stats: dict[str, Any] = ours.stats.get_stats() if ours.stats else {}
    result.ours.pages = stats.get("response_received_count", 0)
    result.finish_reason = str(stats.get("finish_reason"))
    with sqlite_utils.Database(db) as corpus:
        result.stored = corpus["articles"].count
    result.db_bytes = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())


def stop_reactor() -> None:
    """Stop the reactor once the crawls are done (the process was started not to)."""
    from twisted.internet import reactor

    with suppress(RuntimeError):  # already stopping
        reactor.stop()  # type: ignore[attr-defined,misc]


def print_result(r: BenchResult) -> None:
    """Print the figures of one run, one per line."""
    ours = r.ours
    click.echo(f"articles on site:   {r.articles} (latency {r.latency:g} s, "
               f"concurrency {r.concurrency})")
    click.echo(f"pages fetched:      {ours.pages}")
    click.echo(f"articles stored:    {r.stored}")
    click.echo(f"wall time:          {ours.wall:.2f} s")
    click.echo(f"pages/s:            {ours.pages_per_second:.1f}")
    click.echo(f"CPU ms per page:    {1000 * ours.cpu / max(ours.pages, 1):.2f} "
               "(all processes of the crawl)")
    readers = f" (page reader: {r.reader_rss_mb:.1f} MB)" if r.reader_rss_mb else ""
    click.echo(f"peak RSS:           {r.peak_rss_mb:.1f} MB{readers}")
    click.echo(f"DB bytes/article:   {r.db_bytes / max(r.stored, 1):.0f}")
    click.echo(f"finish reason:      {r.finish_reason}")
    if r.latency > 0:
        click.echo(f"chain bound:        {r.chain_bound:.3f} s "
                   f"(wall/bound {ours.wall / r.chain_bound:.2f})")
        click.echo(f"fan-out bound:      {r.fanout_bound:.3f} s "
                   f"(wall/bound {ours.wall / r.fanout_bound:.2f})")
    if r.bare is not None:
        bare = r.bare
        click.echo(f"bare Scrapy:        {bare.pages} pages in {bare.wall:.2f} s, "
                   f"{bare.pages_per_second:.1f} pages/s, "
                   f"{1000 * bare.cpu / max(bare.pages, 1):.2f} CPU ms per page")
        ratio = ours.pages_per_second / max(bare.pages_per_second, 1e-9)
        click.echo(f"ours / bare:        {ratio:.2f} (throughput)")
    if r.stages is not None:
        click.echo("CPU by stage (sampled, pages read in the crawl's process; "
                   "share of the time not spent waiting):")
        for name, seconds, share in r.stages.rows():
            click.echo(f"  {name:<32}{seconds:7.2f} s {100 * share:5.1f} %")
