"""URL canonicalisation: one key per article, computed before a request is scheduled.

A canonical URL has the site's own scheme and host form (``www.`` or not), a path
percent-encoded in UTF-8 with upper-case hex, WordPress's trailing slash, no
tracking parameters, sorted remaining parameters and no fragment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from urllib.parse import (
    SplitResult,
    parse_qsl,
    quote,
    unquote,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)

from w3lib.url import safe_url_string

from crawler.errors import BadStartURL

# Parameters that only say where a reader came from: never part of an article's identity.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|igshid|"
    r"mc_cid|mc_eid|_ga|_gl|ref_src|ref_url|cmpid|s_cid|replytocom|amp|noamp|"
    r"share|shared|from|ocid|rss|feed_id|__twitter_impression)$",
    re.IGNORECASE,
)
# Characters left as they are in a path (RFC 3986 unreserved plus sub-delims WordPress keeps).
_PATH_SAFE = "/-._~!$&'()*+,;=:@"
# One or more trailing ``/amp`` segments (``/x/amp/amp/`` too, so a second pass finds none).
_AMP_SUFFIX = re.compile(r"(/amp)+/?$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A URL whose canonical form only differs in its host form, hex case, query order and
# tracking parameters: lower-case scheme and host, a path of characters kept as they
# are and escapes of non-ASCII bytes (an escape of an ASCII character may be one to
# decode), a query of such characters and escapes, any fragment.  Most links on a
# WordPress site are (its permalinks escape in lower case, its shortlinks are
# ``/?p=ID``, shared links carry ``utm_`` parameters and ``#comments``); they skip the
# full parse.
_PLAIN = re.compile(r"(https?)://([a-z0-9.:-]+)((?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]"
                    r"|%[89A-Fa-f][0-9A-Fa-f])*)+)"
                    r"(?:\?((?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*))?(?:#.*)?")
# Percent escapes, and a lower-case letter: a path whose only letters are in escapes
# upper-cases whole.
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_LOWER = re.compile(r"[a-z]")


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True)
class SiteURLs:
    """How one crawl spells its sites' URLs.

    ``hosts`` maps a bare host (no ``www.``, port kept) to ``(scheme, netloc)``: the
    form canonical URLs use.  URLs on other hosts are canonicalised but keep their
    own scheme and host.
    """

    hosts: dict[str, tuple[str, str]] = field(default_factory=dict)
    trailing_slash: bool = True

    @classmethod
    def from_urls(cls, urls: Iterable[str], *, scheme: str | None = None) -> SiteURLs:
        """Take each URL's scheme and host form as the canonical one for its site."""
        hosts: dict[str, tuple[str, str]] = {}
        for url in urls:
            parts = urlsplit(check_url(url))
            netloc = _netloc(parts.scheme, parts.hostname or "", parts.port)
            hosts.setdefault(_bare(netloc), (scheme or parts.scheme, netloc))
        return cls(hosts=hosts)

    def adopt(self, declared: str) -> SiteURLs:
        """This site's URL habits as a page declares them in its ``rel=canonical``:
        scheme, ``www.`` form and whether permalinks end in a slash."""
        try:
            parts = urlsplit(declared)
            netloc = _netloc(parts.scheme, parts.hostname or "", parts.port)
        except ValueError:  # unbalanced IPv6 brackets, a port that is no number
            return self
        if _bare(netloc) not in self.hosts or parts.scheme not in ("http", "https"):
            return self
        last = parts.path.rsplit("/", 1)[-1]
        slash = self.trailing_slash if "." in last else not last
        return replace(self, hosts={**self.hosts, _bare(netloc): (parts.scheme, netloc)},
                       trailing_slash=slash)

    def allows(self, url: str) -> bool:
        """True when *url* is on one of this crawl's hosts (``www.`` or not)."""
        try:
            parts = urlsplit(url)
            netloc = _netloc(parts.scheme, parts.hostname or "", parts.port)
        except ValueError:  # unbalanced IPv6 brackets, a port that is no number
            return False
        return _bare(netloc) in self.hosts

    @cached_property
    def netlocs(self) -> frozenset[str]:
        """The host spellings whose canonical form this crawl knows (with and without
        ``www.``): each one's bare form is a key of ``hosts`` (a site spelled ``www.``
        twice is ``www.`` once when bare, which is another host)."""
        return frozenset(spelling for bare in self.hosts for spelling in (bare, "www." + bare)
                         if _bare(spelling) == bare)

    @property
    def domains(self) -> list[str]:
        """Host names without port, for Scrapy's ``allowed_domains``."""
        return sorted({bare.split(":")[0] for bare in self.hosts})


def join_url(base: str, href: str) -> str | None:
    """*href* resolved against *base*, or None when it cannot be (a malformed host).

    >>> join_url("https://a.com/x/", "../y")
    'https://a.com/y'
    >>> join_url("https://a.com/", "http://[2001:db8::1/x/") is None
    True
    """
    href = href.strip()
    try:
        for scheme in ("https", "http"):
            if href.startswith(scheme + "://"):
                # An absolute link comes out the same whatever page it is on: menus and
                # sidebars repeat theirs on every page.
                return _join_absolute(href, base[:len(scheme) + 1].lower() == scheme + ":")
        return urljoin(base, href)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _join_absolute(href: str, same_scheme: bool) -> str:
    # What urljoin makes of an absolute href: its parts put back together, or on a page
    # of another scheme itself as given (parsed all the same: a bad host raises).
    joined = urljoin(href, href)
    return joined if same_scheme else href


