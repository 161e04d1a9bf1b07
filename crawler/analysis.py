"""Reading an article page: all the work that needs its parsed tree, as one pure function
of the page's text, so that it can run in a worker process beside the crawl.

Parsing, link finding, dates and extraction cost a few milliseconds a page, more than
Scrapy's own work; in a worker they use another core while the crawl's process keeps
fetching.  What depends on the crawl's state (how the site spells its URLs, what was
already requested) stays with the spider: this module returns URLs as found, joined to
the page's URL, never canonicalised.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement
from parsel import Selector

from crawler.dates import DateMarkup, dated_page, modified_from_page
from crawler.extract import extract_fields, json_ld, meta
from crawler.links import find_links
from crawler.loaders import ArticleLoader
from crawler.profiles import get_profile
from crawler.text import content_hash, word_count
from crawler.urls import join_url

logger = logging.getLogger(__name__)

# body_class() of WordPress pages, archives, the home page, search and 404 pages.
_LISTING_BODY_CLASSES = {"page", "archive", "home", "blog", "search", "error404", "attachment"}
_SINGLE_BODY_CLASSES = {"single", "single-post", "single-format-standard"}
_ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")
_REST_POSTS = "/wp-json/wp/v2/posts/"
# How often a worker checks that the crawl that started it still runs.
PARENT_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class ArticlePage:
    """What an article page says, URLs as found (joined, not canonicalised)."""

    #: ``rel=canonical`` targets, in page order.
    declared: list[str]
    #: ``rel=shortlink`` targets.
    shortlinks: list[str]
    #: (URL, role, rule) of its prev/next/read-also links.
    links: list[tuple[str, str, str]]
    #: The post's WordPress REST address, when the page prints it.
    rest_post: str | None
    #: The loaded fields: title, author, categories, tags, body, language, published,
    #: published_raw, modified, word_count, content_hash.
    values: dict[str, Any]
    #: Whether the publication time came from machine-readable markup.
    dated_by_markup: bool


def looks_like_article(root: HtmlElement) -> bool:
    """True for a single-article page by its markup: WordPress's body classes (SEO
    plugins print ``og:type=article`` on pages and archives too), else ``og:type`` or
    JSON-LD."""
    body_classes = set(" ".join(root.xpath("//body/@class")).split())
    if body_classes & _SINGLE_BODY_CLASSES or any(c.startswith("postid-") for c in body_classes):
        return True
    if body_classes & _LISTING_BODY_CLASSES:
        return False
    if "article" in [v.lower() for v in meta(root, "og:type")]:
        return True
    return any(n.get("@type") in _ARTICLE_TYPES for n in json_ld(root))


def read_root(root: HtmlElement, url: str, profile_name: str, timezone: str) -> ArticlePage:
    """Read an article page's parsed tree (the tree is modified: the body is cleaned)."""
    links = [(link.url, link.role, link.rule) for link in find_links(root, url)]
    sel = Selector(root=root, type="html")
    # Dates first: extraction edits the tree.
    markup = DateMarkup(sel)
    published, published_raw, by_markup = dated_page(sel, timezone, markup=markup)
    modified = modified_from_page(sel, timezone, markup)
    declared = _joined(url, root.xpath("//head/link[@rel='canonical']/@href"))
    shortlinks = _joined(url, root.xpath("//head/link[@rel='shortlink']/@href"))
    rest = [u for u in _joined(url, root.xpath(
        "//head/link[@rel='alternate'][@type='application/json']/@href")) if _REST_POSTS in u]
    loader = ArticleLoader()
    for name, value in extract_fields(root, get_profile(profile_name)).items():
        loader.add_value(name, value)
    loader.add_value("published", published)
    loader.add_value("published_raw", published_raw)
    loader.add_value("modified", modified)
    values = dict(loader.load_item())
    body = values.get("body") or ""
    values["word_count"] = word_count(body)
    values["content_hash"] = content_hash(values.get("title") or "", body)
    return ArticlePage(declared, shortlinks, links, rest[0] if rest else None, values,
                       by_markup)


def read_page(text: str, url: str, profile_name: str, timezone: str,
              by_url: bool | None) -> ArticlePage | None:
    """Parse *text* (the page at *url*) and read it if it is an article: *by_url* True
    says its URL makes it one, None leaves it to the markup.  None for other pages."""
    root = Selector(text=text, type="html").root
    if by_url is None and not looks_like_article(root):
        return None
    return read_root(root, url, profile_name, timezone)


def _joined(base: str, hrefs: list[str]) -> list[str]:
    return [u for u in (join_url(base, h) for h in hrefs) if u is not None]


def _worker_init(crawl_pid: int) -> None:
    """Tie a worker's life to the crawl's: Ctrl-C is the crawl's to handle, and when the
    crawl's process dies, even by SIGKILL, the worker goes too (it holds both ends of
    its task queue, so it would wait for work forever)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the watch below still holds
        pass
    threading.Thread(target=_watch_crawl, args=(crawl_pid,), daemon=True,
                     name="watch-crawl").start()


def _watch_crawl(crawl_pid: int) -> None:
    # The crawl may have died before the signal above was asked for: then this worker
    # has another parent already.
    while os.getppid() == crawl_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _ready() -> None:
    """A first task, to start a worker."""


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Hide the crawl's main script from the workers started meanwhile.

    A spawned worker imports its parent's ``__main__`` first; a script that runs a crawl
    without an ``if __name__ == "__main__":`` guard would then run it again in every
    worker.  The workers need nothing of the script: they import this module."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class PageReader:
    """Reads pages in *workers* processes (0: in the calling process).

    A pool that breaks (a worker killed) is not fatal: the rest of the run reads pages
    in the crawl's own process."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        if workers > 0:
            try:
                self._pool = self._start(workers)
            except (OSError, ImportError, NotImplementedError) as e:
                # No process pool here (no /dev/shm in some containers): read in-process.
                logger.warning("no page reader process (%s): reading pages in the crawl's "
                               "process", e)

    @staticmethod
    def _start(workers: int) -> ProcessPoolExecutor:
        # spawn, not fork: the crawl's process runs a reactor, threads and SQLite.
        pool = ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"),
                                   initializer=_worker_init, initargs=(os.getpid(),))
        with _main_script_hidden():
            # Each submit to a pool short of workers starts one: start them all now,
            # while the script is hidden.
            for _ in range(workers):
                pool.submit(_ready)
        return pool

    @property
    def in_process(self) -> bool:
        return self._pool is None

    async def read(self, *args: Any) -> ArticlePage | None:
        """``read_page(*args)`` in a worker."""
        if self._pool is None:
            return read_page(*args)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, read_page, *args)
        except BrokenProcessPool:
            if self._pool is not None:  # the first read to fail says so, once
                logger.warning("the page reader's worker process died: reading pages in "
                               "the crawl's process from now on")
                self.close()
            return read_page(*args)

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
