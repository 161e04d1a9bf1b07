"""Pages read in worker processes beside the crawl: ``PageReader``.

Each worker is ``python -m crawler.pagereader``, fed over its stdin and answering on
its stdout with length-prefixed pickles, one answer per page in order.  The crawl's
side is two asyncio pipe transports in the reactor's own event loop: no thread and no
lock per page (a process pool's feeder and result threads cost the crawl's process
more CPU than the pickling itself).

A worker dies with its crawl, even a SIGKILLed one; when a worker dies first, the
pages it held and every later one are read in the crawl's process.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import replace
from typing import IO, Any

from crawler import readers
from crawler.analysis import ArticlePage, read_page
from crawler.bodies import pack_body

logger = logging.getLogger(__name__)

_FRAME = struct.Struct("!Q")  # the byte length of the pickle that follows
# How often a worker checks that the crawl that started it still runs.
PARENT_CHECK_SECONDS = 0.5
# A worker yields the CPU to its crawl: the crawl's event loop sends the requests and
# takes the answers, and a page waiting to be read costs less than a connection idle.
NICENESS = 5
# Pages waiting in a worker before the crawl's process reads the next one itself.
BACKLOG = 16
# How long close() waits for a worker to finish what it holds and exit.
CLOSE_SECONDS = 5.0


class WorkerDied(Exception):
    """A worker ended before answering."""


class _Answers(asyncio.Protocol):
    """Reads a worker's answers off its stdout and settles its waiting reads in order."""

    def __init__(self, worker: _Worker) -> None:
        self.worker = worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= _FRAME.size:
            (size,) = _FRAME.unpack_from(self.buffer)
            end = _FRAME.size + size
            if len(self.buffer) < end:
                return
            payload = bytes(memoryview(self.buffer)[_FRAME.size:end])
            del self.buffer[:end]
            self.worker.answered(pickle.loads(payload))

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker.died()


class _Worker:
    """One worker process and the reads it has not answered yet, oldest first."""

    def __init__(self) -> None:
        self.proc = readers.take()  # one started early (``crawler crawl``), else a new one
        self.waiting: deque[asyncio.Future[Any]] = deque()
        self.pending = 0  # reads asked of this worker and not answered yet
        self.alive = True
        self._send: asyncio.WriteTransport | None = None
        self._receive: asyncio.ReadTransport | None = None
        self._connecting: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def read(self, args: tuple[Any, ...]) -> ArticlePage | None:
        """``read_page(*args)`` in this worker."""
        self.pending += 1
        try:
            return await self._read(args)
        finally:
            self.pending -= 1

    async def _read(self, args: tuple[Any, ...]) -> ArticlePage | None:
        loop = asyncio.get_running_loop()
        if self._connecting is None:  # the pipes join the loop on the first read
            self._connecting = asyncio.ensure_future(self._connect(loop))
        await self._connecting
        if not self.alive or self._send is None or self._send.is_closing():
            raise WorkerDied
        data = pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL)
        answer: asyncio.Future[Any] = loop.create_future()
        self.waiting.append(answer)
        self._send.write(_FRAME.pack(len(data)) + data)
        ok, value = await answer
        if not ok:
            raise value
        return value

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._loop = loop
        self._send, _ = await loop.connect_write_pipe(asyncio.Protocol, self.proc.stdin)
        self._receive, _ = await loop.connect_read_pipe(lambda: _Answers(self), self.proc.stdout)

    def answered(self, answer: tuple[bool, Any]) -> None:
        if self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(answer)

    def died(self) -> None:
        """The worker's stdout closed: every read it holds fails."""
        self.alive = False
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_exception(WorkerDied())

    def close(self) -> None:
        """Let the worker finish and exit (its stdin closes), or stop it."""
        self.alive = False
        # Closing the pipes themselves, not through their transports: those would close
        # them on the loop's next turn (if it turns again), and the worker must see its
        # input end now, while this waits for it.
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._loop is not None and not self._loop.is_closed():
            # A dead worker's pipes closed themselves as it died.
            if self._send is not None and not self._send.is_closing():
                self._send.abort()
            if self._receive is not None and not self._receive.is_closing():
                self._receive.close()


