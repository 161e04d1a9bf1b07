"""Article markup in four theme families, and the read-also shapes editors type.

- ``core``: WordPress core / Twenty* (``rel=prev/next``, ``.entry-content``, meta dates);
- ``tagdiv``: tagDiv Newspaper or Jannah navigation classes without ``rel``,
  ``.td-post-content``, JSON-LD dates;
- ``local``: a local theme with Arabic labels only and a visible Levantine date;
- ``jnews``: JNews (``.jeg_prevnext_post``, ``.content-inner``, meta dates).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from crawler.samplesite import layout as L
from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.day import Day
from crawler.samplesite.model import PLACEHOLDER as O
from crawler.samplesite.model import Page

READ_ALSO_LABELS = ("إقرأ أيضا:", "اقرأ أيضاً:", "اقرأ ايضا:")
READ_ALSO_HEADINGS = ("مقالات ذات صلة", "إقرأ أيضاً")


@dataclass(frozen=True)
class View:
    """What a theme needs besides the post: its URLs, neighbours and widgets."""

    canonical: str
    own_href: str
    related: list[Post]
    content: str
    comments: str
    prev: Post | None
    next: Post | None


def article_page(post: Post, chrome: L.Chrome, day: Day, copy: bool = False) -> Page:
    """The page of *post*, or of its ``-2`` copy (own canonical, no prev/next), with
    the day's widget counters; it last changed when the post did."""
    path = post.copy_path if copy and post.copy_path else post.path
    canonical, own = L.url(path), L.href(path)
    view = View(canonical, own, post.related, content(post),
                L.comments(post, own, post.first_comment),
                None if copy else post.prev, None if copy else post.next)
    head, main = THEMES[post.theme](post, view)
    shortlink = f"{O}/?p={post.copy_id if copy else post.id}"
    html = L.page(title=post.title, chrome=chrome,
                  main=main + "\n" + day.stats(post.id, len(post.comments), path),
                  body_class=f"post-template-default single single-post postid-{post.id}",
                  head=L.article_head(post, canonical, shortlink) + head + day.script(path))
    return Page(200, html.encode("utf-8"), last_modified=post.modified or post.published)


def content(post: Post) -> str:
    """The content blocks with the read-also markup in place."""
    out = []
    inline = post.read_also_shape < 3
    for k, block in enumerate(post.blocks, 1):
        out.append(block.html)
        if inline:
            out += [read_also_paragraph(post, link_no)
                    for link_no, after in enumerate(post.read_also_after) if after == k]
    if post.read_also and not inline:
        items = "".join(f'<li><a href="{escape(r.href)}">{escape(r.target.title)}</a></li>'
                        for r in post.read_also)
        heading = READ_ALSO_HEADINGS[(post.variant >> 8) & 1]
        out.append(f"<h3>{heading}</h3>\n<ul>{items}</ul>")
    return "\n".join(out)


def read_also_paragraph(post: Post, link_no: int) -> str:
    """One read-also paragraph in the post's shape (0-2)."""
    link = post.read_also[link_no]
    a = f'<a href="{escape(link.href)}">'
    quoted = f"«{escape(link.target.title)}»"
    if post.read_also_shape == 0:
        return f"<p>{READ_ALSO_LABELS[0]} {a}{quoted}</a></p>"
    if post.read_also_shape == 1:
        return f"<p><strong>{READ_ALSO_LABELS[1]}</strong> {a}{quoted}</a></p>"
    return f"<p>{a}{READ_ALSO_LABELS[2]} {quoted}</a></p>"


def meta_dates(post: Post) -> str:
    """``article:published_time`` (and ``modified_time``) head tags."""
    tags = f'\n<meta property="article:published_time" content="{L.iso(post.published)}">'
    if post.modified:
        tags += f'\n<meta property="article:modified_time" content="{L.iso(post.modified)}">'
    return tags


def author_link(post: Post, attrs: str = "") -> str:
    """Link to the author's archive."""
    return f'<a href="{L.href(L.author_path(post))}"{attrs}>{escape(post.author[0])}</a>'


