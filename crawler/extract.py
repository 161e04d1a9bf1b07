"""Field extraction from an article page, driven by a site profile.

Functions here take an lxml tree and return raw values; ``crawler.loaders``
turns them into item fields.  The body is read block by block from the
profile's content container, after read-also blocks and boilerplate are removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from cssselect import parse as parse_css
from cssselect.parser import Class as CssClass
from cssselect.parser import CombinedSelector
from cssselect.parser import Hash as CssHash
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from crawler import zones as Z
from crawler.linkpage import class_values, page_class_values
from crawler.links import read_also_blocks
from crawler.profiles import Profile
from crawler.text import collapse_space, normalize_arabic
from crawler.zones import ASIDE, CHROME, NOT_BODY, OTHERS, PageZones, Vocabulary

# Elements whose start and end break the text into paragraphs.
BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
    "section", "article", "table", "tr", "td", "th", "dd", "dt", "dl", "header", "figure",
    "main", "hr", "br", "address", "center",
})
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_LATIN_LETTER = re.compile("[A-Za-z]")
# A byline's leading word ("بقلم:", "By "), followed by a colon or a space: never the
# start of a name ("Byron", "تحريرات").
_AUTHOR_PREFIX = re.compile(
    r"^\s*(?:(?:بقلم|بواسطة|كتب|كتبت|by)(?:\s*[:：]\s*|\s+)|(?:إعداد|اعداد|تحرير)\s*[:：]\s*)"
    r"(?=\S)", re.I)
_TAG_RESIDUE = re.compile(r"<(?=[A-Za-z/!?])")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_selectors: dict[str, CSSSelector] = {}


def css(root: HtmlElement, query: str) -> list[HtmlElement]:
    """Elements of *root* matching a CSS *query* (compiled once, then cached).

    Each query is a pass over the tree, and most of a profile's fallback queries name
    classes a given page does not use: those are answered without the pass."""
    sel = _selectors.get(query)
    if sel is None:
        sel = _selectors[query] = CSSSelector(query, translator="html")
    words = _page_words(root)
    if not any(needed <= words for needed in _needed_words(query)):
        return []
    return sel(root)


_IDS = etree.XPath("//*/@id", smart_strings=False)
# The words of the page last asked about, held with its root element.
_last_page: list[tuple[HtmlElement, frozenset[str]]] = []


def _page_words(el: HtmlElement) -> frozenset[str]:
    """The class names and ids used on *el*'s page (computed once per page; a tree
    that lost elements since still gives a superset, which only skips less)."""
    root = el.getroottree().getroot()
    if _last_page and _last_page[0][0] is root:
        return _last_page[0][1]
    words = frozenset(" ".join(page_class_values(root) + _IDS(root)).split())
    _last_page[:] = [(root, words)]
    return words


@lru_cache(maxsize=1024)
def _needed_words(query: str) -> tuple[frozenset[str], ...]:
    """For each selector of a CSS *query*, the class names and ids an element of a page
    can only match it with, all of them on the page (none under ``:not()``)."""
    return tuple(frozenset(_words_of(selector.parsed_tree)) for selector in parse_css(query))


def _words_of(node: Any) -> Iterator[str]:
    if isinstance(node, CssClass):
        yield node.class_name
    elif isinstance(node, CssHash):
        yield node.id
    if isinstance(node, CombinedSelector):
        yield from _words_of(node.subselector)
    # The subject part of any other node (a negation's argument is never required).
    if hasattr(node, "selector"):
        yield from _words_of(node.selector)


def plain(text: str) -> str:
    """*text* with whitespace collapsed and no residue of broken markup: a ``<``
    right before a letter, ``/``, ``!`` or ``?`` opens a tag in HTML, so in text it
    can only be the remains of a damaged one.

    >>> plain("  x <h y  ")
    'x h y'
    >>> plain("5 < 6")
    '5 < 6'
    """
    return collapse_space(_TAG_RESIDUE.sub("", text))


def text_of(el: HtmlElement) -> str:
    """The element's text with whitespace collapsed."""
    return plain(el.text_content())


