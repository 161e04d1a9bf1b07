"""``python -m crawler`` is the ``crawler`` command."""

from crawler.entry import main

main()
