"""Starting page-reader processes (``crawler.pagereader``), early when asked.

A reader imports for half a second (lxml, parsel, Scrapy's item loaders) before it
reads a page.  ``crawler crawl`` starts one before its own imports (``start_early``),
so that both happen at once, on both cores; the crawl's ``PageReader`` then takes it
(``take``) instead of starting another.  This module imports nothing heavy for that.
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys

# Readers started before the crawl asked for them, not taken yet.
_early: list[subprocess.Popen[bytes]] = []


def spawn() -> subprocess.Popen[bytes]:
    """A new reader process, fed on its stdin and answering on its stdout."""
    # -m, not the crawl's own script: nothing of the crawl runs again in a reader.
    # The crawl's import path, too: scrapyd, for one, puts the project's egg on it.
    path = os.pathsep.join(entry for entry in sys.path if entry)
    # Its own process group: a Ctrl-C at the terminal is the crawl's to handle, even
    # while the reader still imports (it ignores SIGINT only once it has).
    return subprocess.Popen(
        [sys.executable, "-m", "crawler.pagereader", str(os.getpid())],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True,
        env={**os.environ, "PYTHONPATH": path}, process_group=0)


def start_early(count: int) -> None:
    """Start *count* readers now, for the crawl this process is about to run."""
    if not _early:
        atexit.register(discard_early)
    try:
        _early.extend(spawn() for _ in range(count))
    except OSError:  # no fork or no pipes here: the crawl finds out itself, and says so
        pass


def take() -> subprocess.Popen[bytes]:
    """A reader started early, else a new one."""
    while _early:
        proc = _early.pop(0)
        if proc.poll() is None:
            return proc
        _close(proc)
    return spawn()


def discard_early() -> None:
    """Stop the readers started early that no crawl took: killed, as they hold no
    work, rather than waited for while they finish importing."""
    while _early:
        proc = _early.pop()
        proc.kill()
        _close(proc)


def _close(proc: subprocess.Popen[bytes]) -> None:
    for pipe in (proc.stdin, proc.stdout):
        if pipe is not None:
            pipe.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
