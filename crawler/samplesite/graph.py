"""The site's link structure: prev/next chain, off-chain articles, duplicate copies
and read-also links with the href forms real pages use."""

from __future__ import annotations

import random
import string
from urllib.parse import unquote, urlsplit

from crawler.samplesite.content import Post, ReadAlso
from crawler.samplesite.model import PLACEHOLDER, encode_path, wp_path

OFF_CHAIN_SHARE = 0.05
COPY_SHARE = 0.03
READ_ALSO_SHARE = 0.4
MAX_READ_ALSO = 3
SHAPES = 4
HREF_FORMS = 7


def plan_links(rng: random.Random, posts: list[Post]) -> list[Post]:
    """Link *posts* together; return the prev/next chain, oldest first."""
    chain = make_chain(rng, posts)
    make_copies(rng, chain, len(posts))
    targets = choose_read_also(rng, posts, chain)
    print_read_also(rng, posts, targets)
    return chain


def make_chain(rng: random.Random, posts: list[Post]) -> list[Post]:
    """Leave a few articles (never the first or last) out of the chain; link the rest."""
    interior = range(1, len(posts) - 1)
    for k in rng.sample(interior, min(len(interior), round(len(posts) * OFF_CHAIN_SHARE))):
        posts[k].in_chain = False
    chain = [p for p in posts if p.in_chain]
    for older, newer in zip(chain, chain[1:], strict=False):
        older.next, newer.prev = newer, older
    return chain


def make_copies(rng: random.Random, chain: list[Post], n: int) -> None:
    """Give a few chain articles a ``-2`` copy with its own post ID above *n*."""
    originals = sorted(rng.sample(chain, min(len(chain), round(n * COPY_SHARE))),
                       key=lambda p: p.id)
    for j, post in enumerate(originals, 1):
        post.copy_path = post.path[:-1] + "-2/"
        post.copy_id = n + j


def choose_read_also(rng: random.Random, posts: list[Post],
                     chain: list[Post]) -> dict[int, list[tuple[Post, bool]]]:
    """Pick read-also targets by source id: first one link from a chain article to
    every off-chain article and every copy, then random links until about 40% of
    articles have 1-3 of them."""
    links: dict[int, list[tuple[Post, bool]]] = {}

    def free(src: Post, target: Post) -> bool:
        mine = links.get(src.id, [])
        already = any(t is target for t, _ in mine)
        return src is not target and len(mine) < MAX_READ_ALSO and not already

    for target in posts:
        for to_copy in (False, True):
            if (not to_copy and not target.in_chain) or (to_copy and target.copy_path):
                src = pick(rng, [s for s in chain if free(s, target)])
                links.setdefault(src.id, []).append((target, to_copy))
    loners = [p for p in posts if p.id not in links]
    rng.shuffle(loners)
    for src in loners[: max(0, round(len(posts) * READ_ALSO_SHARE) - len(links))]:
        for _ in range(rng.randint(1, MAX_READ_ALSO)):
            target = rng.choice(posts)
            if free(src, target):
                links.setdefault(src.id, []).append((target, False))
    return links


def pick(rng: random.Random, options: list[Post]) -> Post:
    """A random one of *options*, which must not be empty."""
    if not options:
        raise RuntimeError("no article can carry another read-also link")
    return rng.choice(options)


def print_read_also(rng: random.Random, posts: list[Post],
                    targets: dict[int, list[tuple[Post, bool]]]) -> None:
    """Fix each source's markup shape, link positions and hrefs, rotating through
    every shape and every href form."""
    shape = form = 0
    for src in posts:
        chosen = targets.get(src.id)
        if not chosen:
            continue
        src.read_also_shape = shape % SHAPES
        shape += 1
        for target, to_copy in chosen:
            href = href_form(rng, target, to_copy, form % HREF_FORMS)
            src.read_also.append(ReadAlso(target, href, to_copy))
            form += 1
        last = max(1, len(src.blocks) - 1)
        src.read_also_after = sorted(rng.randint(1, last) for _ in chosen)


def href_form(rng: random.Random, target: Post, to_copy: bool, form: int) -> str:
    """One of the ways editors and WordPress write a link to *target* (or its copy)."""
    path = target.copy_path if to_copy else target.path
    assert path is not None
    lower = PLACEHOLDER + wp_path(path)
    if form == 0:
        return PLACEHOLDER + encode_path(path)
    if form == 1:
        return lower + "?utm_source=facebook&utm_medium=social"
    if form == 2:
        return lower + "?fbclid=IwAR" + "".join(rng.choices(string.ascii_letters, k=24))
    if form == 3:
        return lower + "#comments"
    if form == 4:
        return f"{PLACEHOLDER}/?p={target.copy_id if to_copy else target.id}"
    if form == 5:
        return PLACEHOLDER + path
    return lower


def reachable(start: Post, posts: list[Post]) -> set[str]:
    """Paths of article pages reachable from *start* by prev, next and read-also
    links (what the crawler follows); a copy page counts under its own path and,
    like the original, links onwards only through its read-also links."""
    pages = {p.path: (p, False) for p in posts}
    pages.update({p.copy_path: (p, True) for p in posts if p.copy_path})
    seen = {start.path}
    todo = [(start, False)]
    while todo:
        post, is_copy = todo.pop()
        hops = [] if is_copy else [p.path for p in (post.prev, post.next) if p]
        hops += [link_path(r) for r in post.read_also]
        for path in hops:
            if path not in seen:
                seen.add(path)
                todo.append(pages[path])
    return seen


def link_path(link: ReadAlso) -> str:
    """The decoded page path a read-also href lands on (after any redirect)."""
    if "/?p=" in link.href:
        path = link.target.copy_path if link.to_copy else link.target.path
        return path or ""
    return unquote(urlsplit(link.href).path)