def first_text(root: HtmlElement, queries: tuple[str, ...], zones: PageZones) -> str | None:
    """Text of the first element, over ordered fallback *queries*, that has any
    (elements about other posts and people, ``crawler.zones.OTHERS``, are skipped: a
    commenter is not the author)."""
    for query in queries:
        for el in css(root, query):
            text = text_of(el)
            if text and not zones.inside(el, OTHERS):
                return text
    return None


def meta(root: HtmlElement, *names: str) -> list[str]:
    """Contents of ``<meta property|name|itemprop=NAME>`` for each name, in order."""
    found = []
    for name in names:
        for el in root.xpath("//meta[@property=$n or @name=$n or @itemprop=$n]", n=name):
            value = collapse_space(el.get("content") or "")
            if value:
                found.append(value)
    return found


def json_ld(root: HtmlElement) -> Iterator[dict]:
    """Every JSON-LD object of the page, ``@graph`` members and lists flattened."""
    for script in root.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                yield node
                if "@graph" in node:
                    stack.append(node["@graph"])


def _ld_articles(root: HtmlElement) -> Iterator[dict]:
    for node in json_ld(root):
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and (k.endswith("Article") or k == "BlogPosting") for k in kinds):
            yield node


def article_scope(root: HtmlElement, body: HtmlElement | None,
                  vocabulary: Vocabulary = Z.DEFAULT) -> HtmlElement:
    """The element that holds this article's header, body and footer (not the sidebar):
    the post's element around the body (``Vocabulary.is_post``)."""
    if body is not None:
        for ancestor in body.iterancestors():
            if vocabulary.is_post(ancestor):
                return ancestor
    found = css(root, "article") or css(root, "main")
    return found[0] if len(found) == 1 else root


def title(root: HtmlElement, profile: Profile, zones: PageZones) -> str | None:
    """The headline: the profile's headline element; else the first ``<h1>`` that
    agrees with ``og:title`` or ``<title>`` (a logo in an ``<h1>`` does not); else that
    meta title without the site name; else the first ``<h1>``."""
    found = first_text(root, profile.title_css, zones)
    if found:
        return found
    declared = next(iter(meta(root, "og:title", "twitter:title") + root.xpath("//title/text()")),
                    None)
    declared = _strip_site_name(collapse_space(declared), root, profile) if declared else None
    candidates = [c for c in (text_of(el) for el in css(root, "h1")) if c]
    if not declared:
        return candidates[0] if candidates else None
    key = normalize_arabic(declared)
    for candidate in candidates:
        ckey = normalize_arabic(candidate)
        if ckey in key or key in ckey:
            return candidate
    return declared


def _strip_site_name(text: str, root: HtmlElement, profile: Profile) -> str:
    site_names = meta(root, "og:site_name")
    for sep in profile.title_suffix_separators:
        head, _, tail = text.rpartition(sep)
        if head and (not site_names or tail.strip() in site_names or len(tail) < len(head) / 2):
            return head.strip()
    return text


def author(root: HtmlElement, profile: Profile, scope: HtmlElement, zones: PageZones
           ) -> str | None:
    """The author's name: byline elements in the article, then meta and JSON-LD."""
    name = first_text(scope, profile.author_css, zones) or next(iter(meta(root, "author")), None)
    if not name:
        for node in _ld_articles(root):
            people = node.get("author")
            people = people if isinstance(people, list) else [people]
            names = [p.get("name") for p in people if isinstance(p, dict) and p.get("name")]
            if names:
                name = ", ".join(str(n) for n in names)
                break
    if not name:
        return None
    return _AUTHOR_PREFIX.sub("", collapse_space(name)) or None


