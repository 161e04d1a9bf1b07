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

WordPress date archives (``/YYYY/MM/DD/``, ``/YYYY/MM/``, ``/YYYY/MM/page/N/``) list
every article, so a crawler can bridge a break in the chain through them.

``serve(site, faults=Faults(...))`` fails on purpose, deterministically per fault seed:
5xx errors and bursts of 503, slow answers, timeouts, resets, truncated bodies, 429s
(each transient: a path's third attempt is always served), windows-1256 pages, broken
markup, articles answered 404 for good, a redirect loop, a redirect to another host, an
oversized page, an endless calendar and pagination, a prev/next cycle and a robots.txt
that disallows a section.  ``server.truth`` (``site.truth_under(faults, origin)``) then
says what a perfect crawler can still store::

    with serve(site, faults=Faults(seed=1, error_rate=0.1, missing={57})) as server:
        expected = server.truth

``python -m crawler.samplesite --articles N --seed S [--edits J]`` serves one in the
foreground; one flag per fault (``--error-rate 0.1 --missing 57,58 --trap``) adds faults.
"""

from __future__ import annotations

from crawler.samplesite.faults import Faults
from crawler.samplesite.generator import generate
from crawler.samplesite.model import PLACEHOLDER, Page, Site
from crawler.samplesite.server import SampleServer, serve

__all__ = ["PLACEHOLDER", "Faults", "Page", "SampleServer", "Site", "generate", "serve"]
