"""Pages and the site that holds them, with the URL forms the site prints."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    from crawler.samplesite.content import Post

#: Origin written into pre-rendered pages and truth; replaced by the served origin.
PLACEHOLDER = "http://samplesite.invalid"
_PLACEHOLDER_BYTES = PLACEHOLDER.encode("ascii")


@lru_cache(maxsize=1 << 16)
def encode_path(path: str) -> str:
    """Canonical percent-encoding of a decoded path: UTF-8, upper-case hex.

    >>> encode_path("/2017/01/01/لبنان-اليوم/")
    '/2017/01/01/%D9%84%D8%A8%D9%86%D8%A7%D9%86-%D8%A7%D9%84%D9%8A%D9%88%D9%85/'
    """
    return quote(path, safe="/-")


def wp_path(path: str) -> str:
    """The path as WordPress prints it in hrefs: percent-encoded, lower-case hex.

    >>> wp_path("/category/لبنان/")
    '/category/%d9%84%d8%a8%d9%86%d8%a7%d9%86/'
    """
    return encode_path(path).lower()


@dataclass(frozen=True)
class Page:
    """One response the server can give: status, type, body, redirect target and the
    time its content last changed (the ``Last-Modified`` header).

    ``body`` and ``location`` hold the placeholder origin until ``render``.
    """

    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=UTF-8"
    location: str | None = None
    last_modified: datetime | None = None

    def render(self, origin: str) -> bytes:
        """The body with absolute URLs on *origin*."""
        return self.body.replace(_PLACEHOLDER_BYTES, origin.encode("ascii"))

    def location_on(self, origin: str) -> str | None:
        """The redirect target on *origin*, if this page is a redirect."""
        return None if self.location is None else self.location.replace(PLACEHOLDER, origin)


class Pages(Mapping[str, Page]):
    """Pages keyed by encoded path, each rendered the first time it is read.

    Rendering is deterministic, so two threads that render one page at once store
    equal pages; no lock is needed.
    """

    def __init__(self, makers: dict[str, Callable[[], Page]]) -> None:
        self._makers = makers
        self._rendered: dict[str, Page] = {}

    def __getitem__(self, key: str) -> Page:
        page = self._rendered.get(key)
        if page is None:
            page = self._rendered[key] = self._makers[key]()
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)

    def __contains__(self, key: object) -> bool:
        return key in self._makers


@dataclass
class Site:
    """A generated site: pre-rendered pages keyed by encoded path (plus ``?p=ID``)
    and the truth a perfect crawl of it would store.

    ``truth`` carries the placeholder origin; ``truth_for(origin)`` gives it on a
    served origin.  ``pages`` renders each page on first access.
    """

    pages: Mapping[str, Page]
    truth: dict
    #: Encoded path of article i at index i - 1.
    article_paths: list[str] = field(default_factory=list)
    #: Encoded paths of the prev/next chain, oldest first.
    chain: list[str] = field(default_factory=list)
    #: Theme name of article i at index i - 1.
    themes: list[str] = field(default_factory=list)
    not_found: Page = field(default_factory=lambda: Page(404))
    #: The articles themselves and their page renderer: faults that change what an
    #: article page links to render it again from a changed copy of its post.
    posts: list[Post] = field(default_factory=list, repr=False)
    render_article: Callable[[Post], Page] | None = field(default=None, repr=False)

    def article_url(self, i: int, origin: str) -> str:
        """Canonical URL of article *i* (1-based, chronological) on *origin*."""
        if not 1 <= i <= len(self.article_paths):
            raise IndexError(f"no article {i} (site has {len(self.article_paths)})")
        return origin + self.article_paths[i - 1]

    def middle_article(self, origin: str) -> str:
        """Canonical URL of the article in the middle of the prev/next chain."""
        return origin + self.chain[len(self.chain) // 2]

    def truth_for(self, origin: str) -> dict:
        """The truth with absolute URLs on *origin*."""
        text = json.dumps(self.truth, ensure_ascii=False)
        return json.loads(text.replace(PLACEHOLDER, origin))

    def decoded_keys(self) -> dict[str, str]:
        """Encoded page keys by decoded path (query kept): the server's lookup table."""
        return {unquote(key): key for key in self.pages}
