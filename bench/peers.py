"""End to end against peers: our crawl, trafilatura's URL-list mode and news-please on
one sample site served by a child process, on this machine.

Each tool runs as its own process, timed from start to exit, startup included:

- ours: ``crawler crawl janoubia <home page>`` into a fresh database, politeness off
  for loopback (no delay, no autothrottle), ``--concurrency`` requests at once;
- trafilatura: ``trafilatura -i urls.txt -o DIR --json --with-metadata`` over the
  site's article URLs, with a config file that sets ``SLEEP_TIME = 0`` (its default
  waits 5 s between two requests to one host) and ``SSRF_PROTECTION = off`` (its
  default refuses loopback addresses); ``--parallel`` at its default unless given (it
  fetches one URL per host at a time whatever that number: all of these are on one);
- news-please: ``NewsPlease.from_urls(urls)`` over the same URLs, in the Python that
  has it installed (``--newsplease PY``, else the one behind ``news-please`` on PATH).
  It is not a dependency of ours: install it apart, e.g.
  ``python3 -m venv ~/peers-venv && ~/peers-venv/bin/pip install news-please nltk``
  (its Arabic tokenizer needs nltk).

Per tool: wall time, CPU time (its processes'), pages fetched, pages/s, the site's
articles it returned a body for, our speed as a multiple of its (articles per second,
ours over its), the share of its bodies holding a read-also line ("إقرأ أيضا: «…»"
and its variants, or a "مقالات ذات صلة" heading), and the mean word F1 of its bodies
against the site's truth.

    python bench/peers.py [--articles 2000] [--latency 0 --latency 0.05] [--concurrency 8]
                          [--parallel N] [--newsplease PY] [--repeat N]
"""

from __future__ import annotations

import argparse
import compileall
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import click  # noqa: E402
import sqlite_utils  # noqa: E402

from crawler import bench  # noqa: E402
from crawler.samplesite import generate  # noqa: E402
from crawler.text import normalize_arabic  # noqa: E402

