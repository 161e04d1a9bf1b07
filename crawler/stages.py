"""Where a crawl's CPU goes, by stage: a sampling profile (pyinstrument) of the crawl,
each sample charged to the stage of the code it was in.

A sample belongs to the outermost stage module on its stack, so the dedupe pipeline's
call into ``crawler.text`` counts as dedupe, and the spider's call into ``crawler.extract``
as extraction; spider code counts as "spider" only when it called no stage module, and
everything outside our code and the libraries it calls (the engine, HTTP, the reactor) as
"Scrapy: engine, HTTP, reactor".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import click

ENGINE = "Scrapy: engine, HTTP, reactor"
SPIDER = "spider (other)"
IDLE = "waiting for the network"
# Path fragments and their stage, looked up in order.
STAGES: tuple[tuple[str, str], ...] = (
    ("pipelines/store.py", "store pipeline (SQLite)"),
    ("crawler/storage/", "store pipeline (SQLite)"),
    ("pipelines/dedupe.py", "dedupe pipeline"),
    ("pipelines/validate.py", "validate pipeline"),
    ("crawler/extract.py", "extraction (fields, body)"),
    ("crawler/loaders.py", "extraction (fields, body)"),
    ("crawler/text.py", "extraction (fields, body)"),
    ("itemloaders/", "extraction (fields, body)"),
    ("crawler/dates.py", "dates"),
    ("crawler/link", "links (prev/next, read-also)"),
    ("crawler/prevnext.py", "links (prev/next, read-also)"),
    ("crawler/readalso.py", "links (prev/next, read-also)"),
    ("crawler/urls.py", "URL canonicalisation"),
    ("crawler/sitemaps.py", "discovery (sitemaps, feeds)"),
    ("crawler/feeds.py", "discovery (sitemaps, feeds)"),
    ("crawler/memory.py", "incremental memory"),
    ("crawler/fetchlog.py", "fetch records"),
    ("crawler/middlewares.py", "our middlewares"),
    ("crawler/retry.py", "our middlewares"),
    ("crawler/encoding.py", "our middlewares"),
    ("crawler/integrity.py", "our middlewares"),
    ("crawler/extensions.py", "run recorder, progress"),
    ("parsel/", "HTML parsing (lxml)"),
    ("spiders/", SPIDER),
)


def stage_of(path: str) -> str | None:
    """The stage of a source file, or None for code outside every stage.

    >>> stage_of("/x/pipelines/store.py"), stage_of("/x/crawler/linkpage.py")
    ('store pipeline (SQLite)', 'links (prev/next, read-also)')
    >>> stage_of("/x/twisted/internet/tcp.py") is None
    True
    """
    path = path.replace("\\", "/")
    return next((stage for part, stage in STAGES if part in path), None)


def _waits(frame: Any) -> bool:
    """True for the event loop's wait for sockets: sampled, but no CPU."""
    return (frame.function in ("select", "poll")
            and (frame.file_path or "").replace("\\", "/").endswith("/selectors.py"))


@dataclass
class StageProfile:
    """Sampled seconds by stage."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    def rows(self) -> list[tuple[str, float, float]]:
        """(stage, seconds, share of the time not spent waiting), largest first;
        waiting comes last, with no share."""
        busy = {name: s for name, s in self.seconds.items() if name != IDLE}
        total = sum(busy.values()) or 1.0
        rows = sorted(((name, s, s / total) for name, s in busy.items()), key=lambda r: -r[1])
        if IDLE in self.seconds:
            rows.append((IDLE, self.seconds[IDLE], 0.0))
        return rows


def charge(root: Any, into: StageProfile) -> None:
    """Charge the self time of every frame of a pyinstrument frame tree to the outermost
    stage on its stack; spider code yields to any deeper stage."""
    todo: list[tuple[Any, str | None]] = [(root, None)]
    while todo:  # a loop, not recursion: reactor stacks run deep
        frame, outer = todo.pop()
        own = IDLE if _waits(frame) else stage_of(frame.file_path or "")
        stage = outer if outer not in (None, SPIDER) else (own or outer)
        children = list(frame.children)
        self_time = frame.time - sum(child.time for child in children)
        if self_time > 0:
            into.add(stage or ENGINE, self_time)
        todo.extend((child, stage) for child in children)


@dataclass
class Profiling:
    """What ``profiling`` yields: the stage profile, filled in when the block ends."""

    result: StageProfile | None = None


def require_profiler() -> Any:
    """pyinstrument's Profiler, or a one-line error saying how to install it."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise click.ClickException(
            "--profile needs pyinstrument: pip install 'arabic-news-crawler[bench]'") from None
    return Profiler


@contextmanager
def profiling(enabled: bool) -> Iterator[Profiling]:
    """Sample the block's stack every millisecond (when *enabled*) and sort the time by
    stage.  Needs pyinstrument (the ``bench`` extra)."""
    holder = Profiling()
    if not enabled:
        yield holder
        return
    profiler = require_profiler()(interval=0.001, async_mode="disabled")
    profiler.start()
    try:
        yield holder
    finally:
        session = profiler.stop()
        holder.result = StageProfile()
        root = session.root_frame()
        if root is not None:
            charge(root, holder.result)
