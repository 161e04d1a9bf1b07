"""Shared fixtures: the sample site served by a child process on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from crawler.storage import Corpus

# Property tests explore the same examples on every run, so a suite that passed here
# passes in CI (to explore new examples, load a profile without derandomize).
settings.register_profile("repeatable", derandomize=True)
settings.load_profile("repeatable")

FIXTURES = Path(__file__).parent / "fixtures"
# Politeness is for real sites; these lower it for a server on loopback only.
LOOPBACK = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=WARNING"]


@dataclass
class RunningSite:
    """A sample site served by a child process."""

    origin: str
    truth: dict
    articles: int
    seed: int


def start_sample_site(tmp: Path, articles: int, seed: int) -> tuple[subprocess.Popen, RunningSite]:
    """Start ``python -m crawler.samplesite`` and wait for its origin line."""
    truth_path = tmp / "truth.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.samplesite", "--articles", str(articles),
         "--seed", str(seed), "--truth", str(truth_path), "--max-seconds", "600"],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    origin = proc.stdout.readline().strip()
    if not origin.startswith("http://127.0.0.1:"):
        stop_sample_site(proc)
        raise RuntimeError(f"the sample site did not start (it printed {origin!r})")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    return proc, RunningSite(origin, truth, articles, seed)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSite]:
    """The default sample site (200 articles, seed 0), one server for the session."""
    proc, site = start_sample_site(tmp_path_factory.mktemp("site"), 200, 0)
    yield site
    stop_sample_site(proc)


def stop_sample_site(proc: subprocess.Popen) -> None:
    """Stop a sample site child process and close its pipe."""
    proc.terminate()
    proc.wait(timeout=10)
    if proc.stdout:
        proc.stdout.close()


# A spider built alone for a test: pages read in the test's process, no corpus of earlier
# runs (the project's settings have a page reader process and ``data/corpus.db``).
STANDALONE_SPIDER: dict[str, Any] = {"PARSE_WORKERS": 0, "CORPUS_DB": None}


def project_crawler(spidercls: type[Spider] | None = None,
                    settings: dict[str, Any] | None = None) -> Crawler:
    """A crawler on this project's settings (``crawler/settings.py``) with *settings* over
    them, as ``scrapy crawl -s`` has it; ``get_crawler`` alone has Scrapy's defaults only."""
    project = {name: getattr(defaults, name) for name in dir(defaults) if name.isupper()}
    return get_crawler(spidercls, settings_dict={**project, **(settings or {})})


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed ``crawler`` command line in a child process."""
    return subprocess.run([sys.executable, "-m", "crawler", *args], capture_output=True,
                          text=True, timeout=timeout)


def stored_articles(db: Path) -> dict[str, dict]:
    """Every stored article by URL, categories and tags decoded."""
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute("select * from articles")]
    for row in rows:
        row["categories"], row["tags"] = json.loads(row["categories"]), json.loads(row["tags"])
    return {row["url"]: row for row in rows}


def query(db: Path, sql: str) -> list[tuple]:
    """The rows of one SQL query on a corpus file."""
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


# The CNN Arabic page as a windows-1256 site would serve it (characters cp1256 lacks as
# character references): with its charset declared in <meta>, or with no declaration.
_UTF8_DECLARATION = '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>'


def cnn_in_cp1256(declared: bool) -> bytes:
    """The real CNN Arabic fixture re-encoded to windows-1256."""
    page = (FIXTURES / "newspaper4k_arabic_article.html").read_text(encoding="utf-8")
    meta = _UTF8_DECLARATION.replace("UTF-8", "windows-1256") if declared else ""
    page = page.replace(_UTF8_DECLARATION + ("" if declared else "\n"), meta)
    return page.encode("cp1256", errors="xmlcharrefreplace")


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[Corpus]:
    """A new corpus in the test's folder, open for the test."""
    with Corpus(tmp_path / "corpus.db") as opened:
        yield opened
