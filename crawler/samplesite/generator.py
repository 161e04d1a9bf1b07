"""Generate the sample site as it stands on one day: articles, link structure, the
day's edits, pages (rendered when first read) and truth."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from crawler.samplesite import layout as L
from crawler.samplesite import pages as P
from crawler.samplesite.archives import date_archives, term_archives
from crawler.samplesite.content import Post, article_rng, make_post, theme_of
from crawler.samplesite.day import Day
from crawler.samplesite.edits import edit_recent
from crawler.samplesite.graph import COPY_ID_BASE, Linker, reachable
from crawler.samplesite.model import PLACEHOLDER, Page, Pages, Site, encode_path
from crawler.samplesite.sitemaps import sitemaps
from crawler.samplesite.themes import article_page


def generate(n: int = 200, seed: int = 0, *, edits: int = 0,
             edit_seed: int | None = None) -> Site:
    """The site once *n* articles are published; the same arguments give identical bytes.

    The site of n + k articles is this one plus k newer articles: older articles keep
    their content, and only what WordPress changes on publishing changes (the newest
    chain article gains its ``next`` link, listings, feed and widgets move on).
    *edits* corrects that many of the ten newest articles (see ``edit_recent``);
    *edit_seed* picks other corrections for the same day.
    """
    if not 1 <= n < COPY_ID_BASE:
        raise ValueError(f"a site needs 1 to {COPY_ID_BASE - 1} articles, not {n}")
    posts = publish(seed, n)
    edited = edit_recent(posts, seed, edits, edit_seed)
    chain = [p for p in posts if p.in_chain]
    check_reachable(posts, chain)
    day = Day(seed, n)
    chrome = L.chrome(chain)
    return Site(
        pages=Pages(page_makers(posts, chain, chrome, day)),
        truth=build_truth(posts, edited),
        article_paths=[encode_path(p.path) for p in posts],
        chain=[encode_path(p.path) for p in chain],
        themes=[p.theme for p in posts],
        not_found=P.not_found(chrome),
        posts=posts,
        render_article=partial(article_page, chrome=chrome, day=day),
    )


def publish(seed: int, n: int) -> list[Post]:
    """Articles 1 to *n*, each made from its own random source and linked to the
    ones before it."""
    linker = Linker(seed)
    taken: set[str] = set()
    comment_id = 1
    for i in range(1, n + 1):
        rng = article_rng(seed, i)
        post = make_post(rng, i, theme_of(seed, i), taken)
        post.first_comment = comment_id
        comment_id += len(post.comments)
        linker.publish(post, rng)
    return linker.posts


def check_reachable(posts: list[Post], chain: list[Post]) -> None:
    """Every article and copy must be reachable from the middle of the chain, but for
    the newest article when it is off the chain: nothing newer links to it yet, so
    only the home page's ticker leads there."""
    seen = reachable(chain[len(chain) // 2], posts)
    wanted = {p.path for p in posts} | {p.copy_path for p in posts if p.copy_path}
    if not posts[-1].in_chain:
        wanted.discard(posts[-1].path)
    if missing := sorted(wanted - seen):
        raise RuntimeError(f"{len(missing)} pages unreachable from the middle article, "
                           f"first {missing[0]}")


def page_makers(posts: list[Post], chain: list[Post], chrome: L.Chrome,
                day: Day) -> dict[str, Callable[[], Page]]:
    """How to render every page of the site, keyed by encoded path (``/?p=ID`` for
    shortlinks)."""
    makers: dict[str, Callable[[], Page]] = {
        "/": partial(P.home, posts, chain, chrome, day), "/robots.txt": P.robots,
        "/feed/": partial(P.feed, posts), "/wp-json/": P.rest_index}
    makers.update(term_archives(posts, chrome, day))
    makers.update(date_archives(posts, chrome, day))
    makers.update(P.shortlinks(posts))
    makers.update(sitemaps(posts))
    for post in posts:
        makers[encode_path(post.path)] = partial(article_page, post, chrome, day)
        if post.copy_path:
            makers[encode_path(post.copy_path)] = partial(article_page, post, chrome, day, True)
    return makers


def build_truth(posts: list[Post], edited: list[Post]) -> dict:
    """What a perfect crawl stores: articles, aliases and links by role, and which
    articles the day's edits changed."""
    aliases = {f"{PLACEHOLDER}/?p={p.id}": L.url(p.path) for p in posts}
    for p in posts:
        if p.copy_path:
            aliases[L.url(p.copy_path)] = L.url(p.path)
            aliases[f"{PLACEHOLDER}/?p={p.copy_id}"] = L.url(p.path)
    return {"articles": [article_truth(p) for p in posts], "aliases": aliases,
            "links": truth_links(posts), "edited": [L.url(p.path) for p in edited]}


def truth_links(posts: list[Post]) -> list[list[str]]:
    """Article-to-article links by role, each once, in page order."""
    links: list[list[str]] = []
    seen: set[tuple[str, str, str]] = set()
    for p in posts:
        src = L.url(p.path)
        edges = [(p.prev, "prev"), (p.next, "next")]
        edges += [(r.target, "read_also") for r in p.read_also]
        for target, role in edges:
            edge = (src, L.url(target.path), role) if target else None
            if edge and edge not in seen:
                seen.add(edge)
                links.append(list(edge))
    return links


def article_truth(post: Post) -> dict:
    """One article as the crawler must store it."""
    body = post.body
    # The local theme prints no modified time, so a crawler cannot know it.
    modified = post.modified if post.theme != "local" else None
    return {
        "url": L.url(post.path),
        "title": " ".join(post.title.split()),
        "author": post.author[0],
        "published": L.iso(post.published),
        "modified": L.iso(modified) if modified else None,
        "categories": list(post.categories),
        "tags": list(post.tags),
        "body": body,
        "language": "ar",
        "word_count": len(body.split()),
    }
