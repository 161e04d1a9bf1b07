"""A generated Arabic WordPress news site served on loopback, with its own truth.

``generate(n, seed)`` builds a deterministic site of *n* published articles in four
theme families, linked by prev/next chains and read-also links, with duplicate
copies, shortlinks and the URL variants real sites produce; ``site.truth`` says what
a perfect crawl stores.  ``serve(site)`` serves it from memory on 127.0.0.1, with
``ETag``/``Last-Modified`` and 304 answers to conditional requests::

    site = generate(200, seed=1)
    with serve(site) as server:
        start = site.middle_article(server.origin)
        expected = server.truth

Days follow one another: ``generate(n + k, seed)`` is the same site after k more
articles (older articles keep their content; the previous newest chain article gains
its ``next`` link), ``generate(n, seed, edits=j)`` the day editors corrected j recent
articles (``truth["edited"]``), and ``server.replace_site(site)`` serves another day
on the same origin.  Widgets (views, comment counts, script nonces) change every day
without being edits.

``python -m crawler.samplesite --articles N --seed S [--edits J]`` serves one in the
foreground.
"""

from __future__ import annotations

from crawler.samplesite.generator import generate
from crawler.samplesite.model import PLACEHOLDER, Page, Site
from crawler.samplesite.server import SampleServer, serve

__all__ = ["PLACEHOLDER", "Page", "SampleServer", "Site", "generate", "serve"]
