"""The progress of a crawl: a live line on a terminal, a periodic log line elsewhere."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

logger = logging.getLogger(__name__)
CLEAR = "\r\x1b[K"  # back to the start of the line, and erase it


def duration(seconds: float) -> str:
    """A short, rounded duration.

    >>> duration(42.4), duration(200), duration(3 * 3600 + 5 * 60)
    ('42 s', '3 min', '3 h 05 min')
    """
    if round(seconds) < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class TerminalLine:
    """A line kept at the bottom of a terminal: cleared before anything else is
    written through this object, drawn again after.

    While attached, it is the stream of the root logger's handlers that write to the
    same terminal (Scrapy's own among them), so a log record never runs into the line."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.text = ""
        self.shown = False
        self.at_line_start = True
        self.handlers: list[logging.StreamHandler] = []
        # Log records may come from other threads than the one that draws.
        self.lock = threading.RLock()

    def attach(self) -> None:
        """Route the root logger's handlers that write to this terminal through the line."""
        for handler in logging.root.handlers:
            if (isinstance(handler, logging.StreamHandler)
                    and not isinstance(handler, logging.FileHandler)
                    and handler.stream is self.stream):
                handler.setStream(self)  # type: ignore[arg-type]
                self.handlers.append(handler)

    def detach(self) -> None:
        """Give the handlers their stream back."""
        for handler in self.handlers:
            handler.setStream(self.stream)
        self.handlers = []

    def draw(self, text: str) -> None:
        """Show *text* as the line, in place of what it showed."""
        with self.lock:
            self._clear()
            self.text = text[:self._width()]
            self._draw()
            self.stream.flush()

    def end(self) -> None:
        """Leave the line as it is, on a line of its own, and detach."""
        with self.lock:
            self.detach()
            if self.shown:
                self.stream.write("\n")
                self.stream.flush()
            self.shown, self.text = False, ""

    # The file interface a StreamHandler writes a record through: write, then flush.
    def write(self, text: str) -> int:
        with self.lock:
            self._clear()
            if text:
                self.at_line_start = text.endswith("\n")
            return self.stream.write(text)

    def flush(self) -> None:
        with self.lock:
            self._draw()
            self.stream.flush()

    def _clear(self) -> None:
        if self.shown:
            self.stream.write(CLEAR)
            self.shown = False

    def _draw(self) -> None:
        if self.text and not self.shown and self.at_line_start:
            self.stream.write(self.text)
            self.shown = True

    def _width(self) -> int | None:
        """Columns of the terminal less one: a longer line would wrap, and a clear would
        erase only its last row.  None when the stream has no terminal size."""
        try:
            return os.get_terminal_size(self.stream.fileno()).columns - 1
        except (OSError, ValueError):
            return None


class Progress:
    """Progress while a crawl runs: pages, new, duplicates, 304 answers, errors, rate,
    elapsed, and once the sitemaps have listed the site's posts, how many of them the
    corpus has and the time left.

    On a terminal, a live line rewritten in place every ``PROGRESS_INTERVAL`` seconds,
    cleared before each log record and drawn again after it; otherwise (logs, cron
    mail) the same figures as one log line every ``LOGSTATS_INTERVAL`` seconds, and no
    terminal control characters.
    Settings: ``PROGRESS_ENABLED`` (default True), ``PROGRESS_INTERVAL`` (default 1).
    """

    def __init__(self, stats: StatsCollector, interval: float, out: TextIO | None):
        self.stats = stats
        self.interval = interval
        self.terminal = TerminalLine(out) if out is not None else None  # None: log
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        if not settings.getbool("PROGRESS_ENABLED"):
            raise NotConfigured("PROGRESS_ENABLED is off")
        assert crawler.stats is not None
        if sys.stderr.isatty():
            ext = cls(crawler.stats, settings.getfloat("PROGRESS_INTERVAL"), sys.stderr)
        else:
            ext = cls(crawler.stats, settings.getfloat("LOGSTATS_INTERVAL"), None)
        if ext.interval <= 0:  # Scrapy's way to turn the periodic stats line off
            raise NotConfigured("no interval: PROGRESS_INTERVAL or LOGSTATS_INTERVAL is 0")
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        """The progress figures for the stats as they are now."""
        get = self.stats.get_value
        elapsed = max(time.monotonic() - self.started, 1e-9)
        pages = get("response_received_count", 0)
        duplicates = get("dedupe/duplicate", 0) + get("dedupe/replaced", 0)
        # The total and the time left first: a narrow terminal cuts the line's end.
        listed = get("discovery/posts_listed", 0)
        parts = [self.listed(listed, elapsed)] if listed else []
        parts += [f"pages {pages} ({pages / elapsed:.0f}/s)", f"new {get('store/inserted', 0)}",
                  f"dup {duplicates}", f"304 {get('fetch/not_modified', 0)}",
                  f"errors {get('fetch/failed', 0)}", f"{elapsed:.0f} s"]
        return "  ".join(parts)

    def listed(self, listed: int, elapsed: float) -> str:
        """How many of the *listed* posts the corpus has, and the time left at the
        rate articles were read so far."""
        get = self.stats.get_value
        # Articles read this run (their copies under other URLs left out), and the
        # posts an earlier run stored that the sitemaps say are unchanged.
        read = get("validate/ok", 0) - get("dedupe/duplicate", 0)
        done = min(read + get("discovery/posts_listed_known", 0), listed)
        text = f"posts {done}/{listed}"
        if read > 0 and done < listed:
            text += f" ({duration((listed - done) * elapsed / read)} left)"
        return text

    def show(self) -> None:
        if self.terminal is None:
            logger.info("progress: %s", self.line())
        else:
            self.terminal.draw(self.line())

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        if self.terminal is not None:
            self.terminal.attach()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=self.terminal is not None)

    def spider_closed(self, spider: Spider) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        if self.terminal is not None:
            self.terminal.draw(self.line())
            self.terminal.end()
