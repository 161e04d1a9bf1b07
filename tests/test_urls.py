"""URL canonicalisation: one key per article whatever form a link or redirect gives."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from crawler.errors import BadStartURL, UsageError
from crawler.urls import (
    SiteURLs,
    _already_plain,
    _parsed_canonical,
    canonicalize_url,
    check_url,
    join_url,
)

SLUG = "بلدية-صور"
SLUG_UPPER = quote(SLUG, safe="-")  # %D8%A8...
SLUG_LOWER = SLUG_UPPER.lower()  # as WordPress prints it in hrefs
ARTICLE = f"https://janoubia.com/2017/09/12/{SLUG_UPPER}/"
JANOUBIA = SiteURLs.from_urls(["https://janoubia.com/"])

# --- table: real-world forms of the same article ------------------------------------------

SAME_ARTICLE = [
    f"https://janoubia.com/2017/09/12/{SLUG_UPPER}/",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/",
    f"https://janoubia.com/2017/09/12/{SLUG}/",
    f"https://janoubia.com/2017/09/12/{SLUG}",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}",
    f"https://janoubia.com/2017/09/12/{SLUG_UPPER[:9].lower()}{SLUG_UPPER[9:]}/",  # mixed case
    f"http://janoubia.com/2017/09/12/{SLUG_LOWER}/",
    f"https://www.janoubia.com/2017/09/12/{SLUG_LOWER}/",
    f"http://WWW.Janoubia.COM/2017/09/12/{SLUG}/",
    f"https://janoubia.com:443/2017/09/12/{SLUG}/",
    f"http://janoubia.com:80/2017/09/12/{SLUG}/",
    f"https://janoubia.com./2017/09/12/{SLUG}/",
    f"https://janoubia.com//2017/09/12/{SLUG}/",
    f"  https://janoubia.com/2017/09/12/{SLUG}/\n",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/#comments",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/#respond",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?utm_source=facebook&utm_medium=social",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?UTM_Campaign=x",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?fbclid=IwAR0abcDEF",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?gclid=Cj0KCQ&mc_cid=4f&mc_eid=9a",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?igshid=MzRlODBiNWFlZA==",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?replytocom=7#respond",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?amp=1",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/?amp",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/amp/",
    f"https://janoubia.com/2017/09/12/{SLUG_LOWER}/amp",
    f"https://www.janoubia.com/2017/09/12/{SLUG}/amp/?utm_source=twitter#comments",
]


@pytest.mark.parametrize("url", SAME_ARTICLE)
def test_forms_of_one_article_give_one_key(url: str) -> None:
    assert canonicalize_url(url, JANOUBIA) == ARTICLE


@pytest.mark.parametrize(("url", "expected"), [
    # empty path, host case, default and other ports
    ("HTTPS://News.Example.COM", "https://news.example.com/"),
    ("https://news.example.com?p=5", "https://news.example.com/?p=5"),
    ("http://127.0.0.1:80/x", "http://127.0.0.1/x/"),
    ("https://news.example:443/", "https://news.example/"),
    ("http://news.example:443/", "http://news.example:443/"),
    ("http://127.0.0.1:8000/2017/01/01/x", "http://127.0.0.1:8000/2017/01/01/x/"),
    # WordPress shortlinks keep their post ID; other parameters are kept and sorted
    ("https://news.example/?p=123", "https://news.example/?p=123"),
    ("https://news.example/?p=123&utm_source=rss#comments", "https://news.example/?p=123"),
    ("https://news.example/?page_id=7", "https://news.example/?page_id=7"),
    ("https://news.example/?s=x&cat=3&b=2", "https://news.example/?b=2&cat=3&s=x"),
    ("https://news.example/?q=a+b", "https://news.example/?q=a%20b"),
    (f"https://news.example/?s={SLUG}", f"https://news.example/?s={SLUG_UPPER}"),
    (f"https://news.example/?s={SLUG_LOWER}", f"https://news.example/?s={SLUG_UPPER}"),
    ("https://news.example/?utm_source=a&fbclid=b", "https://news.example/"),
    # files keep their name as is: no trailing slash
    ("https://news.example/archive/2017.html", "https://news.example/archive/2017.html"),
    ("https://news.example/index.php?p=5", "https://news.example/index.php?p=5"),
    ("https://news.example/wp-content/uploads/2017/09/a.jpg",
     "https://news.example/wp-content/uploads/2017/09/a.jpg"),
    ("https://news.example/news.php?id=12&utm_medium=x", "https://news.example/news.php?id=12"),
    # encoded slashes stay encoded (decoding would change the path's segments)
    ("https://news.example/a%2fb", "https://news.example/a%2Fb/"),
    ("https://news.example/a%2Fb/c", "https://news.example/a%2Fb/c/"),
    # unreserved characters decoded, reserved ones kept, spaces and percents encoded
    ("https://news.example/%7Euser/", "https://news.example/~user/"),
    ("https://news.example/a%41b", "https://news.example/aAb/"),
    ("https://news.example/a b/", "https://news.example/a%20b/"),
    ("https://news.example/100%25-x/", "https://news.example/100%25-x/"),
    ("https://news.example/a%3Fb/", "https://news.example/a%3Fb/"),
    ("https://news.example/a%23b/", "https://news.example/a%23b/"),
    # only a trailing /amp/ segment is AMP; a slug containing "amp" is not
    ("https://news.example/camp/", "https://news.example/camp/"),
    ("https://news.example/amp-stories/x/", "https://news.example/amp-stories/x/"),
])
def test_canonical_forms(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), [
    # IPv6 literals keep their brackets
    ("http://[::1]:8000/x", "http://[::1]:8000/x/"),
    ("http://[2001:DB8::1]/x", "http://[2001:db8::1]/x/"),
    # Arabic host names in IDNA form
    ("http://جنوبية.example/x", "http://xn--ngbch8hkn.example/x/"),
    # a port that is no number in range is dropped, the rest still names the page
    ("http://جنوبية.example:99999/x", "http://xn--ngbch8hkn.example/x/"),
    ("http://user:pw@janoubia.com:x/x", "http://janoubia.com/x/"),
    # no host can be read: the text is its own key, less its fragment
    ("http://[::1/x#comments", "http://[::1/x"),
    ("  http://a]b/  ", "http://a]b/"),
])
def test_malformed_hosts_and_ports(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_other_hosts_keep_their_own_scheme_and_host() -> None:
    url = "http://www.other.example/2017/09/12/x/?utm_source=a"
    assert canonicalize_url(url, JANOUBIA) == "http://www.other.example/2017/09/12/x/"


def test_no_trailing_slash_when_the_site_has_none() -> None:
    site = SiteURLs(hosts={}, trailing_slash=False)
    assert canonicalize_url("https://news.example/2017/09/12/x", site) == (
        "https://news.example/2017/09/12/x")


# --- SiteURLs ------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "link", "expected"), [
    # the start URL's form wins for its site, whichever form a link uses
    ("https://www.example.org/", "http://example.org/a/", "https://www.example.org/a/"),
    ("https://www.example.org/", "https://example.org/a/", "https://www.example.org/a/"),
    ("http://example.org/", "https://www.example.org/a/", "http://example.org/a/"),
    ("https://example.org/", "http://WWW.EXAMPLE.ORG/a/", "https://example.org/a/"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/a/", "http://127.0.0.1:8000/a/"),
    # a different port is a different site
    ("http://127.0.0.1:8000/", "http://127.0.0.1:9000/a", "http://127.0.0.1:9000/a/"),
])
def test_site_form_from_start_url(start: str, link: str, expected: str) -> None:
    assert canonicalize_url(link, SiteURLs.from_urls([start])) == expected


def test_from_urls_scheme_overrides_and_first_form_wins() -> None:
    site = SiteURLs.from_urls(["http://www.a.example/", "http://a.example/x", "https://b.example"],
                              scheme="https")
    assert site.hosts == {"a.example": ("https", "www.a.example"),
                          "b.example": ("https", "b.example")}
    assert canonicalize_url("http://a.example/y", site) == "https://www.a.example/y/"


def test_from_urls_rejects_a_malformed_url() -> None:
    with pytest.raises(BadStartURL):
        SiteURLs.from_urls(["https://ok.example/", "janoubia.com"])


def test_adopt_learns_scheme_www_and_slash_from_rel_canonical() -> None:
    site = SiteURLs.from_urls(["http://janoubia.com/"])
    learned = site.adopt("https://www.janoubia.com/2017/09/12/x")
    assert learned.hosts == {"janoubia.com": ("https", "www.janoubia.com")}
    assert learned.trailing_slash is False
    assert canonicalize_url("http://janoubia.com/2017/09/12/x/", learned) == (
        "https://www.janoubia.com/2017/09/12/x")
    # a file name says nothing about slashes; other hosts and bad URLs teach nothing
    assert site.adopt("https://janoubia.com/a.html").trailing_slash is True
    for declared in ("https://other.example/x/", "ftp://janoubia.com/x/", "http://[::1/",
                     "http://janoubia.com:x/"):
        assert site.adopt(declared) == site


@pytest.mark.parametrize(("url", "allowed"), [
    ("https://janoubia.com/x/", True),
    ("http://www.janoubia.com/x/", True),
    ("https://WWW.JANOUBIA.COM/", True),
    ("https://janoubia.com:443/x/", True),
    ("https://janoubia.com:8443/x/", False),
    ("https://other.example/x/", False),
    ("https://janoubia.com.evil.example/x/", False),
    ("https://sub.janoubia.com/x/", False),
    ("https://janoubia.com:port/x/", False),
    ("https://[janoubia.com/x/", False),
    ("mailto:info@janoubia.com", False),
])
def test_allows(url: str, allowed: bool) -> None:
    assert JANOUBIA.allows(url) is allowed


def test_domains_drop_www_and_ports() -> None:
    site = SiteURLs.from_urls(["https://www.janoubia.com/", "http://127.0.0.1:8000/"])
    assert site.domains == ["127.0.0.1", "janoubia.com"]


# --- check_url -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["https://janoubia.com/", " http://127.0.0.1:8000/x \n",
                                 f"https://janoubia.com/{SLUG}/"])
def test_check_url_accepts_absolute_http(url: str) -> None:
    assert check_url(url) == url.strip()


@pytest.mark.parametrize("url", ["", "janoubia.com", "/2017/09/12/x/", "ftp://janoubia.com/",
                                 "http://", "https:///path", "javascript:alert(1)",
                                 "mailto:a@janoubia.com", "file:///etc/passwd"])
def test_check_url_rejects_other_urls(url: str) -> None:
    with pytest.raises(BadStartURL, match="not an absolute http"):
        check_url(url)
    assert issubclass(BadStartURL, UsageError)


# --- properties ----------------------------------------------------------------------------

ARABIC = st.characters(min_codepoint=0x0621, max_codepoint=0x064A)
RESERVED = st.sampled_from(list(":/?#[]@!$&'()*+,;=%-._~ "))
ESCAPES = st.integers(0, 255).map(lambda b: f"%{b:02x}") | st.integers(0, 255).map(
    lambda b: f"%{b:02X}")
SEGMENT = st.lists(ARABIC | RESERVED | ESCAPES | st.sampled_from(list("aZ09")), max_size=12).map(
    "".join)
HOSTS = st.sampled_from(["janoubia.com", "www.janoubia.com", "WWW.Janoubia.com", "127.0.0.1",
                         "news.example", "جنوبية.example", "[::1]", "xn--mgbh0fb.example",
                         "user:pw@janoubia.com"])
# Hosts pages really print by mistake: unbalanced or invalid IPv6 brackets, empty labels.
BAD_HOSTS = st.sampled_from(["[::1", "a]b", "[zz]", "", ".", "janoubia..com", "-x.example",
                             "a" * 70 + ".example", "a b.example", "%41.example"])
PORTS = st.sampled_from(["", ":80", ":443", ":8000", ":0", ":65535", ":99999", ":x", ":"])
QUERY = st.lists(st.tuples(st.sampled_from(["p", "utm_source", "fbclid", "s", "amp", "q", ""]),
                           SEGMENT), max_size=4).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs))


@st.composite
def url_shaped(draw: st.DrawFn, hosts: st.SearchStrategy[str] = HOSTS) -> str:
    """URLs as pages print them: any scheme case, host form, port, Arabic and
    reserved characters in the path, escapes in either case, query, fragment."""
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    path = "/".join(draw(st.lists(SEGMENT, max_size=5)))
    query = draw(QUERY)
    fragment = draw(st.sampled_from(["", "#", "#comments", "#respond", f"#{SLUG}"]))
    return (f"{scheme}://{draw(hosts)}{draw(PORTS)}/{path}" + (f"?{query}" if query else "")
            + fragment)


SITES = st.sampled_from([SiteURLs(), JANOUBIA,
                         SiteURLs.from_urls(["http://www.janoubia.com/", "http://127.0.0.1:8000/"]),
                         SiteURLs(trailing_slash=False)])


@given(st.text(), SITES)
def test_never_raises_on_any_text(text: str, site: SiteURLs) -> None:
    assert isinstance(canonicalize_url(text, site), str)


@given(url_shaped(HOSTS | BAD_HOSTS), SITES)
def test_never_raises_on_url_shaped_text(url: str, site: SiteURLs) -> None:
    assert isinstance(canonicalize_url(url, site), str)
    assert site.allows(url) in (True, False)


@given(url_shaped(HOSTS | BAD_HOSTS), SITES)
@example("https://janoubia.com/x/amp/amp/", SiteURLs())
@example("http://[::1]:8000/x", SiteURLs())
@example("http://[::1/x#y", SiteURLs())
@example("http://[::1/ #", SiteURLs())
@example("http://جنوبية.example:99999/", SiteURLs())
@example("http://user:pw@جنوبية.example:x/", SiteURLs())
@example("https://janoubia.com/%25%32%66/", SiteURLs())
def test_idempotent(url: str, site: SiteURLs) -> None:
    once = canonicalize_url(url, site)
    assert canonicalize_url(once, site) == once


@given(st.text(), SITES)
def test_idempotent_on_any_text(text: str, site: SiteURLs) -> None:
    once = canonicalize_url(text, site)
    assert canonicalize_url(once, site) == once


@given(url_shaped())
def test_canonical_urls_are_ascii_without_fragment_or_lower_hex(url: str) -> None:
    canon = canonicalize_url(url, JANOUBIA)
    assert canon.isascii()
    assert "#" not in canon
    parts = urlsplit(canon)
    assert parts.scheme in ("http", "https")
    assert parts.path.startswith("/")
    for hexes in parts.path.split("%")[1:]:
        assert hexes[:2] == hexes[:2].upper()


WORDS = st.lists(ARABIC | st.sampled_from(list("abc-_.~09")), min_size=1, max_size=15).map(
    "".join).filter(lambda s: s not in (".", ".."))


@given(st.lists(WORDS, min_size=1, max_size=4), st.sampled_from(["", "/"]),
       st.sampled_from(["", "utm_source=fb", "fbclid=Iw1", "utm_medium=x&gclid=y"]),
       st.sampled_from(["", "#comments", "#respond"]),
       st.sampled_from(["https://janoubia.com", "http://www.janoubia.com",
                        "https://JANOUBIA.com:443"]))
def test_equivalent_forms_give_one_key(segments: list[str], slash: str, tracking: str,
                                       fragment: str, origin: str) -> None:
    raw = "/" + "/".join(segments) + slash
    upper = quote(raw, safe="/")
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), upper)
    reference = canonicalize_url("https://janoubia.com" + raw, JANOUBIA)
    for path in (raw, upper, lower):
        url = origin + path + (f"?{tracking}" if tracking else "") + fragment
        assert canonicalize_url(url, JANOUBIA) == reference


@given(st.lists(WORDS, min_size=1, max_size=4))
def test_distinct_slugs_give_distinct_keys(segments: list[str]) -> None:
    url = "https://janoubia.com/" + "/".join(segments) + "/"
    other = "https://janoubia.com/" + "/".join(segments) + "-2/"
    assert canonicalize_url(url, JANOUBIA) != canonicalize_url(other, JANOUBIA)


PLAIN_HOSTS = st.sampled_from(["janoubia.com", "www.janoubia.com", "127.0.0.1:8000",
                               "www.127.0.0.1:8000", "news.example", "janoubia.com:443"])
PLAIN_SEGMENT = st.lists(
    st.sampled_from(list("aZ09-._~!$&'()*+,;=:@") + ["%D8%A7", "%d8%a7", "%2F", "%41", "%FF",
                                                      "%80", "%fF", "%c3", "amp", "/"]),
    max_size=8).map("".join)


PLAIN_QUERY = st.one_of(
    st.just(""),
    st.lists(st.sampled_from(list("aZ09-._~!$&'()*+,;=:@/?") + [
        "%D8%A7", "%d8%a7", "%26", "%3D", "%2B", "%20", "%41", "%zz", "%", "p=12",
        "utm_source=x", "fbclid=Iw", "amp=1", "&", "=", "+", "é", " ", "#"]),
        max_size=8).map(lambda q: "?" + "".join(q)))
PLAIN_FRAGMENT = st.sampled_from(["", "#", "#comments", "#a?b=c", "#x y", "#\n", "#%zz", " "])


@given(st.sampled_from(["http", "https"]), PLAIN_HOSTS, st.lists(PLAIN_SEGMENT, max_size=4),
       st.sampled_from(["", "/"]), PLAIN_QUERY, PLAIN_FRAGMENT, SITES)
@example("https", "janoubia.com", ["x", "amp"], "/", "", "", JANOUBIA)
@example("https", "janoubia.com", ["x.html"], "/", "", "", SiteURLs(trailing_slash=False))
@example("https", "janoubia.com", [""], "", "?p=12", "", JANOUBIA)
@example("https", "janoubia.com", ["%d8%a7x"], "/", "?utm_source=f&b=1&a=2", "#comments", JANOUBIA)
def test_plain_urls_skip_the_parse_with_the_same_result(
        scheme: str, host: str, segments: list[str], slash: str, query: str, fragment: str,
        site: SiteURLs) -> None:
    # Links spelled as the crawl would spell them skip the full parse: same key either way.
    url = f"{scheme}://{host}/" + "/".join(segments) + slash + query + fragment
    for candidate in (url, canonicalize_url(url, site)):
        plain = _already_plain(candidate, site)
        if plain is not None:
            assert plain == _parsed_canonical(candidate, site)


def test_canonical_links_of_the_crawls_site_skip_the_parse() -> None:
    site = SiteURLs.from_urls(["https://janoubia.com/"])
    url = "https://www.janoubia.com/2017/09/12/%D8%A7%D9%84/"
    assert _already_plain(url, site) == "https://janoubia.com/2017/09/12/%D8%A7%D9%84/"
    assert _already_plain(url.lower(), site) == "https://janoubia.com/2017/09/12/%D8%A7%D9%84/"
    assert _already_plain(url.replace("%D8%A7", "%41"), site) is None  # an escaped "A"
    assert _already_plain(url[:-1], site) == "https://janoubia.com/2017/09/12/%D8%A7%D9%84/"
    assert _already_plain(url + "amp", site) is None  # an AMP page: the full parse drops it
    shared = url.lower()[:-1] + "/?utm_source=fb&utm_medium=social#comments"
    assert _already_plain(shared, site) == "https://janoubia.com/2017/09/12/%D8%A7%D9%84/"
    assert _already_plain("https://janoubia.com/?p=12&amp=1", site) == "https://janoubia.com/?p=12"
    assert _already_plain(url.replace("/2017", "/News"), site) == (
        "https://janoubia.com/News/09/12/%D8%A7%D9%84/")


def test_a_site_spelled_with_www_twice_keeps_other_hosts_off_the_fast_path() -> None:
    site = SiteURLs.from_urls(["https://www.www.x.com/"])
    assert _already_plain("https://www.x.com/a/", site) is None
    assert canonicalize_url("https://www.x.com/a/", site) == "https://www.x.com/a/"
    assert canonicalize_url("https://www.www.x.com/a", site) == "https://www.www.x.com/a/"


@pytest.mark.parametrize("base", ["https://a.com/x/y", "http://a.com/x/", "HTTPS://A.com/"])
@pytest.mark.parametrize("href", [
    "https://a.com/z", "http://a.com/z?", "https://a.com/./z/../w", "https://a.com/z#f",
    "https://a.com", "http://b.com/a;p?q#f", "https://[::1]/x", "  https://a.com/q  ",
    "https:/x", "//c.com/p", "../r", "https://[bad/x", "http://[bad/x",
])
def test_joined_links_are_what_urljoin_makes_of_them(base, href):
    # Absolute links take a cached path: it must give urljoin's answer, twice.
    try:
        want = urljoin(base, href.strip())
    except ValueError:
        want = None
    assert join_url(base, href) == want
    assert join_url(base, href) == want
