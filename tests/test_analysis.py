"""Reading article pages in a worker process: the same reading as in the crawl's own
process, a fallback when the worker dies, and no worker outliving its crawl."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from crawler import entry, readers
from crawler import settings as project_settings
from crawler.analysis import read_page
from crawler.bodies import decompress_body
from crawler.entry import early_readers
from crawler.errors import UnknownProfile
from crawler.pagereader import PageReader
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


def reading(workers: int, body: Callable[[PageReader], Awaitable[Any]]) -> Any:
    """Run *body* with a reader of *workers* in one event loop, closed within it, as
    the crawl closes its reader before its reactor stops."""
    async def run() -> Any:
        reader = PageReader(workers)
        try:
            return await body(reader)
        finally:
            reader.close()
    return asyncio.run(run())


async def read_all(reader: PageReader, pages: list[tuple[str, str]]) -> list:
    return [await reader.read(html, url, "janoubia", "Asia/Beirut", None) for url, html in pages]


def test_a_worker_reads_pages_as_the_crawls_process_does(pages):
    async def body(reader: PageReader) -> list:
        assert not reader.in_process
        return await read_all(reader, pages)
    in_worker = reading(1, body)
    here = [read_page(html, url, "janoubia", "Asia/Beirut", None) for url, html in pages]
    assert in_worker == here
    assert all(page is not None and page.values["title"] for page in here[:-1])
    assert here[-1] is None  # the home page is a listing
    assert {role for page in here[:-1] for _, role, _ in page.links} == {
        "prev", "next", "read_also"}


def test_a_worker_packs_the_raw_body_of_an_article_it_reads(pages):
    # Hash and compression leave the crawl's process with the reading; the rest is the same.
    raw = [(url, html.encode("utf-8")) for url, html in pages]

    async def body(reader: PageReader) -> list:
        return [await reader.read(data, url, "janoubia", "Asia/Beirut", None, "utf-8")
                for url, data in raw]
    in_worker = reading(1, body)
    for (url, data), page in zip(raw[:-1], in_worker[:-1], strict=True):
        packed = page.packed_body
        assert packed.digest == hashlib.sha256(data).hexdigest() and packed.size == len(data)
        assert decompress_body(packed.encoding, packed.data) == data
        here = read_page(data, url, "janoubia", "Asia/Beirut", None, "utf-8")
        assert here.packed_body is None  # the crawl's process packs only what it stores
        assert replace(page, packed_body=None) == here
    assert in_worker[-1] is None


def test_a_dead_worker_leaves_the_reading_to_the_crawls_process(pages):
    async def body(reader: PageReader) -> tuple[list, list]:
        first = await read_all(reader, pages[:1])
        for pid in reader.pids:
            os.kill(pid, signal.SIGKILL)
        again = await read_all(reader, pages[:2])
        assert reader.in_process
        return first, again
    first, again = reading(1, body)
    assert again[0] == first[0] and again[1] is not None


def test_pages_read_at_once_come_back_each_to_its_reader(pages):
    # Reads overlap in the crawl (one per response in flight): answers must not cross.
    async def body(reader: PageReader) -> list:
        return await asyncio.gather(*(reader.read(html, url, "janoubia", "Asia/Beirut", None)
                                      for url, html in pages * 3))
    in_workers = reading(2, body)
    here = [read_page(html, url, "janoubia", "Asia/Beirut", None) for url, html in pages * 3]
    assert in_workers == here


def test_an_error_in_a_worker_is_raised_in_the_crawl():
    async def body(reader: PageReader) -> None:
        with pytest.raises(UnknownProfile):  # read_page's own error
            await reader.read("<html><body class='single'><h1>x</h1></body></html>",
                              "http://a.example/x/", "no-such-profile", "", True)
        assert not reader.in_process  # the worker lives on
        page = await reader.read("<html><body class='single'><h1>x</h1></body></html>",
                                 "http://a.example/x/", "wordpress", "", True)
        assert page is not None and page.values["title"] == "x"
    reading(1, body)


def test_closing_stops_the_workers(pages):
    async def body(reader: PageReader) -> list[int]:
        await read_all(reader, pages[:1])
        pids = reader.pids
        assert len(pids) == 2
        reader.close()
        assert reader.in_process
        return pids
    pids = reading(2, body)
    assert not any(alive(pid) for pid in pids)


CRAWL_WITH_A_READER = """
import asyncio, sys, time
from crawler.pagereader import PageReader
reader = PageReader(1)
asyncio.run(reader.read("<html><body class='single'><h1>x</h1></body></html>",
                        "http://a.example/x/", "wordpress", "", None))
