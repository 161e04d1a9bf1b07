"""Serve a sample site in the foreground: ``python -m crawler.samplesite --articles N``
(``--edits J`` for a day on which editors corrected J of the ten newest articles,
``--latency S`` to delay every response by S seconds).

``--prerender`` is the benchmarks' mode: every page is rendered before serving, and an
event loop (``loopserver``) answers instead of a thread per connection, so serving costs
the benchmark's machine little CPU; the same pages, without faults.

Faults are off unless asked for, one flag per field of ``Faults``: ``--error-rate 0.1
--missing 57,58 --robots-disallow /2017/03/ --trap ...`` (``--help`` lists them).

Prints the origin (``http://127.0.0.1:PORT``) on one line once listening, writes the
truth there if asked, and exits after ``--max-seconds`` (default 600; 0 serves until
stopped) or on SIGTERM/SIGINT, saying on stderr, in one line, which of them stopped it:
a crawl that finds the site gone then has its reason.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import MISSING, fields
from pathlib import Path

from crawler.samplesite.faults import Faults
from crawler.samplesite.generator import generate
from crawler.samplesite.loopserver import LoopServer, serve_loop
from crawler.samplesite.server import SampleServer, serve


def positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type that accepts numbers above zero."""

    def parse(text: str) -> int | float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above zero, not {text}")
        return value

    return parse


def non_negative(text: str) -> float:
    """An argparse type that accepts numbers of at least zero."""
    value = float(text)
    if not 0 <= value < float("inf"):  # NaN fails both comparisons
        raise argparse.ArgumentTypeError(f"must be at least zero, not {text}")
    return value


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m crawler.samplesite",
                                description="Serve a generated Arabic news site on 127.0.0.1.")
    p.add_argument("--articles", type=positive(int), default=200, help="number of articles")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same site)")
    p.add_argument("--edits", type=int, default=0,
                   help="number of the ten newest articles edited that day (0-10)")
    p.add_argument("--edit-seed", type=int, help="random seed of the edits")
    p.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    p.add_argument("--truth", type=Path, help="write the truth JSON (URLs on the origin) here")
    p.add_argument("--latency", type=non_negative, default=0.0,
                   help="seconds every response waits before it is sent (default 0)")
    p.add_argument("--prerender", action="store_true",
                   help="render every page first and serve from one event loop, cheap "
                        "on CPU (for benchmarks; no faults)")
    p.add_argument("--max-seconds", type=non_negative, default=600.0,
                   help="stop after this many seconds (default 600; 0: no limit, serve "
                        "until SIGTERM or SIGINT)")
    add_fault_flags(p.add_argument_group("faults (all off by default)"))
    return p


def comma_list(kind: type) -> Callable[[str], tuple]:
    """An argparse type for comma-separated values of *kind*."""

    def parse(text: str) -> tuple:
        return tuple(kind(part.strip()) for part in text.split(",") if part.strip())

    return parse


def add_fault_flags(group: argparse._ArgumentGroup) -> None:
    """One flag per field of ``Faults``, named after it, with its help; the faults'
    seed is the site's unless given."""
    for f in fields(Faults):
        flag = f.metadata.get("flag", "--" + f.name.replace("_", "-"))
        default = f.default if f.default is not MISSING else None
        dest = {"dest": "fault_" + f.name, "help": f.metadata["help"],
                "metavar": f.name.rsplit("_", 1)[-1].upper()}
        if f.name == "seed":
            group.add_argument(flag, type=int, **dest)
        elif isinstance(default, bool):
            del dest["metavar"]
            group.add_argument(flag, action="store_true", **dest)
        elif isinstance(default, int | float):
            group.add_argument(flag, type=type(default), default=default, **dest)
        else:
            kind = int if f.name == "missing" else str
            group.add_argument(flag, type=comma_list(kind), default=(), **dest)


def faults_of(args: argparse.Namespace) -> Faults:
    """The faults the command line asks for."""
    chosen = {f.name: getattr(args, "fault_" + f.name) for f in fields(Faults)}
    if chosen["seed"] is None:
        chosen["seed"] = args.seed
    return Faults(**chosen)


def write_json(path: Path, data: dict) -> None:
    """Write *data* as JSON atomically (readers never see half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def wait_for_stop(stop: threading.Event, received: list[signal.Signals],
                  max_seconds: float) -> str:
    """Wait until a signal sets *stop* or *max_seconds* pass (0: no limit); return the
    line that says why the site stops."""
    deadline = time.monotonic() + max_seconds if max_seconds else None
    # Short waits: the signal handler runs between them at the latest.
    while not stop.is_set():
        left = 1.0 if deadline is None else deadline - time.monotonic()
        if left <= 0:
            return (f"sample site: stopping after {max_seconds:g} s (--max-seconds); "
                    "give --max-seconds 0 to serve until stopped")
        stop.wait(min(left, 1.0))
    return f"sample site: stopping on {received[0].name}"


def main(argv: list[str] | None = None) -> int:
    """Run the server until the time limit or a signal; return the exit status."""
    cli = parser()
    args = cli.parse_args(argv)
    try:
        site = generate(args.articles, args.seed, edits=args.edits, edit_seed=args.edit_seed)
        faults = faults_of(args)
    except ValueError as e:
        cli.error(str(e))
    if args.prerender and faults.active:
        # One line, not argparse's usage: the command line is valid, only this mix is not.
        cli.exit(2, f"{cli.prog}: error: --prerender serves without faults; "
                    "drop the fault flags\n")
    stop = threading.Event()
    received: list[signal.Signals] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signal.Signals(signum))
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    server: SampleServer | LoopServer
    try:
        if args.prerender:
            server = serve_loop(site, port=args.port, latency=args.latency)
        else:
            server = serve(site, port=args.port, faults=faults, latency=args.latency)
    except ValueError as e:
        cli.error(str(e))
    except OSError as e:
        print(f"cannot listen on 127.0.0.1:{args.port}: {e.strerror}", file=sys.stderr)
        return 1
    with server:
        if args.truth:
            write_json(args.truth, server.truth)
        print(server.origin, flush=True)
        why = wait_for_stop(stop, received, args.max_seconds)
        print(why, file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
