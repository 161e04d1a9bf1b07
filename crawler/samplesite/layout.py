"""Markup shared by every page: the skeleton, header, sidebar, term links, dates,
comments and the small widgets themes place around an article."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from crawler.samplesite import words as W
from crawler.samplesite.content import Post
from crawler.samplesite.model import PLACEHOLDER as O
from crawler.samplesite.model import encode_path, wp_path


@dataclass(frozen=True)
class Chrome:
    """Markup that every page shares, rendered once per site."""

    header: str
    sidebar: str


def url(path: str) -> str:
    """Canonical absolute URL of a decoded path."""
    return O + encode_path(path)


def href(path: str) -> str:
    """Absolute URL as WordPress prints it in links (lower-case hex)."""
    return O + wp_path(path)


def term_path(kind: str, name: str) -> str:
    """Decoded path of a category or tag archive (Arabic slug, spaces as hyphens)."""
    return f"/{kind}/{name.replace(' ', '-')}/"


def author_path(post: Post) -> str:
    """Decoded path of the author archive of *post*."""
    return f"/author/{post.author[1]}/"


def iso(moment: datetime) -> str:
    """ISO 8601 with offset, to the second."""
    return moment.isoformat(timespec="seconds")


def arabic_date(moment: datetime) -> str:
    """``12 أيلول 2017``: the date as Lebanese sites print it."""
    return f"{moment.day} {W.MONTHS[moment.month - 1]} {moment.year}"


def local_date(moment: datetime, style: int) -> str:
    """Weekday, date and time with Levantine month names; *style* picks the short
    month forms (``كانون 2``) and Arabic-Indic digits."""
    month = W.MONTHS[moment.month - 1]
    if style & 1:
        month = W.MONTHS_SHORT.get(moment.month, month)
    text = f"{moment.day} {month} {moment.year} - {moment:%H:%M}"
    if style & 2:
        text = text.translate(W.ARABIC_INDIC)
    return f"{W.WEEKDAYS[moment.weekday()]} {text}"


def terms(post: Post, kind: str) -> str:
    """The post's category or tag links, comma-separated."""
    names = post.categories if kind == "category" else post.tags
    return "، ".join(terms_one(kind, n) for n in names)


def terms_one(kind: str, name: str) -> str:
    """A category or tag link with the rel WordPress core prints."""
    rel = "category tag" if kind == "category" else "tag"
    return f'<a href="{href(term_path(kind, name))}" rel="{rel}">{escape(name)}</a>'


