"""The truth under faults: what a perfect crawler can still store from a faulty server.

Transient faults change nothing: a retry succeeds and the text decodes the same.  The
lasting ones do: articles answered 404 for good, disallowed by robots.txt or padded
beyond any download limit cannot be stored, and a cycle changes one ``next`` link.
The rest is what stays reachable from the middle article through prev/next and
read-also links, the home page, and the date archives of every article seen (its
month and the month before, as a crawler bridging a chain break reads them).
"""

from __future__ import annotations

import json
from collections import defaultdict

from crawler.samplesite.faults import Faults
from crawler.samplesite.model import PLACEHOLDER, Site
from crawler.samplesite.pages import LISTING_SIZE
from crawler.samplesite.placement import Placement, place


def truth_under(site: Site, faults: Faults, origin: str) -> dict:
    """The truth of *site* served with *faults*, with URLs on *origin*: the articles a
    perfect crawler stores, their links (to canonical URLs, even of articles it cannot
    store: the link is on the page), the aliases and edits of stored articles."""
    placed = place(site, faults)
    links = faulty_links(site.truth["links"], placed)
    stored = {PLACEHOLDER + p for p in storable(site, faults, placed, links)}
    truth = site.truth
    unusable = {PLACEHOLDER + p for p in placed.missing | placed.disallowed}
    result = {
        "articles": [a for a in truth["articles"] if a["url"] in stored],
        "aliases": {k: v for k, v in truth["aliases"].items()
                    if v in stored and k not in unusable},
        "links": [link for link in links if link[0] in stored],
        "edited": [url for url in truth["edited"] if url in stored],
    }
    return json.loads(json.dumps(result, ensure_ascii=False).replace(PLACEHOLDER, origin))


def faulty_links(links: list[list[str]], placed: Placement) -> list[list[str]]:
    """The article links as the pages print them: the cycle article's next link points
    back to the older article."""
    if placed.cycle is None:
        return [list(link) for link in links]
    src, dst = (PLACEHOLDER + p for p in placed.cycle)
    return [[src, dst, "next"] if link[0] == src and link[2] == "next" else list(link)
            for link in links]


def storable(site: Site, faults: Faults, placed: Placement,
             links: list[list[str]]) -> set[str]:
    """Encoded paths of the articles a crawler reaches and can store."""
    out: dict[str, list[str]] = defaultdict(list)
    for src, dst, _ in links:
        out[src.removeprefix(PLACEHOLDER)].append(dst.removeprefix(PLACEHOLDER))
    by_month: dict[str, list[str]] = defaultdict(list)
    for path in site.article_paths:
        by_month[path[:9]].append(path)
    blocked = placed.unstorable
    seen = {site.chain[len(site.chain) // 2], *home_articles(site)}
    todo, months = list(seen), set()
    while todo:
        path = todo.pop()
        # Date archives of the month and the month before list more articles.
        listed = []
        for month in (path[:9], month_before(path[:9])):
            if month not in months and not faults.disallowed(month):
                months.add(month)
                listed += by_month.get(month, [])
        hops = listed + (out[path] if path not in blocked else [])
        for hop in hops:
            if hop not in seen:
                seen.add(hop)
                todo.append(hop)
    return seen - blocked


def home_articles(site: Site) -> list[str]:
    """Articles the home page lists: the newest chain articles and the ticker's."""
    return site.chain[-LISTING_SIZE:] + site.article_paths[-1:]


def month_before(month: str) -> str:
    """``/YYYY/MM/`` of the month before.

    >>> month_before("/2017/01/"), month_before("/2017/10/")
    ('/2016/12/', '/2017/09/')
    """
    year, number = int(month[1:5]), int(month[6:8])
    year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return f"/{year:04d}/{number:02d}/"
