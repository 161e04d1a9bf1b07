"""The ``crawler`` command's entry point (and ``python -m crawler``'s).

For ``crawler crawl``, the page reader starts first: its imports and the command's
own (Scrapy's take most of a second) then run at once, on two cores, and the reader
is ready by the first page.  Nothing heavy is imported before it starts.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

# The project's default PARSE_WORKERS; a crawl that wants fewer stops the others.
DEFAULT_READERS = 1
MAX_EARLY_READERS = 8


def early_readers(argv: Sequence[str]) -> int:
    """Page readers the command line *argv* (no program name) asks to start early:
    ``PARSE_WORKERS`` as ``-s``/``--set`` gives it, else the default; none but for
    ``crawl``."""
    if not argv or argv[0] != "crawl":
        return 0
    count = DEFAULT_READERS
    for flag, value in zip(argv, argv[1:], strict=False):
        name, _, number = value.partition("=")
        if flag in ("-s", "--set") and name.strip() == "PARSE_WORKERS":
            count = int(number) if number.strip().isdigit() else 0  # the CLI says why
    return min(count, MAX_EARLY_READERS)


def main() -> None:
    """Start the page readers a crawl will use, then run the command."""
    count = early_readers(sys.argv[1:])
    if count:
        from crawler.readers import start_early
        start_early(count)
    from crawler.cli import main as command
    command()
