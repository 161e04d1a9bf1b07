"""The site's pages as the faults change them for good: 404s, robots.txt, the traps and
redirects, articles that link a loop, another host or an older article as next, the
padded article, and the encodings and broken markup drawn per path."""

from __future__ import annotations

from dataclasses import replace

from crawler.samplesite import damage
from crawler.samplesite import layout as L
from crawler.samplesite import traps as T
from crawler.samplesite.content import Post, ReadAlso
from crawler.samplesite.faults import Faults
from crawler.samplesite.model import PLACEHOLDER as O
from crawler.samplesite.model import Page, Site, encode_path
from crawler.samplesite.pages import LISTING_SIZE, robots
from crawler.samplesite.placement import copies_of, place


class FaultyPages:
    """Pages of *site* under *faults*, with the placeholder origin like the site's own.

    Pages the faults change for good are rendered once; the per-path damage (encoding,
    markup) is cheap and applied on each request.
    """

    def __init__(self, site: Site, faults: Faults) -> None:
        self.site = site
        self.faults = faults
        self.placement = place(site, faults)
        self.articles = set(site.article_paths) | {
            c for cs in copies_of(site).values() for c in cs}
        self._post_at = dict(zip(site.article_paths, site.posts, strict=False))
        self._chain_posts = [p for p in site.posts if p.in_chain]
        newest = site.truth["articles"][-1]["published"] if site.article_paths else "2017-01"
        self._widget = T.widget(newest[:7]) if faults.trap else ""
        self._redirects = T.redirects()
        if not faults.redirect_loop:
            del self._redirects[T.LOOP[0]], self._redirects[T.LOOP[1]]
        if not faults.offsite_redirect:
            del self._redirects[T.OFFSITE_PATH]
        self._rendered: dict[str, Page] = {}

    def extra(self, path: str, query: str) -> Page | None:
        """A page the faults add at decoded *path* and *query*: robots.txt with its
        disallowed sections, the redirects and the traps."""
        if path == "/robots.txt" and self.faults.robots_disallow:
            return robots(self.faults.robots_disallow)
        if path in self._redirects:
            return self._redirects[path]
        if not self.faults.trap:
            return None
        return T.trap_page(path, query, self._chain_posts) or self.endless_archive(path)

    def endless_archive(self, path: str) -> Page | None:
        """A category's page past its last (a trap), if *path* is one."""
        found = T.category_page(path)
        if found is None or encode_path(path) in self.site.pages:
            return None
        base, number = found
        listed = [p for p in self.site.posts if base in (L.term_path("category", c)
                                                         for c in p.categories)]
        if not listed:
            return None
        last = listed[:len(listed) % LISTING_SIZE or LISTING_SIZE][::-1]
        return T.endless_archive(base, number, last)

    def not_found(self) -> Page:
        """The 404 page (with the trap links in its sidebar when the traps are on)."""
        page = self.site.not_found
        return replace(page, body=damage.with_sidebar(page.body, self._widget))

    def page(self, key: str, path: str) -> tuple[Page, bool]:
        """The page at *key* (decoded: *path*) and whether transient faults may hit it."""
        if key in self.placement.missing:
            return self.not_found(), False
        page = self._lasting(key)
        html = page.status == 200 and page.content_type.startswith("text/html")
        exposed = key in self.articles or (self.faults.listings and html)
        if not html:
            return page, exposed
        body = damage.with_sidebar(page.body, self._widget)
        if self.faults.trap:
            body = T.never_ending(path, body)
        if exposed and self.faults.malformed(path):
            body = damage.damage_markup(body)
        encoding = self.faults.encoding(path) if exposed else None
        if encoding:
            body = damage.to_windows_1256(body, keep_meta=encoding == "wrong")
            kind = "text/html" if encoding == "cp1256" else "text/html; charset=utf-8"
            return replace(page, body=body, content_type=kind), exposed
        return replace(page, body=body), exposed

    def _lasting(self, key: str) -> Page:
        """The page at *key* with the lasting changes: another next link, extra read-also
        links, padding."""
        page = self._rendered.get(key)
        if page is not None:
            return page
        placed = self.placement
        if key in placed.changed and self.site.render_article is not None:
            page = self.site.render_article(self.changed_post(key))
        else:
            page = self.site.pages[key]
        if key == placed.oversize:
            page = replace(page, body=damage.pad(page.body, self.faults.oversize))
        if key in placed.changed or key == placed.oversize:
            self._rendered[key] = page
        return page

    def changed_post(self, key: str) -> Post:
        """A copy of the post at *key* with the links the faults give it."""
        post, placed = self._post_at[key], self.placement
        extra = [ReadAlso(replace(post, title=title), O + path)
                 for host, title, path in ((placed.loop_host, T.LOOP_TITLE, T.LOOP[0]),
                                           (placed.offsite_host, T.OFFSITE_TITLE, T.OFFSITE_PATH))
                 if host == key]
        if extra:
            post = replace(post, read_also=[*post.read_also, *extra],
                           read_also_after=[*post.read_also_after, *[1] * len(extra)])
        if placed.cycle and placed.cycle[0] == key:
            post = replace(post, next=self._post_at[placed.cycle[1]])
        return post