SEED = bench.SEED
# Longer than any tool needs for 2,000 articles; a tool still running then is stopped.
TOOL_TIMEOUT = 1800
# The site outlives the three tools' runs, and stops on its own if this script dies.
SITE_MAX_SECONDS = 3 * TOOL_TIMEOUT + 600
MAX_ARTICLES = 100_000
# Read-also labels and headings, on normalised text (إقرأ أيضاً, اقرأ ايضا... all match).
READ_ALSO = re.compile(r"\b(?:اقرا|طالع) (?:ايضا|كذلك)\b|\b(?:مقالات|مواضيع|اخبار) ذات صله\b")
WORD = re.compile(r"\w+")
# Loopback needs no politeness: the same settings ``crawler bench`` crawls with.
OUR_SETTINGS = ("AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "LOG_LEVEL=WARNING")
TRAFILATURA_CONFIG = "[DEFAULT]\nSLEEP_TIME = 0\nSSRF_PROTECTION = off\n"
NEWSPLEASE_SCRIPT = """\
import json, sys
from newsplease import NewsPlease
urls = open(sys.argv[1], encoding="utf-8").read().split()
# from_urls reads a timeout from request_args: without them it returns every article empty.
articles = NewsPlease.from_urls(urls, request_args={"timeout": 30})
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for url, article in articles.items():
        body = getattr(article, "maintext", None)
        out.write(json.dumps({"url": url, "body": body}, ensure_ascii=False) + "\\n")
"""
VERSION_SCRIPT = "from importlib.metadata import version; print(version('news-please'))"


class PeersError(Exception):
    """A bad argument, reported as one line with exit status 2."""

    exit_code = 2


class SiteError(PeersError):
    """The sample site did not start."""

    exit_code = 1


@dataclass(frozen=True)
class SiteInfo:
    """The sample site the tools ran on."""

    articles: int
    latency: float
    #: Share of its articles whose page has a read-also block.
    read_also: float


@dataclass
class PeerResult:
    """One tool's run: its figures, or why it has none (``note``)."""

    tool: str
    site: SiteInfo
    version: str = ""
    wall: float = 0.0
    #: CPU seconds of the tool's processes (a busy machine changes them less than wall).
    cpu: float = 0.0
    pages: int = 0
    #: Articles of the site it returned a non-empty body for.
    articles: int = 0
    #: Share of those bodies holding a read-also line.
    read_also: float = 0.0
    #: Mean word F1 of those bodies against the site's.
    f1: float = 0.0
    note: str = ""
    #: Wall seconds of every run, when the tools ran more than once (wall: the median).
    walls: list[float] = field(default_factory=list)

    @property
    def pages_per_second(self) -> float:
        return self.pages / max(self.wall, 1e-9)

    @property
    def articles_per_second(self) -> float:
        return self.articles / max(self.wall, 1e-9)


@dataclass
class Truth:
    """The served site's article URLs and gold bodies."""

    urls: list[str]
    bodies: dict[str, str] = field(default_factory=dict)  # by url_key


# --- body quality --------------------------------------------------------------------

def has_read_also(body: str) -> bool:
    """Whether *body* holds a read-also line.

    >>> has_read_also("نص. إقرأ أيضاً: «عنوان»"), has_read_also("قرأ الوزير البيان أيضا")
    (True, False)
    """
    return READ_ALSO.search(normalize_arabic(body)) is not None


def words(text: str) -> Counter[str]:
    """The normalised words of *text*, counted."""
    return Counter(WORD.findall(normalize_arabic(text)))


def word_f1(got: str, want: str) -> float:
    """F1 of the words of *got* against those of *want* (as multisets).

    >>> word_f1("أ ب ج د", "أ ب ج د"), word_f1("أ ب", "أ ب ج د"), word_f1("", "أ")
    (1.0, 0.6666666666666666, 0.0)
    """
    got_words, want_words = words(got), words(want)
    common = sum((got_words & want_words).values())
    if not common:
        return 1.0 if not got_words and not want_words else 0.0
    precision = common / sum(got_words.values())
    recall = common / sum(want_words.values())
    return 2 * precision * recall / (precision + recall)


def url_key(url: str) -> str:
    """*url* decoded, without a trailing slash: one key whatever a tool's percent-encoding.

    >>> url_key("http://h/2017/%D9%84%d8%a8/") == url_key("http://h/2017/لب")
    True
    """
    return unquote(url).rstrip("/")


def score(result: PeerResult, bodies: dict[str, str | None], truth: Truth) -> None:
    """Fill *result*'s quality figures from its *bodies* by URL, the site's articles only."""
    found = {key: body for url, body in bodies.items()
             if body and (key := url_key(url)) in truth.bodies}
    result.articles = len(found)
    result.read_also = mean(has_read_also(body) for body in found.values())
    result.f1 = mean(word_f1(body, truth.bodies[key]) for key, body in found.items())


def mean(values: Iterable[float]) -> float:
    """The mean of *values*, 0 when there are none."""
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# --- running the tools ---------------------------------------------------------------

def timed_run(argv: list[str], cwd: Path, log: Path) -> tuple[float, float, str]:
    """Run *argv* in *cwd*, its output to *log*: its wall seconds, the CPU seconds of it
    and the processes it waited for, and "" or why it failed."""
    cpu, started = children_cpu(), time.perf_counter()
    with log.open("wb") as out:
        try:
            code = subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, timeout=TOOL_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            code = None
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    if code is None:
        return wall, cpu, f"stopped after {TOOL_TIMEOUT} s"
    if code == 0:
        return wall, cpu, ""
    lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return wall, cpu, f"exit {code}" + (f": {lines[-1][:120]}" if lines else "")


def children_cpu() -> float:
    """User and system CPU seconds of the child processes waited for so far (the site
    child, still running, is not among them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compile_ours() -> None:
    """Byte-compile our packages, as pip did the peers' when it installed them: run
    from a checkout with PYTHONDONTWRITEBYTECODE set, each start compiled them anew."""
    for package in ("crawler", "spiders", "pipelines"):
        compileall.compile_dir(ROOT / package, quiet=1)


def run_ours(origin: str, truth: Truth, work: Path, site: SiteInfo,
             concurrency: int) -> PeerResult:
    """Crawl the site from its home page into a fresh database; bodies from the database."""
    db = work / "ours.db"
    settings = [*OUR_SETTINGS, f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"]
    argv = [sys.executable, "-m", "crawler", "crawl", "janoubia", origin + "/", "--db", str(db),
            *(arg for pair in settings for arg in ("-s", pair))]
    result = PeerResult("ours", site, package_version("arabic-news-crawler"))
    result.wall, result.cpu, result.note = timed_run(argv, ROOT, work / "ours.log")
    if db.exists():
        with sqlite_utils.Database(db) as corpus:
            result.pages = sum(row["fetched"] or 0 for row in corpus.query(
                "select fetched from runs"))
            score(result, {row["url"]: row["body"] for row in corpus.query(
                "select url, body from articles")}, truth)
    return result


def find_trafilatura() -> str | None:
    """The trafilatura command beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "trafilatura"
    return str(beside) if beside.is_file() else shutil.which("trafilatura")


def run_trafilatura(command: str, urls: Path, truth: Truth, work: Path, site: SiteInfo,
                    parallel: int | None) -> PeerResult:
    """trafilatura's URL-list mode over *urls*, JSON files (with the URL) into a folder."""
    config = work / "trafilatura.cfg"
    config.write_text(TRAFILATURA_CONFIG, encoding="utf-8")
    out = work / "trafilatura-out"
    argv = [command, "-i", str(urls), "-o", str(out), "--json", "--with-metadata",
            "--config-file", str(config)]
    argv += ["--parallel", str(parallel)] if parallel else []
    result = PeerResult("trafilatura", site, trafilatura_version(command))
    result.wall, result.cpu, result.note = timed_run(argv, work, work / "trafilatura.log")
    result.pages = len(truth.urls)
    bodies = {}
    # Past 1,000 documents it spreads its files over numbered subfolders.
    for path in out.rglob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        bodies[document.get("source") or ""] = document.get("text")
    score(result, bodies, truth)
    return result


def trafilatura_version(command: str) -> str:
    """The version ``trafilatura --version`` prints ("Trafilatura 2.3.1 - Python ...")."""
    out = subprocess.run([command, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"\d+(?:\.\d+)+", out.stdout)
    return found[0] if found else ""


def newsplease_version(python: str) -> str | None:
    """news-please's version in *python*, or None if it cannot import it."""
    try:
        out = subprocess.run([python, "-c", VERSION_SCRIPT], capture_output=True, text=True,
                             check=False, timeout=60)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_newsplease() -> str | None:
    """A Python with news-please: this one, else the one behind ``news-please`` on PATH."""
    if newsplease_version(sys.executable):
        return sys.executable
    script = shutil.which("news-please")
    if script is None:
        return None
    with open(script, "rb") as f:
        first = f.readline().decode("utf-8", "replace")
    python = first[2:].strip().split(" ")[0] if first.startswith("#!") else ""
    return python if python and newsplease_version(python) else None


def run_newsplease(python: str, urls: Path, truth: Truth, work: Path,
                   site: SiteInfo) -> PeerResult:
    """``NewsPlease.from_urls`` over *urls* in *python*; bodies from its JSON lines."""
    out = work / "newsplease.jsonl"
    argv = [python, "-W", "ignore", "-c", NEWSPLEASE_SCRIPT, str(urls), str(out)]
    result = PeerResult("news-please", site, newsplease_version(python) or "")
    result.wall, result.cpu, result.note = timed_run(argv, work, work / "newsplease.log")
    result.pages = len(truth.urls)
    bodies = {}
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            document = json.loads(line)
            bodies[document["url"]] = document["body"]
    score(result, bodies, truth)
    return result


def package_version(name: str) -> str:
    """An installed distribution's version, "" if unknown."""
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


# --- the comparison ------------------------------------------------------------------

def site_truth(articles: int, origin: str) -> tuple[Truth, float]:
    """The served site's truth, and the share of its articles with a read-also block."""
    site = generate(articles, SEED)
    gold = site.truth_for(origin)["articles"]
    truth = Truth([a["url"] for a in gold], {url_key(a["url"]): a["body"] for a in gold})
    return truth, mean(bool(post.read_also) for post in site.posts)


def run_peers(articles: int, latency: float, concurrency: int = 8, parallel: int | None = None,
              newsplease: str | None = None, repeat: int = 1) -> list[PeerResult]:
    """Serve a sample site of *articles* with *latency* and run every tool on it: ours,
    then each installed peer (a peer not installed has a "not installed" note).
    *newsplease* is a Python with news-please; by default one is looked for.

    With *repeat* above 1, the tools run in turn that many rounds, and each tool's run
    of median wall time is its result: a machine whose speed drifts then slows every
    tool alike, not the one that happened to run during a slow minute."""
    check_arguments(articles, latency, concurrency, parallel)
    newsplease = check_newsplease(newsplease) if newsplease else find_newsplease()
    trafilatura = find_trafilatura()
    compile_ours()
    with tempfile.TemporaryDirectory(prefix="peers-") as folder:
        work = Path(folder)
        proc, origin = start_site(articles, latency, work / "site.log")
        try:
            truth, read_also = site_truth(articles, origin)
            site = SiteInfo(articles, latency, read_also)
            urls = work / "urls.txt"
            urls.write_text("\n".join(truth.urls) + "\n", encoding="utf-8")
            rounds = []
            for number in range(repeat):
                folder = work / f"round-{number + 1}"
                folder.mkdir()
                rounds.append(run_round(origin, urls, truth, folder, site, concurrency,
                                        parallel, trafilatura, newsplease))
            return [median_run(list(runs)) for runs in zip(*rounds, strict=True)]
        finally:
            bench.stop_site(proc)


def run_round(origin: str, urls: Path, truth: Truth, work: Path, site: SiteInfo,
              concurrency: int, parallel: int | None, trafilatura: str | None,
              newsplease: str | None) -> list[PeerResult]:
    """One run of each tool, ours first, each peer "not installed" when it is not."""
    results = [run_ours(origin, truth, work, site, concurrency)]
    results.append(run_trafilatura(trafilatura, urls, truth, work, site, parallel)
                   if trafilatura else PeerResult("trafilatura", site, note="not installed"))
    results.append(run_newsplease(newsplease, urls, truth, work, site)
                   if newsplease else PeerResult("news-please", site, note="not installed"))
    return results


def median_run(runs: list[PeerResult]) -> PeerResult:
    """The run of median wall time among one tool's *runs*, with every run's wall."""
    chosen = sorted(runs, key=lambda r: r.wall)[(len(runs) - 1) // 2]
    if len(runs) > 1:
        chosen.walls = [r.wall for r in runs]
    return chosen


def start_site(articles: int, latency: float, log: Path) -> tuple[subprocess.Popen, str]:
    """``crawler bench``'s sample site, its errors to *log*; return it and its origin."""
    with log.open("wb") as errors:
        try:
            return bench.start_site(articles, latency, errors, SITE_MAX_SECONDS)
        except click.ClickException:
            lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            raise SiteError("the sample site did not start"
                            + (f": {lines[-1]}" if lines else "")) from None


def check_arguments(articles: int, latency: float, concurrency: int,
                    parallel: int | None) -> None:
    """Refuse values no run can use."""
    if not 2 <= articles <= MAX_ARTICLES:
        raise PeersError(f"--articles must be 2 to {MAX_ARTICLES}, not {articles}")
    if not 0 <= latency <= 60:  # NaN fails too
        raise PeersError(f"--latency must be 0 to 60 seconds, not {latency}")
    if concurrency < 1:
        raise PeersError(f"--concurrency must be at least 1, not {concurrency}")
    if parallel is not None and parallel < 1:
        raise PeersError(f"--parallel must be at least 1, not {parallel}")


def check_newsplease(python: str) -> str:
    """*python*, if it can import news-please."""
    if not newsplease_version(python):
        raise PeersError(f"--newsplease {python}: not a Python that can import newsplease")
    return python


def print_peers(results: list[PeerResult]) -> None:
    """Print one line per tool under a line about the site."""
    if not results:
        return
    site = results[0].site
    print(f"sample site: {site.articles} articles, seed {SEED}, latency {site.latency:g} s; "
          f"{100 * site.read_also:.1f} % of its articles have a read-also block")
    print(f"{'tool':<20}{'wall s':>8}{'CPU s':>8}{'pages':>7}{'pages/s':>9}{'articles':>9}"
          f"{'ours x':>8}{'read-also':>10}{'F1':>7}")
    ours = next((r for r in results if r.tool == "ours" and r.articles), None)
    for r in results:
        name = f"{r.tool} {r.version}".strip()
        if r.note == "not installed":
            print(f"{name:<20}not installed")
            continue
        ratio = ours.articles_per_second / r.articles_per_second if ours and r.articles else 0
        print(f"{name:<20}{r.wall:>8.2f}{r.cpu:>8.2f}{r.pages:>7}{r.pages_per_second:>9.1f}"
              f"{r.articles:>9}{ratio:>8.2f}{100 * r.read_also:>9.1f}%{r.f1:>7.3f}"
              + (f"  ({r.note})" if r.note else "")
              + (f"  (median of {len(r.walls)}: " + ", ".join(f"{w:.2f}" for w in r.walls)
                 + " s)" if r.walls else ""))


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the comparison at each latency asked for and print it."""
    parser = Parser(prog="peers.py", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--latency", type=float, action="append",
                        help="seconds the site waits before each response (repeatable; "
                             "default 0)")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="our concurrent requests to the site")
    parser.add_argument("--parallel", type=int, help="trafilatura's --parallel")
    parser.add_argument("--newsplease", metavar="PY", help="a Python with news-please")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of runs; each tool's median run is shown (default 1)")
    args = parser.parse_args(argv)
    latencies = args.latency or [0.0]
    try:
        for latency in latencies:  # every value checked before the first run
            check_arguments(args.articles, latency, args.concurrency, args.parallel)
        if args.repeat < 1:
            raise PeersError(f"--repeat must be at least 1, not {args.repeat}")
        for number, latency in enumerate(latencies):
            if number:
                print()
            print_peers(run_peers(args.articles, latency, args.concurrency, args.parallel,
                                  args.newsplease, args.repeat))
    except PeersError as e:
        print(f"peers.py: error: {e}", file=sys.stderr)
        return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
