"""Site profiles: what the crawler knows of a site, as data.

A profile names the site's hosts and entry pages, the selectors that hold each
field (ordered fallbacks: the first that yields a value wins) and the URL rules
that tell articles from everything else.  The generic ``wordpress`` profile is a
profile like any other; site profiles extend it with ``dataclasses.replace``.
Spider code never branches on a profile's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from crawler.errors import UnknownProfile

# Containers that hold the article text, most specific first (core themes,
# Jannah, Sahifa/Jarida, tagDiv Newspaper, JNews, Publisher, schema.org).
WORDPRESS_BODY = (
    ".jeg_post_content .content-inner",
    ".content-inner",
    ".td-post-content",
    ".entry-content",
    ".entry .post-content",
    ".post-content",
    ".single-post-content",
    ".post-entry",
    ".article-content",
    ".entry",
    "[itemprop=articleBody]",
    "article .content",
)

WORDPRESS_TITLE = (
    "h1.entry-title",
    "h1.wp-block-post-title",
    "h1.post-title",
    "h1.jeg_post_title",
    ".td-post-title h1",
    "h1.single-post-title",
    "h1.name",
)

WORDPRESS_AUTHOR = (
    ".wp-block-post-author-name",
    ".author.vcard a",
    ".entry-header .author a",
    ".byline .author a",
    ".byline a[rel=author]",
    ".jeg_meta_author a",
    ".td-post-author-name a",
    ".post-meta-author a",
    ".meta-author a",
    ".entry-meta .author a",
    ".post-author .meta-text a",  # Twenty Twenty: "بواسطة <a>" without rel=author
    ".author-bio .author-title",  # Twenty Twenty-One's author box: "بواسطة NAME"
    "a[rel=author]",
    ".author-name",
    ".byline .author",
)

# Category and tag links: block themes print both with rel="tag" inside
# .wp-block-post-terms; classic themes print rel="category tag" and rel="tag".
WORDPRESS_CATEGORIES = (".taxonomy-category a", "a[rel~=category]")
WORDPRESS_TAGS = (".taxonomy-post_tag a", 'a[rel="tag"]')

# URL path pieces that never belong to an article (WordPress's own routes).
WORDPRESS_NON_ARTICLE = (
    r"/(author|category|tag|tags|topics|feed|comments|page|search|wp-admin|wp-content|"
    r"wp-includes|wp-json|wp-login\.php|xmlrpc\.php|amp-stories|attachment)(/|$)",
    r"[?&](s|replytocom|share|like|amp)=",
    # calendars (core widget, event plugins): endless by month or day
    r"[?&](m|month|ical|tribe-bar-date|eventDisplay)=", r"/calendar/",
    r"/(wp-login|wp-signup|wp-comments-post)\.php",
    r"\.(jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|css|js|xml)$",
)


@dataclass(frozen=True)
class Profile:
    """Everything the crawler needs to know of one site (or one family of sites)."""

    name: str
    #: Hosts the crawl may visit; ``www.`` forms are implied.  Empty means "the
    #: hosts of the start URLs".
    hosts: tuple[str, ...] = ()
    #: Entry pages used when the user gives no start URL.
    start_urls: tuple[str, ...] = ()
    #: Scheme of canonical URLs, when the site has one (``https``); None keeps the
    #: scheme of the start URL.
    scheme: str | None = None
    #: IANA time zone for visible dates that carry no offset; None: ask the site
    #: (WordPress's REST index at ``/wp-json/`` gives it), else UTC.
    timezone: str | None = None
    #: Regular expression an article URL path matches (None: judge by markup only).
    article_path: str | None = None
    #: Regular expressions of URLs that are never articles.
    non_article: tuple[str, ...] = WORDPRESS_NON_ARTICLE
    title_css: tuple[str, ...] = WORDPRESS_TITLE
    author_css: tuple[str, ...] = WORDPRESS_AUTHOR
    body_css: tuple[str, ...] = WORDPRESS_BODY
    categories_css: tuple[str, ...] = WORDPRESS_CATEGORIES
    tags_css: tuple[str, ...] = WORDPRESS_TAGS
    #: Class or id tokens of this site's blocks that are not the post (left out of the
    #: body, never dated, never read for links), added to ``crawler.zones``' vocabulary
    #: of whole tokens: ``name``, ``name-*`` (a prefix), ``*-name`` (a suffix),
    #: ``*-name-*`` (inside a token), ``#name`` (an id only).
    boilerplate_tokens: tuple[str, ...] = ()
    #: CSS of links on listing pages (home, archives) that lead to articles.
    listing_link_css: tuple[str, ...] = (
        "article a[href]", ".entry-title a", ".post-title a", "h2 a", "h3 a", "h4 a",
    )
    #: Suffixes removed from ``og:title``/``<title>`` when no headline element exists.
    title_suffix_separators: tuple[str, ...] = (" - ", " | ", " – ", " — ", " « ")
    extra: dict[str, str] = field(default_factory=dict)


WORDPRESS = Profile(name="wordpress")

JANOUBIA = replace(
    WORDPRESS,
    name="janoubia",
    hosts=("janoubia.com",),
    start_urls=("https://janoubia.com/",),
    scheme="https",
    timezone="Asia/Beirut",
    article_path=r"^/\d{4}/\d{2}/\d{2}/[^/]+/?$",
)

PROFILES: dict[str, Profile] = {p.name: p for p in (WORDPRESS, JANOUBIA)}


def get_profile(name: str) -> Profile:
    """Return the profile called *name*, or raise ``UnknownProfile``."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise UnknownProfile(f"unknown profile {name!r} (known: {known})") from None