class PageReader:
    """Reads pages in *workers* processes (0: in the calling process), started by
    ``start()`` or the first read, so that a spider built and never run starts none of
    its own (``crawler crawl`` starts its readers early: ``crawler.readers``); a page
    finding *backlog* pages waiting in every worker is read in the calling process.

    A worker that dies (killed) is not fatal: the rest of the run reads pages in the
    crawl's own process."""

    def __init__(self, workers: int, backlog: int | None = None) -> None:
        self.size = max(0, workers)
        self.backlog = BACKLOG if backlog is None else backlog
        self.read_here = 0  # pages read in the calling process while workers were busy
        self.workers: list[_Worker] = []

    @property
    def in_process(self) -> bool:
        """True when pages are read in the calling process."""
        return self.size == 0

    @property
    def pids(self) -> list[int]:
        """Process ids of the running workers."""
        return [w.proc.pid for w in self.workers]

    def start(self) -> None:
        """Start the workers not running yet (a read starts them too); those started
        early (``crawler.readers``) are taken first, and any left over stopped."""
        try:
            for _ in range(self.size - len(self.workers)):
                try:
                    self.workers.append(_Worker())
                except OSError as e:  # no fork or no pipes here: read in-process
                    logger.warning("no page reader process (%s): reading pages in the "
                                   "crawl's process", e)
                    self.close()
                    return
        finally:
            readers.discard_early()

    async def read(self, *args: Any) -> ArticlePage | None:
        """``read_page(*args)`` in the least busy worker."""
        if self.size and not self.workers:
            self.start()
        if not self.workers:
            return read_page(*args)
        worker = min(self.workers, key=lambda w: w.pending)
        if worker.pending >= self.backlog:
            # Every worker has pages waiting: read this one here, on the crawl's own core,
            # rather than queue it (a queue of hundreds, and a core idle at the end).
            self.read_here += 1
            return read_page(*args)
        try:
            return await worker.read(args)
        except WorkerDied:
            if self.workers:  # the first read to fail says so, once
                logger.warning("a page reader process died: reading pages in the crawl's "
                               "process from now on")
                self.close()
            return read_page(*args)

    def close(self) -> None:
        """Stop the workers; pages are read in the calling process from now on."""
        self.size = 0
        workers, self.workers = self.workers, []
        for worker in workers:
            worker.close()


# -- the worker's side -------------------------------------------------------


def read_and_pack(body: str | bytes, *args: Any) -> ArticlePage | None:
    """``read_page(body, *args)``, an article's raw *body* packed for the corpus too."""
    page = read_page(body, *args)
    if page is not None and isinstance(body, bytes):
        page = replace(page, packed_body=pack_body(body))
    return page


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer each page sent on *requests* with ``(True, page)`` or ``(False, error)``
    on *answers*, until *requests* ends."""
    while True:
        head = requests.read(_FRAME.size)
        if len(head) < _FRAME.size:
            return
        args = pickle.loads(requests.read(_FRAME.unpack(head)[0]))
        try:
            answer: tuple[bool, Any] = (True, read_and_pack(*args))
        except Exception as e:  # the crawl's side raises it, as if read there
            answer = (False, e)
        try:
            data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # an error that does not pickle: its text does
            data = pickle.dumps((False, RuntimeError(f"{type(e).__name__}: {e}")))
        answers.write(_FRAME.pack(len(data)) + data)
        answers.flush()


def _tie_to(crawl_pid: int) -> None:
    """Ctrl-C is the crawl's to handle; and when the crawl dies, even by SIGKILL, the
    worker goes too."""
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


def main() -> None:
    """Serve the crawl that started this process on stdin and stdout; anything printed
    goes to stderr, so that stdout carries answers only."""
    _tie_to(int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    os.nice(NICENESS)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