def page(*, title: str, body_class: str, main: str, chrome: Chrome, head: str = "") -> str:
    """A full HTML document around *main*."""
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} &#8211; {W.SITE_NAME}</title>
<link rel="alternate" type="application/rss+xml" title="{W.SITE_NAME} &raquo; الخلاصة" \
href="{O}/feed/">
{head}
</head>
<body class="rtl {body_class}">
<div id="page" class="site">
{chrome.header}
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
{main}
</main></div>
{chrome.sidebar}
</div>
<footer id="colophon" class="site-footer"><div class="site-info">&copy; {W.SITE_NAME}</div>
</footer>
</div>
</body>
</html>
"""


def article_head(post: Post, canonical: str, shortlink: str) -> str:
    """Head links and Open Graph tags every article page carries."""
    title = escape(post.title)
    return (f'<link rel="canonical" href="{canonical}">\n'
            f'<link rel="shortlink" href="{shortlink}">\n'
            '<meta property="og:locale" content="ar_AR">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{title}">\n'
            f'<meta property="og:url" content="{canonical}">\n'
            f'<meta property="og:site_name" content="{W.SITE_NAME}">')


def chrome(chain: list[Post]) -> Chrome:
    """Header with the category menu and a sidebar with the latest chain articles."""
    menu = "".join(f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
                   f'<a href="{href(term_path("category", c))}">{c}</a></li>'
                   for c in W.CATEGORIES)
    header = (f'<header id="masthead" class="site-header"><p class="site-title">'
              f'<a href="{O}/" rel="home">{W.SITE_NAME}</a></p>\n'
              f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" '
              f'class="menu">{menu}</ul></nav></header>')
    # Recent posts use raw UTF-8 hrefs, as some widgets print them.
    recent = "".join(f'<li><a href="{O}{p.path}">{escape(p.title)}</a></li>'
                     for p in reversed(chain[-5:]))
    cats = "".join(f'<li class="cat-item"><a href="{href(term_path("category", c))}">{c}</a></li>'
                   for c in W.CATEGORIES)
    cloud = " ".join(f'<a href="{href(term_path("tag", t))}" class="tag-cloud-link">{t}</a>'
                     for t in W.TAGS)
    sidebar = (f'<aside id="secondary" class="widget-area">\n'
               f'<section class="widget widget_recent_entries"><h2 class="widget-title">'
               f'أحدث المقالات</h2><ul>{recent}</ul></section>\n'
               f'<section class="widget widget_categories"><h2 class="widget-title">التصنيفات</h2>'
               f'<ul>{cats}</ul></section>\n'
               f'<section class="widget widget_tag_cloud"><h2 class="widget-title">وسوم</h2>'
               f'<div class="tagcloud">{cloud}</div></section>\n</aside>')
    return Chrome(header, sidebar)


def comments(post: Post, own_href: str, first_id: int) -> str:
    """The WordPress comments area: 0-3 comments and the reply form."""
    items = []
    for k, (name, text) in enumerate(post.comments):
        cid = first_id + k
        items.append(
            f'<li id="comment-{cid}" class="comment even depth-1">'
            f'<article id="div-comment-{cid}" class="comment-body"><footer class="comment-meta">'
            f'<div class="comment-author vcard"><b class="fn">{escape(name)}</b> '
            f'<span class="says">قال:</span></div></footer>'
            f'<div class="comment-content"><p>{escape(text)}</p></div>'
            f'<div class="reply"><a rel="nofollow" class="comment-reply-link" '
            f'href="{own_href}?replytocom={cid}#respond">رد</a></div></article></li>')
    listing = ""
    if items:
        listing = (f'<h2 class="comments-title">{len(items)} تعليقات</h2>'
                   f'<ol class="comment-list">{"".join(items)}</ol>')
    return (f'<div id="comments" class="comments-area">{listing}'
            f'<div id="respond" class="comment-respond"><h3 id="reply-title" '
            f'class="comment-reply-title">اترك تعليقاً</h3>'
            f'<form action="{O}/wp-comments-post.php" method="post" id="commentform">'
            f'<p class="comment-form-comment"><textarea name="comment"></textarea></p>'
            f'<p class="form-submit"><input type="submit" value="إرسال التعليق">'
            f'<input type="hidden" name="comment_post_ID" value="{post.id}"></p></form>'
            f"</div></div>")


def share(css: str, canonical: str) -> str:
    """Share buttons (Facebook, X, WhatsApp) in a container of class *css*."""
    return (f'<div class="{css}"><h3 class="share-title">شارك هذا المقال</h3><ul>'
            f'<li><a href="https://www.facebook.com/sharer.php?u={canonical}" '
            f'rel="nofollow">فيسبوك</a></li>'
            f'<li><a href="https://twitter.com/intent/tweet?url={canonical}" '
            f'rel="nofollow">تويتر</a></li>'
            f'<li><a href="https://wa.me/?text={canonical}" rel="nofollow">واتساب</a></li>'
            f'</ul></div>')


def related(css: str, posts: list[Post]) -> str:
    """A related-posts widget of class *css* (not read-also: its own label)."""
    items = "".join(f'<li><h4 class="related-title"><a href="{href(p.path)}">{escape(p.title)}'
                    f'</a></h4><time>{arabic_date(p.published)}</time></li>' for p in posts)
    return f'<div class="{css}"><h3 class="related-head">قد يعجبك أيضاً</h3><ul>{items}</ul></div>'
