"""Reading an article page: all the work that needs its parsed tree, as one pure function
of the page's text, so that it can run in a worker process beside the crawl
(``crawler.pagereader``).

Parsing, link finding, dates and extraction cost a few milliseconds a page, more than
Scrapy's own work; in a worker they use another core while the crawl's process keeps
fetching.  What depends on the crawl's state (how the site spells its URLs, what was
already requested) stays with the spider: this module returns URLs as found, joined to
the page's URL, never canonicalised.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HTMLParser, HtmlProcessingInstruction
from parsel import Selector
from w3lib.encoding import html_to_unicode

from crawler.bodies import PackedBody
from crawler.dates import DateMarkup, dated_page, modified_from_page
from crawler.extract import extract_fields, json_ld, meta
from crawler.links import find_links
from crawler.loaders import ArticleLoader
from crawler.profiles import get_profile
from crawler.text import content_hash, word_count
from crawler.urls import join_url
from crawler.zones import PageZones, vocabulary

# body_class() of WordPress pages, archives, the home page, search and 404 pages.
_LISTING_BODY_CLASSES = {"page", "archive", "home", "blog", "search", "error404", "attachment"}
_SINGLE_BODY_CLASSES = {"single", "single-post", "single-format-standard"}
_ARTICLE_TYPES = ("NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle")
_REST_POSTS = "/wp-json/wp/v2/posts/"


@dataclass(frozen=True)
class ArticlePage:
    """What an article page says, URLs as found (joined, not canonicalised)."""

    #: ``rel=canonical`` targets, in page order.
    declared: list[str]
    #: ``rel=shortlink`` targets.
    shortlinks: list[str]
    #: (URL, role, rule) of its prev/next/read-also links.
    links: list[tuple[str, str, str]]
    #: The post's WordPress REST address, when the page prints it.
    rest_post: str | None
    #: The loaded fields: title, author, categories, tags, body, language, published,
    #: published_raw, modified, word_count, content_hash.
    values: dict[str, Any]
    #: Whether the publication time came from machine-readable markup.
    dated_by_markup: bool
    #: The page's bytes hashed and compressed for the corpus, when a page-reader
    #: worker read it (that work then leaves the crawl's process too).
    packed_body: PackedBody | None = None


_parsers = threading.local()


def parse_html(text: str) -> HtmlElement:
    """*text* parsed as parsel parses HTML, by a parser made once per thread.

    Its elements are all plain ``HtmlElement``s, told apart in C: lxml.html's own
    class lookup runs Python code for every element the reading touches, for form
    classes a page read never uses."""
    parser = getattr(_parsers, "html", None)
    if parser is None:
        parser = _parsers.html = HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction,
            entity=HtmlEntity))
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    root = etree.fromstring(body, parser=parser)
    return root if root is not None else etree.fromstring(b"<html/>", parser=parser)


def looks_like_article(root: HtmlElement) -> bool:
    """True for a single-article page by its markup: WordPress's body classes (SEO
    plugins print ``og:type=article`` on pages and archives too), else ``og:type`` or
    JSON-LD."""
    body_classes = set(" ".join(root.xpath("//body/@class")).split())
    if body_classes & _SINGLE_BODY_CLASSES or any(c.startswith("postid-") for c in body_classes):
        return True
    if body_classes & _LISTING_BODY_CLASSES:
        return False
    if "article" in [v.lower() for v in meta(root, "og:type")]:
        return True
    return any(n.get("@type") in _ARTICLE_TYPES for n in json_ld(root))


def read_root(root: HtmlElement, url: str, profile_name: str, timezone: str) -> ArticlePage:
    """Read an article page's parsed tree (the tree is modified: the body is cleaned)."""
    profile = get_profile(profile_name)
    # One answer to "what is boilerplate here" for links, dates and fields alike.
    zones = PageZones(vocabulary(profile.boilerplate_tokens))
    links = [(link.url, link.role, link.rule) for link in find_links(root, url, zones)]
    sel = Selector(root=root, type="html")
    # Dates first: extraction edits the tree.
    markup = DateMarkup(sel, zones)
    published, published_raw, by_markup = dated_page(sel, timezone, markup=markup)
    modified = modified_from_page(sel, timezone, markup)
    declared = _joined(url, root.xpath("//head/link[@rel='canonical']/@href"))
    shortlinks = _joined(url, root.xpath("//head/link[@rel='shortlink']/@href"))
    rest = [u for u in _joined(url, root.xpath(
        "//head/link[@rel='alternate'][@type='application/json']/@href")) if _REST_POSTS in u]
    loader = ArticleLoader()
    for name, value in extract_fields(root, profile, zones).items():
        loader.add_value(name, value)
    loader.add_value("published", published)
    loader.add_value("published_raw", published_raw)
    loader.add_value("modified", modified)
    values = dict(loader.load_item())
    body = values.get("body") or ""
    values["word_count"] = word_count(body)
    values["content_hash"] = content_hash(values.get("title") or "", body)
    return ArticlePage(declared, shortlinks, links, rest[0] if rest else None, values,
                       by_markup)


def read_page(text: str | bytes, url: str, profile_name: str, timezone: str,
              by_url: bool | None, encoding: str = "utf-8") -> ArticlePage | None:
    """Parse *text* (the page at *url*; raw bytes are decoded from *encoding* as
    Scrapy decodes a response) and read it if it is an article: *by_url* True says its
    URL makes it one, None leaves it to the markup.  None for other pages."""
    if isinstance(text, bytes):
        # The crawl's process sends the body as it came: decoding it there, and pickling
        # the text, cost it more than sending the bytes.
        text = html_to_unicode(f"charset={encoding}", text)[1]
    root = parse_html(text)
    if by_url is None and not looks_like_article(root):
        return None
    return read_root(root, url, profile_name, timezone)


def _joined(base: str, hrefs: list[str]) -> list[str]:
    return [u for u in (join_url(base, h) for h in hrefs) if u is not None]
