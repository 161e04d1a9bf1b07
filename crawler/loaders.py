"""The item loader that fills ``Article`` items, and its small pure processors."""

from __future__ import annotations

from collections.abc import Iterable

from itemloaders.processors import Identity, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from crawler.items import Article
from crawler.text import collapse_space


def clean_text(value: str | None) -> str | None:
    """Collapse whitespace; empty text becomes None (so TakeFirst skips it).

    >>> clean_text("  عنوان\\n الخبر ")
    'عنوان الخبر'
    >>> clean_text("   ") is None
    True
    """
    if value is None:
        return None
    return collapse_space(value) or None


def unique(values: Iterable[str]) -> list[str]:
    """Keep the first of each value, in order, dropping empty ones.

    >>> unique(["سياسة", "لبنان", "سياسة", ""])
    ['سياسة', 'لبنان']
    """
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def strip_body(value: str | None) -> str | None:
    """Strip a body's outer whitespace; paragraphs keep their blank-line separators.

    >>> strip_body("\\n فقرة\\n\\nفقرة ثانية  ")
    'فقرة\\n\\nفقرة ثانية'
    """
    return (value or "").strip() or None


class ArticleLoader(ItemLoader):
    """Fills an ``Article``: first non-empty value wins; lists are kept whole and unique."""

    default_item_class = Article
    default_output_processor = TakeFirst()

    title_in = MapCompose(clean_text)
    author_in = MapCompose(clean_text)
    published_raw_in = MapCompose(clean_text)
    body_in = MapCompose(strip_body)
    categories_in = MapCompose(clean_text)
    categories_out = unique
    tags_in = MapCompose(clean_text)
    tags_out = unique
    links_out = Identity()
