"""The ``crawler`` command's entry point (and ``python -m crawler``'s).

For ``crawler crawl``, the page reader starts first: its imports and the command's
own (Scrapy's take most of a second) then run at once, on two cores, and the reader
is ready by the first page.  Nothing heavy is imported before it starts.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

# The project's default PARSE_WORKERS (a test holds them equal); a crawl that wants
# fewer stops the others.
DEFAULT_READERS = 1
MAX_EARLY_READERS = 8


def early_readers(argv: Sequence[str]) -> int:
    """Page readers the command line *argv* (no program name) asks to start early:
    ``PARSE_WORKERS`` as ``-s``/``--set`` gives it, else the default; none but for
    ``crawl``."""
    if not argv or argv[0] != "crawl":
        return 0
    count = DEFAULT_READERS
    for value in _set_values(argv[1:]):
        name, _, number = value.partition("=")
        if name.strip() == "PARSE_WORKERS":
            # A value that is not a whole number: none early, and the CLI says why.
            count = int(number) if number.strip().isdecimal() else 0
    return min(count, MAX_EARLY_READERS)


def _set_values(args: Sequence[str]) -> list[str]:
    """The ``NAME=VALUE`` of each ``-s``/``--set`` in *args*, in any spelling the
    command line takes: ``-s V``, ``--set V``, ``--set=V``, ``-sV``."""
    values = []
    for arg, following in zip(args, [*args[1:], None], strict=True):
        if arg in ("-s", "--set"):
            if following is not None:
                values.append(following)
        elif arg.startswith("--set="):
            values.append(arg.removeprefix("--set="))
        elif arg.startswith("-s") and not arg.startswith("--"):
            values.append(arg.removeprefix("-s"))
    return values


def main() -> None:
    """Start the page readers a crawl will use, then run the command."""
    count = early_readers(sys.argv[1:])
    if count:
        from crawler.readers import start_early
        start_early(count)
    try:
        from crawler.cli import main as command
    except KeyboardInterrupt:  # Ctrl-C while the command still imports
        sys.exit("Aborted!")  # as the command itself says it, with status 1
    command()
