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

The site publishes what WordPress and its plugins publish besides the pages: a
robots.txt whose ``Sitemap:`` lines name core's sitemap index (``/wp-sitemap.xml``:
posts with their ``lastmod``, then category and user sitemaps) and a Google News
sitemap (``/news-sitemap.xml``: the posts of the last two days); an RSS 2.0 feed of
the ten newest posts at ``/feed/``, named in every page's head; date archives
(``/YYYY/MM/DD/``, ``/YYYY/MM/``) and category, tag and author archives
(``/category/<slug>/``, linked from the home page's menu), all listing every article
newest first, ten a page, with ``.../page/N/`` pagination (``.nav-links``, and
``rel=next`` in the head).  A crawler can bridge a break in the chain through the
date archives, and find many articles at once through the sitemaps, the feed and the
categories.

``serve(site, faults=Faults(...))`` fails on purpose, deterministically per fault seed:
5xx errors and bursts of 503, slow answers, timeouts, resets, truncated bodies, 429s
(each transient: a path's third attempt is always served), windows-1256 pages, broken
markup, articles answered 404 for good, a redirect loop, a redirect to another host, an
oversized page, an endless calendar and pagination (of the home page, and of every
category past its last page), a prev/next cycle and a robots.txt that disallows a
section.  ``server.truth`` (``truth.truth_under(site, faults, origin)``) then
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