def _link_texts(scope: HtmlElement, queries: tuple[str, ...], vocabulary: Vocabulary,
                skip: Callable[[HtmlElement], bool] = lambda a: False) -> list[str]:
    # Ordered fallbacks: the first query that finds links in the article wins.  Other
    # posts' terms, asides and the site's header and footer are skipped, up to the
    # scope only: a <footer> inside the article is the article's own (Twenty* themes
    # list categories and tags in <footer class="entry-footer">).
    for query in queries:
        names = [text_of(a) for a in css(scope, query)
                 if not vocabulary.inside(a, OTHERS | ASIDE | CHROME, stop=scope)
                 and not skip(a)]
        if any(names):
            return [n for n in names if n]
    return []


def categories(root: HtmlElement, scope: HtmlElement, profile: Profile,
               vocabulary: Vocabulary) -> list[str]:
    """Category names: the profile's category links in the article, then meta and JSON-LD."""
    found = _link_texts(scope, profile.categories_css, vocabulary) or meta(
        root, "article:section")
    if not found:
        for node in _ld_articles(root):
            section = node.get("articleSection")
            if section:
                found = section if isinstance(section, list) else [section]
                break
    return found


def tags(root: HtmlElement, scope: HtmlElement, profile: Profile, vocabulary: Vocabulary
         ) -> list[str]:
    """Tag names: the profile's tag links in the article, then ``article:tag``.
    Category links are never tags, though block themes mark them ``rel="tag"`` too."""
    return _link_texts(scope, profile.tags_css, vocabulary, skip=_is_category_link) \
        or meta(root, "article:tag")


def _is_category_link(a: HtmlElement) -> bool:
    if "/category/" in (a.get("href") or ""):
        return True
    return any("taxonomy-category" in (el.get("class") or "") or
               "cat-links" in (el.get("class") or "") for el in a.iterancestors())


def language(root: HtmlElement, body: str) -> str | None:
    """Primary language subtag from ``<html lang>``, else guessed from the script."""
    lang = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
    lang = lang.strip().lower().replace("_", "-").split("-")[0]
    if lang:
        return lang
    arabic, latin = len(_ARABIC_LETTER.findall(body)), len(_LATIN_LETTER.findall(body))
    if arabic or latin:
        return "ar" if arabic >= latin else None
    return None


def body_element(root: HtmlElement, profile: Profile) -> HtmlElement | None:
    """The first content container, over the profile's ordered selectors, holding text."""
    for query in profile.body_css:
        for el in css(root, query):
            if len(el.text_content().strip()) >= 40:
                return el
    return None


def clean_body(body: HtmlElement, zones: PageZones) -> None:
    """Remove read-also blocks and what is not the body's text (``crawler.zones``:
    ``NOT_BODY``) from the body container, in place."""
    doomed = read_also_blocks(body.getroottree().getroot(), body, zones)
    doomed.extend(_not_body(body, zones))
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            _drop_keep_tail(el, parent)


_IDS_UNDER = etree.XPath("descendant::*/@id", smart_strings=False)
# Tags, attributes and roles that are never the body's text, whatever their classes
# (a <header> inside the body container is the post's own).
_NOT_BODY_TESTS = " or ".join(
    [f"self::{tag}" for tag, kinds in Z.TAG_KINDS.items() if kinds & NOT_BODY]
    + ["@hidden", "@aria-hidden='true'"]
    + [f"@role='{role}'" for role, kinds in Z.ROLE_KINDS.items() if kinds & NOT_BODY])


def _not_body(body: HtmlElement, zones: PageZones) -> list[HtmlElement]:
    """Elements under *body* that are not its text, in document order, in one pass:
    the class and id values the zones flag are worked out once per distinct value,
    then matched whole; the zones have the last word on each element found (a
    heading's id is read by exact names only)."""
    vocabulary = zones.vocabulary
    classes = [v for v in set(class_values(body)) if vocabulary.class_kinds(v) & NOT_BODY]
    ids = [v for v in set(_IDS_UNDER(body)) if vocabulary.id_kinds(v) & NOT_BODY]
    found = _not_body_query(len(classes), len(ids))(body, classes, ids)
    return [el for el in found if vocabulary.kinds_of(el) & NOT_BODY]


