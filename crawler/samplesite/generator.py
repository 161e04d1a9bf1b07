"""Generate the sample site: articles, link structure, pre-rendered pages and truth."""

from __future__ import annotations

import random

from crawler.samplesite import layout as L
from crawler.samplesite import pages as P
from crawler.samplesite.content import Post, make_posts
from crawler.samplesite.graph import plan_links, reachable
from crawler.samplesite.model import PLACEHOLDER, Page, Site, encode_path
from crawler.samplesite.themes import article_page

RELATED_SIZE = 3


def generate(n: int = 200, seed: int = 0) -> Site:
    """Build a site of *n* articles; the same *n* and *seed* give identical bytes."""
    if n < 1:
        raise ValueError(f"a site needs at least one article, not {n}")
    rng = random.Random(seed)
    posts = make_posts(rng, n)
    chain = plan_links(rng, posts)
    check_reachable(posts, chain)
    chrome = L.chrome(chain)
    return Site(
        pages=render_pages(rng, posts, chain, chrome),
        truth=build_truth(posts),
        article_paths=[encode_path(p.path) for p in posts],
        chain=[encode_path(p.path) for p in chain],
        themes=[p.theme for p in posts],
        not_found=P.not_found(chrome),
    )


def check_reachable(posts: list[Post], chain: list[Post]) -> None:
    """Every article and copy must be reachable from the middle of the chain."""
    seen = reachable(chain[len(chain) // 2], posts)
    wanted = {p.path for p in posts} | {p.copy_path for p in posts if p.copy_path}
    if missing := sorted(wanted - seen):
        raise RuntimeError(f"{len(missing)} pages unreachable from the middle article, "
                           f"first {missing[0]}")


def render_pages(rng: random.Random, posts: list[Post], chain: list[Post],
                 chrome: L.Chrome) -> dict[str, Page]:
    """Every page of the site keyed by encoded path (``/?p=ID`` for shortlinks)."""
    pages = {"/robots.txt": P.robots(), "/feed/": P.feed(chain), "/wp-json/": P.rest_index()}
    pages.update(P.listings(chain, chrome))
    pages.update(P.shortlinks(posts))
    comment_id = 1
    for post in posts:
        picks = [p for p in rng.sample(chain, min(len(chain), RELATED_SIZE + 1)) if p is not post]
        related = picks[:RELATED_SIZE]
        pages[encode_path(post.path)] = Page(200, article_page(post, chrome, related, comment_id))
        if post.copy_path:
            body = article_page(post, chrome, related, comment_id, copy=True)
            pages[encode_path(post.copy_path)] = Page(200, body)
        comment_id += len(post.comments)
    return pages


def build_truth(posts: list[Post]) -> dict:
    """What a perfect crawl stores: articles, aliases and links by role."""
    articles = [article_truth(p) for p in posts]
    aliases = {f"{PLACEHOLDER}/?p={p.id}": L.url(p.path) for p in posts}
    for p in posts:
        if p.copy_path:
            aliases[L.url(p.copy_path)] = L.url(p.path)
            aliases[f"{PLACEHOLDER}/?p={p.copy_id}"] = L.url(p.path)
    links: list[list[str]] = []
    seen: set[tuple[str, str, str]] = set()
    for p in posts:
        edges = [(p.prev, "prev"), (p.next, "next")]
        edges += [(r.target, "read_also") for r in p.read_also]
        for target, role in edges:
            edge = (L.url(p.path), L.url(target.path), role) if target else None
            if edge and edge not in seen:
                seen.add(edge)
                links.append(list(edge))
    return {"articles": articles, "aliases": aliases, "links": links}


def article_truth(post: Post) -> dict:
    """One article as the crawler must store it."""
    body = post.body
    return {
        "url": L.url(post.path),
        "title": " ".join(post.title.split()),
        "author": post.author[0],
        "published": L.iso(post.published),
        "modified": L.iso(post.modified) if post.modified else None,
        "categories": list(post.categories),
        "tags": list(post.tags),
        "body": body,
        "language": "ar",
        "word_count": len(body.split()),
    }