def core(post: Post, v: View) -> tuple[str, str]:
    """WordPress core / Twenty* single post."""
    posted = (f'<time class="entry-date published" datetime="{L.iso(post.published)}">'
              f"{L.arabic_date(post.published)}</time>")
    if post.modified:
        posted += (f'<time class="updated" datetime="{L.iso(post.modified)}">'
                   f"{L.arabic_date(post.modified)}</time>")
    tags = f' <span class="tags-links">الوسوم: {L.terms(post, "tag")}</span>' if post.tags else ""
    main = f"""<article id="post-{post.id}" class="post-{post.id} post type-post status-publish \
format-standard hentry">
<header class="entry-header"><h1 class="entry-title">{escape(post.title)}</h1>
<div class="entry-meta"><span class="posted-on"><a href="{v.own_href}" rel="bookmark">{posted}</a>\
</span> <span class="byline"><span class="author vcard">{author_link(post, ' class="url fn n"')}\
</span></span></div></header>
<div class="entry-content">
{v.content}
{L.share("sharedaddy sd-sharing-enabled", v.canonical)}
{L.related("jp-relatedposts", v.related)}
</div>
<footer class="entry-footer"><span class="cat-links">نُشر في {L.terms(post, "category")}</span>\
{tags}</footer>
</article>
{core_nav(post, v)}
{v.comments}"""
    return meta_dates(post), main


def core_nav(post: Post, v: View) -> str:
    """Post navigation with ``rel=prev``/``rel=next`` (English or Arabic labels)."""
    if not (v.prev or v.next):
        return ""
    arabic = (post.variant >> 2) & 1
    labels = ("المقالة السابقة", "المقالة التالية") if arabic else ("Previous Post", "Next Post")
    parts = []
    for css, rel, label, other in (("nav-previous", "prev", labels[0], v.prev),
                                   ("nav-next", "next", labels[1], v.next)):
        if other:
            parts.append(f'<div class="{css}"><a href="{L.href(other.path)}" rel="{rel}">'
                         f'<span class="meta-nav">{label}</span> '
                         f'<span class="post-title">{escape(other.title)}</span></a></div>')
    return (f'<nav class="navigation post-navigation" aria-label="مقالات">'
            f'<h2 class="screen-reader-text">تصفّح المقالات</h2>'
            f'<div class="nav-links">{"".join(parts)}</div></nav>')


def tagdiv(post: Post, v: View) -> tuple[str, str]:
    """tagDiv Newspaper single post with JSON-LD; Jannah-style navigation on some."""
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": v.canonical},
        "headline": post.title, "datePublished": L.iso(post.published),
        **({"dateModified": L.iso(post.modified)} if post.modified else {}),
        "author": {"@type": "Person", "name": post.author[0]},
        "publisher": {"@type": "Organization", "name": W.SITE_NAME}, "inLanguage": "ar",
    }
    head = ('\n<script type="application/ld+json">'
            + json.dumps(data, ensure_ascii=False) + "</script>")
    cats = "".join(f'<li class="entry-category">{L.terms_one("category", c)}</li>'
                   for c in post.categories)
    tags = "".join(f"<li>{L.terms_one('tag', t)}</li>" for t in post.tags)
    nav = jannah_nav(v) if (post.variant >> 2) & 1 else tagdiv_nav(v)
    main = f"""<article id="post-{post.id}" class="post-{post.id} post type-post \
td-post-template-default">
<div class="td-post-header"><ul class="td-category">{cats}</ul>
<header class="td-post-title"><h1 class="entry-title">{escape(post.title)}</h1>
<div class="td-module-meta-info"><div class="td-post-author-name"><div class="td-author-by">بواسطة\
</div> {author_link(post)}</div> <span class="td-post-date">\
<time class="entry-date td-module-date" datetime="{L.iso(post.published)}">\
{L.arabic_date(post.published)}</time></span></div></header></div>
{L.share("td-post-sharing-top td-post-sharing", v.canonical)}
<div class="td-post-content tagdiv-type">
{v.content}
</div>
<footer><div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix">\
<li><span>الوسوم</span></li>{tags}</ul></div>
{nav}
</footer></article>
{L.related("td-related-posts", v.related)}
{v.comments}"""
    return head, main


def tagdiv_nav(v: View) -> str:
    """tagDiv's prev/next boxes: classes and Arabic captions, no rel."""
    if not (v.prev or v.next):
        return ""
    boxes = []
    for css, label, other in (("td-post-prev-post", "المقال السابق", v.prev),
                              ("td-post-next-post", "المقال التالي", v.next)):
        inner = ""
        if other:
            inner = (f'<div class="td-post-next-prev-content"><span>{label}</span>'
                     f'<a href="{L.href(other.path)}">{escape(other.title)}</a></div>')
        boxes.append(f'<div class="td-block-span6 {css}">{inner}</div>')
    return (f'<div class="td-block-row td-post-next-prev">{boxes[0]}'
            f'<div class="td-next-prev-separator"></div>{boxes[1]}</div>')


