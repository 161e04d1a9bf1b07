"""The shortlinks (``?p=ID``) of one crawl.

Read-also links often name an article by its shortlink, which redirects to the
article's permalink.  A crawl that also reads the site's sitemaps has usually asked for
that article already, and once it has read it, the article's own ``rel=shortlink``
says which shortlink is its.  So the crawl keeps the shortlinks of the articles it
read, and holds links to shortlinks it does not know yet until it has nothing else to
do: most are known by then, and cost no request at all.  Both are bounded, so memory
stays flat however large the site.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SHORTLINK = re.compile(r"(?:^|&)(?:p|page_id)=\d+(?:&|$)")
#: Shortlinks remembered, and links held, at most.
SIZE = 8192


def is_shortlink(url: str) -> bool:
    """True for a WordPress shortlink (``/?p=123``, ``/?page_id=45``).

    >>> is_shortlink("https://site.example/?p=123"), is_shortlink("https://site.example/a/")
    (True, False)
    """
    # Most links have no query: they cost a character search, not a parse.
    return "?" in url and shortlink_query(urlsplit(url).query)


def shortlink_query(query: str) -> bool:
    """True for the query of a WordPress shortlink.

    >>> shortlink_query("p=123"), shortlink_query("page_id=4&lang=ar"), shortlink_query("page=2")
    (True, True, False)
    """
    return _SHORTLINK.search(query) is not None


class Shortlinks:
    """Shortlinks of the articles read, to their articles' URLs, and links held."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._articles: dict[str, str] = {}
        self._held: dict[str, tuple[str, str | None, int]] = {}

    def learn(self, shortlink: str, article_url: str) -> None:
        """*shortlink* is the shortlink of the article at *article_url*."""
        self._articles[shortlink] = article_url
        if len(self._articles) > self.size:  # the oldest goes
            del self._articles[next(iter(self._articles))]

    def resolve(self, url: str) -> str:
        """The article URL of a known shortlink, else *url* itself."""
        return self._articles.get(url, url)

    def hold(self, url: str, role: str, src: str | None, streak: int) -> bool:
        """Hold the link (*role* from *src*) to the shortlink *url*; False when full."""
        if url not in self._held and len(self._held) >= self.size:
            return False
        self._held.setdefault(url, (role, src, streak))
        return True

    def release(self) -> list[tuple[str, str, str | None, int]]:
        """The links held whose shortlink is still unknown, as (url, role, src, streak);
        none is held any more."""
        held, self._held = self._held, {}
        return [(url, *link) for url, link in held.items() if url not in self._articles]
