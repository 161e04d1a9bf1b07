"""Bridging a break in the prev/next chain through WordPress date archives.

When an article's previous or next link leads to a page that is gone (404, 410) or
fails for good, the articles beyond it are cut off from the walk.  WordPress lists
every post by date at ``/YYYY/MM/DD/`` and ``/YYYY/MM/`` (paginated): the missing
article's day and month, and the month before, list its neighbours, from which the
walk goes on in both directions.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_DATE_PATH = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/")
# Links to the next page of an archive, as core and common themes print them.
PAGINATION_CSS = (
    "a.next.page-numbers", ".nav-previous a", ".pagination a.next", "a.next",
    ".wp-block-query-pagination-next", "link[rel=next]", "a[rel=next]",
)


def bridge_urls(url: str) -> list[str]:
    """Date archives that list the posts around the article at *url* (none when its
    permalink carries no date).

    >>> bridge_urls("https://site.com/2017/03/01/slug/")
    ['https://site.com/2017/03/01/', 'https://site.com/2017/03/', 'https://site.com/2017/02/']
    >>> bridge_urls("https://site.com/2017/01/05/slug/")[-1]
    'https://site.com/2016/12/'
    >>> bridge_urls("https://site.com/slug/")
    []
    """
    parts = urlsplit(url)
    found = _DATE_PATH.match(parts.path)
    if not found:
        return []
    year, month, day = (int(g) for g in found.groups())
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    origin = f"{parts.scheme}://{parts.netloc}"
    return [f"{origin}/{year:04d}/{month:02d}/{day:02d}/", f"{origin}/{year:04d}/{month:02d}/",
            f"{origin}/{before[0]:04d}/{before[1]:02d}/"]