print(*reader.pids, flush=True)
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


def test_raw_bodies_are_read_as_scrapy_decodes_them(pages):
    # The crawl sends a page's bytes and its response's encoding; the worker decodes.
    from scrapy.http import HtmlResponse

    from tests.conftest import cnn_in_cp1256

    url = "http://127.0.0.1:8000/cnn/"
    for body, encoding in ((cnn_in_cp1256(declared=False), "windows-1256"),
                           (pages[0][1].encode("utf-8"), "utf-8")):
        response = HtmlResponse(url, body=body, encoding=encoding)
        from_bytes = read_page(response.body, url, "wordpress", "", True, response.encoding)
        assert from_bytes is not None
        assert from_bytes == read_page(response.text, url, "wordpress", "", True)


def test_pages_beyond_the_workers_backlog_are_read_in_the_crawls_process(pages):
    async def body(reader: PageReader) -> list:
        return await asyncio.gather(*(reader.read(html, url, "janoubia", "Asia/Beirut", None)
                                      for url, html in pages))

    async def run() -> tuple[list, int]:
        reader = PageReader(1, backlog=3)
        try:
            return await body(reader), reader.read_here
        finally:
            reader.close()
    read, here = asyncio.run(run())
    assert here == len(pages) - 3  # the worker took three, the rest waited for none
    assert read == [read_page(html, url, "janoubia", "Asia/Beirut", None) for url, html in pages]



def test_a_worker_imports_from_the_crawls_own_path(tmp_path, monkeypatch, pages):
    # scrapyd puts a project's egg on sys.path, not in the environment: the worker must
    # get that path, or it cannot import the crawler and every page is read in-process.
    egg = str(tmp_path / "project.egg")
    monkeypatch.setattr(sys, "path", [egg, *sys.path])

    async def body(reader: PageReader) -> tuple[bytes, list]:
        read = await read_all(reader, pages[:1])
        return Path(f"/proc/{reader.pids[0]}/environ").read_bytes(), read
    environ, read = reading(1, body)
    variables = dict(v.split(b"=", 1) for v in environ.split(b"\0") if b"=" in v)
    assert egg in variables[b"PYTHONPATH"].decode().split(os.pathsep)
    assert read[0] is not None


def test_started_workers_run_before_the_first_read():
    reader = PageReader(1)
    assert reader.pids == []  # built, not started: no process
    reader.start()
    try:
        pids = reader.pids
        assert len(pids) == 1 and alive(pids[0])
        reader.start()  # starting again starts no second worker
        assert reader.pids == pids
    finally:
        reader.close()
    assert not alive(pids[0])


@pytest.mark.parametrize(("argv", "count"), [
    (["crawl", "janoubia"], 1),
    (["crawl", "janoubia", "-s", "PARSE_WORKERS=2"], 2),
    (["crawl", "janoubia", "--set", "PARSE_WORKERS=0", "--db", "x.db"], 0),
    (["crawl", "janoubia", "-s", "PARSE_WORKERS=lots"], 0),  # the command says why
    (["crawl", "-s", "PARSE_WORKERS=99"], 8),
    (["crawl", "janoubia", "--set=PARSE_WORKERS=0"], 0),  # every spelling the CLI takes
    (["crawl", "janoubia", "-sPARSE_WORKERS=3"], 3),
    (["crawl", "janoubia", "-s", "PARSE_WORKERS=²"], 0),  # a digit int() refuses
    (["crawl", "janoubia", "-s"], 1),
    (["export", "x.db"], 0), ([], 0), (["--help"], 0),
])
def test_a_crawl_command_starts_its_readers_before_its_imports(argv, count):
    assert early_readers(argv) == count


def test_the_early_readers_default_is_the_settings():
    assert entry.DEFAULT_READERS == project_settings.PARSE_WORKERS


def test_a_reader_started_early_is_the_one_the_crawl_reads_with(pages):
    readers.start_early(2)
    early = [proc.pid for proc in readers._early]

    async def body(reader: PageReader) -> tuple[list[int], Any]:
        reader.start()
        return reader.pids, await read_all(reader, pages[:2])
    pids, read = reading(1, body)
    assert pids == early[:1] and read[0] is not None
    assert readers._early == []  # the one no crawl took was stopped
    assert not alive(early[1])