@lru_cache(maxsize=256)
def _not_body_query(classes: int, ids: int) -> Callable[..., list[HtmlElement]]:
    """A compiled query for the elements under a body that are not its text, given
    *classes* class values and *ids* id values to match whole."""
    tests = [_NOT_BODY_TESTS, *(f"@class=$c{i}" for i in range(classes)),
             *(f"@id=$i{i}" for i in range(ids))]
    query = etree.XPath(f"descendant::*[{' or '.join(tests)}]")

    def run(body: HtmlElement, class_list: list[str], id_list: list[str]) -> list[HtmlElement]:
        names = {f"c{i}": v for i, v in enumerate(class_list)}
        names.update({f"i{i}": v for i, v in enumerate(id_list)})
        return query(body, **names)
    return run


def _drop_keep_tail(el: HtmlElement, parent: HtmlElement) -> None:
    # The text after an element belongs to its parent: keep it when the element goes.
    # (lxml refuses control characters in text it is given, though it parsed them.)
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = _CONTROLS.sub("", (prev.tail or "") + " " + el.tail)
        else:
            parent.text = _CONTROLS.sub("", (parent.text or "") + " " + el.tail)
    parent.remove(el)


def paragraphs(container: HtmlElement) -> list[str]:
    """The container's text split at block elements, whitespace collapsed, empty ones dropped."""
    chunks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = plain("".join(current))
        if text:
            chunks.append(text)
        current.clear()

    for event, el in etree.iterwalk(container, events=("start", "end")):
        if not isinstance(el.tag, str):  # comments and processing instructions
            if event == "end" and el.tail:
                current.append(el.tail)
            continue
        block = el.tag in BLOCK_TAGS
        if event == "start":
            if block:
                flush()
            if el.text:
                current.append(el.text)
        else:
            if block:
                flush()
            if el.tail and el is not container:
                current.append(el.tail)
    flush()
    return chunks


def body_text(root: HtmlElement, container: HtmlElement | None, zones: PageZones,
              headline: str | None = None) -> str:
    """The article text, paragraphs joined by one blank line (the container is cleaned
    in place); a first paragraph that repeats the headline is dropped."""
    if container is None:
        return _fallback_body(root)
    clean_body(container, zones)
    chunks = paragraphs(container)
    if chunks and headline and normalize_arabic(chunks[0]) == normalize_arabic(headline):
        chunks.pop(0)
    return "\n\n".join(chunks)


def _fallback_body(root: HtmlElement) -> str:
    # No known container: let trafilatura find the main text.
    import trafilatura

    # A <title> whose end tag is damaged holds the rest of the page as text: never body.
    for el in root.xpath("//title | //textarea"):
        parent = el.getparent()
        if parent is not None:
            _drop_keep_tail(el, parent)
    text = trafilatura.extract(etree.tostring(root, encoding="unicode"), favor_precision=True,
                               include_comments=False, include_tables=False) or ""
    return "\n\n".join(p for p in (plain(line) for line in text.split("\n")) if p)


def extract_fields(root: HtmlElement, profile: Profile, zones: PageZones | None = None
                   ) -> dict:
    """Every text field of an article page as raw values (the tree is modified:
    call after the links have been read); *zones*: the page's, when its other readers
    share them (of the profile's vocabulary, ``crawler.zones``)."""
    zones = zones or PageZones(Z.vocabulary(profile.boilerplate_tokens))
    vocabulary = zones.vocabulary
    container = body_element(root, profile)
    scope = article_scope(root, container, vocabulary)
    headline = title(root, profile, zones)
    body = body_text(root, container, zones, headline)
    return {
        "title": headline,
        "author": author(root, profile, scope, zones),
        "categories": categories(root, scope, profile, vocabulary),
        "tags": tags(root, scope, profile, vocabulary),
        "body": body,
        "language": language(root, body),
    }
