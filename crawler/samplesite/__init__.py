"""A generated Arabic WordPress news site served on loopback, with its own truth.

``generate(n, seed)`` builds a deterministic site of *n* articles in four theme
families, linked by prev/next chains and read-also links, with duplicate copies,
shortlinks and the URL variants real sites produce; ``site.truth`` says what a
perfect crawl stores.  ``serve(site)`` serves it from memory on 127.0.0.1::

    site = generate(200, seed=1)
    with serve(site) as server:
        start = site.middle_article(server.origin)
        expected = server.truth

``python -m crawler.samplesite --articles N --seed S`` serves one in the foreground.
"""

from __future__ import annotations

from crawler.samplesite.generator import generate
from crawler.samplesite.model import PLACEHOLDER, Page, Site
from crawler.samplesite.server import SampleServer, serve

__all__ = ["PLACEHOLDER", "Page", "SampleServer", "Site", "generate", "serve"]
