"""Reading article pages in a worker process: the same reading as in the crawl's own
process, a fallback when the worker dies, and no worker outliving its crawl."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.analysis import PageReader, read_page
from crawler.samplesite import generate

ORIGIN = "http://127.0.0.1:8000"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, str]]:
    """(URL, HTML) of sample articles in every theme, and of the home page."""
    site = generate(24, seed=3)
    chosen = [(ORIGIN + path, site.pages[path].render(ORIGIN).decode("utf-8"))
              for path in site.article_paths[:12]]
    return [*chosen, (ORIGIN + "/", site.pages["/"].render(ORIGIN).decode("utf-8"))]


def read_all(reader: PageReader, pages: list[tuple[str, str]]) -> list:
    async def run() -> list:
        return [await reader.read(html, url, "janoubia", "Asia/Beirut", None)
                for url, html in pages]
    return asyncio.run(run())


def test_a_worker_reads_pages_as_the_crawls_process_does(pages):
    reader = PageReader(1)
    try:
        assert not reader.in_process
        in_worker = read_all(reader, pages)
    finally:
        reader.close()
    here = [read_page(html, url, "janoubia", "Asia/Beirut", None) for url, html in pages]
    assert in_worker == here
    assert all(page is not None and page.values["title"] for page in here[:-1])
    assert here[-1] is None  # the home page is a listing
    assert {role for page in here[:-1] for _, role, _ in page.links} == {
        "prev", "next", "read_also"}


def test_a_dead_worker_leaves_the_reading_to_the_crawls_process(pages):
    reader = PageReader(1)
    try:
        first = read_all(reader, pages[:1])
        pool = reader._pool
        assert pool is not None
        for pid in list(pool._processes):  # type: ignore[attr-defined]
            os.kill(pid, signal.SIGKILL)
        again = read_all(reader, pages[:2])
        assert reader.in_process
    finally:
        reader.close()
    assert again[0] == first[0] and again[1] is not None


CRAWL_WITH_A_READER = """
import asyncio, sys, time
from crawler.analysis import PageReader
reader = PageReader(1)
asyncio.run(reader.read("<html><body class='single'><h1>x</h1></body></html>",
                        "http://a.example/x/", "wordpress", "", None))
print(*reader._pool._processes, flush=True)
time.sleep(60)
"""


def test_no_worker_outlives_a_crawl_killed_with_sigkill():
    crawl = subprocess.Popen([sys.executable, "-c", CRAWL_WITH_A_READER],
                             stdout=subprocess.PIPE, text=True)
    assert crawl.stdout is not None
    workers = [int(pid) for pid in crawl.stdout.readline().split()]
    assert workers
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    crawl.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)


def alive(pid: int) -> bool:
    """True while *pid* runs (a zombie waiting for its parent counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