def check_url(url: str) -> str:
    """Return *url* stripped, or raise ``BadStartURL`` if it is not absolute http(s)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        raise BadStartURL(f"not an absolute http(s) URL: {url!r}")
    return url


def _netloc(scheme: str, host: str, port: int | None) -> str:
    host = host.lower().rstrip(".")
    if ":" in host:  # IPv6 literal: urlsplit's hostname drops the brackets the URL needs
        host = f"[{host}]"
    if port and port != _DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def _canonical_path(path: str, trailing_slash: bool) -> str:
    # Encoded slashes stay encoded: decoding them would change the path's segments.
    pieces = re.split("%2f", path, flags=re.IGNORECASE)
    path = "%2F".join(quote(unquote(p, errors="surrogateescape"), safe=_PATH_SAFE,
                            errors="surrogateescape") for p in pieces)
    path = re.sub(r"/{2,}", "/", path) or "/"
    path = _AMP_SUFFIX.sub("/", path)
    last = path.rsplit("/", 1)[-1]
    if trailing_slash and last and "." not in last:
        path += "/"
    elif not trailing_slash and len(path) > 1:
        path = path.rstrip("/") or "/"
    return path


def _canonical_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlencode(sorted(pairs), quote_via=quote)


def canonicalize_url(url: str, site: SiteURLs | None = None) -> str:
    """Return the canonical form of *url* (see the module docstring).

    >>> canonicalize_url("HTTP://www.Janoubia.com/2017/09/12/%d8%a7?utm_source=fb#comments",
    ...                  SiteURLs({"janoubia.com": ("https", "janoubia.com")}))
    'https://janoubia.com/2017/09/12/%D8%A7/'
    >>> canonicalize_url("https://janoubia.com/2017/09/12/ا/")
    'https://janoubia.com/2017/09/12/%D8%A7/'
    >>> canonicalize_url("https://site.com/?p=123&fbclid=x")
    'https://site.com/?p=123'
    """
    site = site or SiteURLs()
    plain = _already_plain(url, site)
    return plain if plain is not None else _parsed_canonical(url, site)


def _parsed_canonical(url: str, site: SiteURLs) -> str:
    """The canonical form of any *url*, by a full parse."""
    parts = _split(url.strip())
    if parts is None:  # no host can be read: the text itself, less its fragment, is the key
        return url.partition("#")[0].strip()
    scheme = parts.scheme.lower()
    netloc = _netloc(scheme, parts.hostname or "", parts.port)
    scheme, netloc = site.hosts.get(_bare(netloc), (scheme, netloc))
    path = _canonical_path(parts.path, site.trailing_slash)
    return urlunsplit((scheme, netloc, path, _canonical_query(parts.query), ""))


def _already_plain(url: str, site: SiteURLs) -> str | None:
    """The canonical form of *url* when only its scheme, host form, hex case, trailing
    slash, query and fragment can change (a link to one of the crawl's hosts, spelled
    as WordPress prints them), else None: the full parse then decides."""
    match = _PLAIN.fullmatch(url)
    if match is None or match[2] not in site.netlocs:
        return None
    path = match[3]
    if "//" in path or path.endswith(("/amp", "/amp/")):
        return None
    last = path.rsplit("/", 1)[-1]
    if site.trailing_slash and last and "." not in last:
        path += "/"
    elif not site.trailing_slash and len(path) > 1:
        path = path.rstrip("/") or "/"
    scheme, netloc = site.hosts[_bare(match[2])]
    if "%" in path:
        path = _upper_escapes(path)
    query = match[4]
    if query:
        query = _canonical_query(query)
    return f"{scheme}://{netloc}{path}?{query}" if query else f"{scheme}://{netloc}{path}"


def _upper_escapes(path: str) -> str:
    """*path* with the hex of its escapes in upper case."""
    if _LOWER.search(_ESCAPE.sub("", path)) is None:
        return path.upper()  # no letter outside the escapes (an Arabic slug): two C passes
    head, *escaped = path.split("%")
    return "%".join([head, *[piece[:2].upper() + piece[2:] for piece in escaped]])


def _split(url: str) -> SplitResult | None:
    """*url* made safe by w3lib (IDNA host, escaped path) and split, with a port that
    is no number in range dropped; None when the host part cannot be split at all
    (unbalanced or invalid IPv6 brackets)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    try:
        parts.port  # noqa: B018 - raises ValueError for a port that is no number in range
    except ValueError:
        parts = parts._replace(netloc=parts.netloc.rpartition(":")[0])
    try:
        return urlsplit(safe_url_string(urlunsplit(parts)))
    except ValueError:  # text w3lib cannot encode: keep it as given, still split
        return parts
