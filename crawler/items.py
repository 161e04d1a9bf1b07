"""The items the spiders yield and the pipelines store: articles and fetches."""

from __future__ import annotations

import scrapy


class Article(scrapy.Item):
    """One news article, as extracted from its page.

    Every field is a plain value ready for SQLite; lists are Python lists that the
    store pipeline writes as JSON arrays.  Scrapy's feed exports write the fields
    ``FEED_EXPORT_FIELDS`` names (all but ``dated_by_markup``, ``duplicate_of`` and
    ``fetch``) of each article stored.
    """

    #: Canonical URL (``crawler.urls.canonicalize_url``): scheme and host as the site
    #: uses them, path percent-encoded in UTF-8 with upper-case hex, no tracking
    #: parameters, no fragment, the page's ``rel=canonical`` when it names an allowed host.
    url = scrapy.Field()
    #: Other canonical URLs that served this same article, as dicts ``{"url", "reason"}``
    #: with reason ``redirect`` (a redirect source such as a ``?p=ID`` shortlink),
    #: ``canonical`` (the fetched URL when ``rel=canonical`` names another) or
    #: ``shortlink`` (the page's ``rel=shortlink``).  Stored in the ``aliases`` table.
    aliases = scrapy.Field()
    #: Headline as shown on the page, whitespace collapsed, entities decoded.
    title = scrapy.Field()
    #: Author's display name, or None when the page names none.
    author = scrapy.Field()
    #: Publication time, ISO 8601 with a UTC offset (``2017-09-12T10:05:00+03:00``),
    #: or None when no date could be read.
    published = scrapy.Field()
    #: Whether ``published`` came from machine-readable markup (meta, JSON-LD,
    #: ``<time datetime>``) rather than visible text; not stored.
    dated_by_markup = scrapy.Field()
    #: The publication date exactly as the page gave it (meta content, JSON-LD value
    #: or visible text), for provenance and re-parsing.
    published_raw = scrapy.Field()
    #: Last modification time, ISO 8601 with a UTC offset, or None.
    modified = scrapy.Field()
    #: Category names, in page order, without duplicates (list of str).
    categories = scrapy.Field()
    #: Tag names, in page order, without duplicates (list of str).
    tags = scrapy.Field()
    #: Article text: paragraphs separated by one blank line, without read-also
    #: paragraphs, navigation, share buttons, comments or sidebars.
    body = scrapy.Field()
    #: Language code of the page (``ar``), from ``<html lang>`` or the text's script.
    language = scrapy.Field()
    #: Number of whitespace-separated words in ``body``.
    word_count = scrapy.Field()
    #: SHA-256 hex digest of the normalised title and body (``crawler.text.content_hash``);
    #: equal for the same article under two URLs.
    content_hash = scrapy.Field()
    #: When the page was fetched, ISO 8601 in UTC.
    fetched_at = scrapy.Field()
    #: HTTP status of the final response (200 for a page reached through redirects).
    status = scrapy.Field()
    #: Name of the site profile that extracted the article.
    profile = scrapy.Field()
    #: Links by role seen on the page: a list of dicts ``{"dst": canonical URL,
    #: "role": "prev" | "next" | "read_also", "rule": name of the rule that found it}``.
    links = scrapy.Field()
    #: Set by the dedupe pipeline: canonical URL of the stored article that has the
    #: same content, when this page is a duplicate that must be kept as an alias only
    #: (and is not exported).
    duplicate_of = scrapy.Field()
    #: Set by the dedupe pipeline: URL of a stored duplicate that this article, the
    #: preferred copy, replaces (the old URL becomes an alias).  Exported: a record
    #: with it supersedes the record of that URL when the same run exported one.
    replaces = scrapy.Field()
    #: How the page was fetched, for the ``fetches`` table: a dict with the keys of
    #: a ``Fetch`` item except ``error``.  None when the article was not fetched
    #: over HTTP (tests, imports).
    fetch = scrapy.Field()


class Fetch(scrapy.Item):
    """One HTTP fetch that is not a stored article: a listing or entry page, a
    304 Not Modified, a page that is not an article, or a request that failed for good.

    The validate and dedupe pipelines pass it through; the store pipeline writes
    it to the ``fetches`` table (its body, compressed, to ``bodies``), then drops it:
    fetch records are not exported.
    """

    #: The URL first requested, before any redirect.
    requested_url = scrapy.Field()
    #: The URL of the final response, after redirects (the requested URL when none).
    final_url = scrapy.Field()
    #: HTTP status of the final response (int), or None when no response came.
    status = scrapy.Field()
    #: The response's ``ETag`` header as sent, or None.
    etag = scrapy.Field()
    #: The response's ``Last-Modified`` header as sent, or None.
    last_modified = scrapy.Field()
    #: The response's ``Content-Type`` header as sent, or None.
    content_type = scrapy.Field()
    #: The raw response body (bytes), or None (304 Not Modified, no response).
    #: Stored compressed once per distinct SHA-256 digest.
    body = scrapy.Field()
    #: Why the URL was requested: ``start``, ``listing``, ``prev``, ``next``,
    #: ``read_also``, ``chain_end``, ``pending``, ``site_index``...
    link_role = scrapy.Field()
    #: Canonical URL of the article whose link led here, or None.
    link_src = scrapy.Field()
    #: When the response arrived (or the request failed), ISO 8601 in UTC.
    fetched_at = scrapy.Field()
    #: Why the fetch failed for good (``HttpError 404``, ``TimeoutError``...), or None.
    error = scrapy.Field()
    #: For a redirect to an article this run fetches anyway: ``{"url": canonical URL of
    #: the redirecting page, "article_url": the article's}``, stored as an alias.
    alias_of = scrapy.Field()