def jannah_nav(v: View) -> str:
    """Jannah's prev/next: a thumbnail link and a title link to each neighbour."""
    if not (v.prev or v.next):
        return ""
    cols = []
    for css, other in (("prev-post", v.prev), ("next-post", v.next)):
        if other:
            h = L.href(other.path)
            cols.append(f'<div class="tie-col-xs-6 {css}"><a href="{h}" class="post-thumb">'
                        f'<div class="post-thumb-overlay-wrap"><div class="post-thumb-overlay">'
                        f'<span class="tie-icon tie-media-icon"></span></div></div></a>'
                        f'<a href="{h}"><h3 class="post-title">{escape(other.title)}</h3></a>'
                        f"</div>")
    return f'<div class="prev-next-post-nav container-wrapper media-overlay">{"".join(cols)}</div>'


def local(post: Post, v: View) -> tuple[str, str]:
    """A local theme: Arabic labels, visible Levantine date only."""
    tags = f'<div class="post-tags">الكلمات المفتاحية: {L.terms(post, "tag")}</div>' \
        if post.tags else ""
    date = L.local_date(post.published, (post.variant >> 5) & 3)
    main = f"""<div class="single-post post-{post.id}">
<div class="post-head"><div class="post-cats">{L.terms(post, "category")}</div>
<h1 class="post-title">{escape(post.title)}</h1>
<div class="post-info"><span class="date">{date}</span> <span class="meta-author">بقلم \
{author_link(post, ' rel="author"')}</span></div></div>
<div class="post-content">
{v.content}
</div>
{tags}
{L.share("share-buttons", v.canonical)}
{local_nav(post, v)}
{L.related("related-posts", v.related)}
{v.comments}
</div>"""
    return "", main


def local_nav(post: Post, v: View) -> str:
    """Arabic-label navigation in one of three layouts."""
    if not (v.prev or v.next):
        return ""
    style = (post.variant >> 2) % 3
    parts = []
    for role, other in (("prev", v.prev), ("next", v.next)):
        if not other:
            continue
        h = L.href(other.path)
        if style == 0:
            label = "« المقال السابق" if role == "prev" else "المقالة التالية »"
            parts.append(f'<a href="{h}" class="{role}">{label}</a>')
        elif style == 1:
            parts.append(f'<a href="{h}">{"السابق" if role == "prev" else "التالي"}</a>')
        else:
            label = "المقال السابق:" if role == "prev" else "المقال التالي:"
            parts.append(f'<div class="nav-{role}"><span>{label}</span> '
                         f'<a href="{h}">{escape(other.title)}</a></div>')
    return f'<div class="post-nav">{" | ".join(parts)}</div>'


def jnews(post: Post, v: View) -> tuple[str, str]:
    """JNews single post with meta dates."""
    tags = f'<div class="jeg_post_tags"><span>الوسوم:</span> {L.terms(post, "tag")}</div>' \
        if post.tags else ""
    main = f"""<div class="jeg_main_content"><div class="jeg_inner_content">
<div class="entry-header"><div class="jeg_meta_category"><span>{L.terms(post, "category")}</span>\
</div>
<h1 class="jeg_post_title">{escape(post.title)}</h1>
<div class="jeg_meta_container"><div class="jeg_post_meta jeg_post_meta_1">
<div class="jeg_meta_author"><span class="meta_text">بقلم</span> {author_link(post)}</div>
<div class="jeg_meta_date"><a href="{v.own_href}">{L.arabic_date(post.published)}</a></div>
</div></div></div>
<div class="jeg_share_top_container">{L.share("jeg_share_button clearfix", v.canonical)}</div>
<div class="entry-content no-share"><div class="content-inner">
{v.content}
</div></div>
{tags}
{jnews_nav(v)}
{L.related("jnews_related_post_container", v.related)}
<div class="jnews_comment_container">{v.comments}</div>
</div></div>"""
    return meta_dates(post), main


def jnews_nav(v: View) -> str:
    """JNews prev/next: whole-box links with a caption and the neighbour's title."""
    if not (v.prev or v.next):
        return ""
    links = []
    for css, label, other in (("prev-post", "المقال السابق", v.prev),
                              ("next-post", "المقال التالي", v.next)):
        if other:
            links.append(f'<a href="{L.href(other.path)}" class="post {css}">'
                         f'<span class="caption">{label}</span>'
                         f'<h3 class="post-title">{escape(other.title)}</h3></a>')
    return f'<div class="jeg_prevnext_post">{"".join(links)}</div>'


THEMES: dict[str, Callable[[Post, View], tuple[str, str]]] = {
    "core": core, "tagdiv": tagdiv, "local": local, "jnews": jnews,
}
