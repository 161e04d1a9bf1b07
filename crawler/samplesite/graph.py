"""The site's link structure, built one article at a time as the site publishes:
the prev/next chain, off-chain articles, duplicate copies, read-also links (to older
articles only) with the href forms real pages use, and related-posts picks.

Which articles are off the chain or copied is fixed per block of articles, so every
share holds for any site size and never depends on how many articles follow.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from crawler.samplesite.content import Post, ReadAlso
from crawler.samplesite.model import PLACEHOLDER, encode_path, wp_path

#: One article in each block of this many is off the chain (5%).
OFF_CHAIN_BLOCK = 20
#: One article in each block of this many gets a ``-2`` copy (3%).
COPY_BLOCK = 33
#: Post IDs of copies: far above any article's, stable whatever the site's size.
COPY_ID_BASE = 1_000_000
#: Chance that an article owing no read-also link gets some (about 40% in all).
READ_ALSO_SHARE = 0.35
MAX_READ_ALSO = 3
RELATED_SIZE = 3
SHAPES = 4
HREF_FORMS = 7
# Positions in a block that may be off the chain: never a block's first or last (so
# an off-chain article sits between chain articles and the next one links to it) and
# never a multiple of five (so a site of 5k articles always ends on the chain).
OFF_CHAIN_SLOTS = tuple(k for k in range(1, OFF_CHAIN_BLOCK - 1) if (k + 1) % 5)


@lru_cache(maxsize=8192)
def off_chain_pick(seed: int, block: int) -> int:
    """The article off the chain in *block* (1-based article number)."""
    slot = random.Random(f"{seed}:off-chain:{block}").choice(OFF_CHAIN_SLOTS)
    return block * OFF_CHAIN_BLOCK + slot + 1


def is_off_chain(seed: int, i: int) -> bool:
    """True when article *i* is left out of the prev/next chain."""
    return off_chain_pick(seed, (i - 1) // OFF_CHAIN_BLOCK) == i


@lru_cache(maxsize=8192)
def copy_pick(seed: int, block: int) -> int:
    """The article of *block* that gets a copy: a chain article followed by one."""
    first = block * COPY_BLOCK + 1
    options = [c for c in range(first, first + COPY_BLOCK - 1)
               if not is_off_chain(seed, c) and not is_off_chain(seed, c + 1)]
    return random.Random(f"{seed}:copy:{block}").choice(options)


def is_copied(seed: int, i: int) -> bool:
    """True when article *i* gets a ``-2`` copy, published with article *i + 1*."""
    return copy_pick(seed, (i - 1) // COPY_BLOCK) == i


@dataclass
class Linker:
    """Links each article, as it is published, to the articles before it.

    An older article changes only as WordPress changes it: the newest chain article
    gains its ``next`` link, and an article's duplicate copy appears with the next one.
    """

    seed: int
    posts: list[Post] = field(default_factory=list)
    chain: list[Post] = field(default_factory=list)
    #: Read-also sources and links so far: markup shapes and href forms rotate over them.
    sources: int = 0
    links: int = 0

    def publish(self, post: Post, rng: random.Random) -> None:
        """Add *post*, the newest article, drawing its choices from *rng*."""
        if self.chain:
            post.related = pick_related(rng, self.chain)
        if is_off_chain(self.seed, post.id):
            post.in_chain = False
        else:
            if self.chain:
                self.chain[-1].next, post.prev = post, self.chain[-1]
            self.chain.append(post)
        targets = self.owed(post) or self.chosen(rng)
        if targets:
            self.print_read_also(rng, post, targets)
        self.posts.append(post)

    def owed(self, post: Post) -> list[tuple[Post, bool]]:
        """The link a chain article owes its predecessor when that one is off the chain
        or copied: without it the predecessor (or copy) could not be reached."""
        if not (post.in_chain and self.posts):
            return []
        before = self.posts[-1]
        if not before.in_chain:
            return [(before, False)]
        if is_copied(self.seed, before.id):
            before.copy_path = before.path[:-1] + "-2/"
            before.copy_id = COPY_ID_BASE + before.id
            return [(before, True)]
        return []

    def chosen(self, rng: random.Random) -> list[tuple[Post, bool]]:
        """Up to three random older articles, for about a third of the articles."""
        if not self.posts or rng.random() >= READ_ALSO_SHARE:
            return []
        picked: list[tuple[Post, bool]] = []
        for _ in range(rng.randint(1, MAX_READ_ALSO)):
            target = self.posts[rng.randrange(len(self.posts))]
            if all(t is not target for t, _ in picked):
                picked.append((target, False))
        return picked

    def print_read_also(self, rng: random.Random, post: Post,
                        targets: list[tuple[Post, bool]]) -> None:
        """Fix the markup shape, the link positions and the hrefs, rotating through
        every shape and every href form."""
        post.read_also_shape = self.sources % SHAPES
        self.sources += 1
        for target, to_copy in targets:
            href = href_form(rng, target, to_copy, self.links % HREF_FORMS)
            post.read_also.append(ReadAlso(target, href, to_copy))
            self.links += 1
        last = max(1, len(post.blocks) - 1)
        post.read_also_after = sorted(rng.randint(1, last) for _ in targets)


def pick_related(rng: random.Random, chain: list[Post]) -> list[Post]:
    """Up to three distinct older chain articles for the related-posts widget."""
    return rng.sample(chain, min(len(chain), RELATED_SIZE))


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
