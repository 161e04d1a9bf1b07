"""Finding category and date archives on a start page, and paging through them, on
real WordPress markup."""

from __future__ import annotations

import doctest
from pathlib import Path

import lxml.html

from crawler import archives
from crawler.archives import archive_links, first_page, next_page

PAGES = Path(__file__).parent / "fixtures" / "pages"
NEWS = "https://news.example"
ELECTIONS = f"{NEWS}/category/%d8%a7%d9%86%d8%aa%d8%ae%d8%a7%d8%a8%d8%a7%d8%aa/"
LEBANON = f"{NEWS}/category/%d9%84%d8%a8%d9%86%d8%a7%d9%86/"


def page(name: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((PAGES / name).read_bytes())


def test_menu_and_widget_categories_are_found_once_each():
    found = archive_links(page("wp_twentytwentyone.html"), f"{NEWS}/")
    # The menu's two categories, then a sub-category of the categories widget.
    assert found == [ELECTIONS, LEBANON, ELECTIONS + "%d8%a7%d9%84%d9%86%d8%a8%d8%b7%d9%8a%d8%a9/"]


def test_archives_without_wordpress_paths_are_found_by_their_menu_class():
    root = lxml.html.fromstring(
        '<html><body><nav><ul class="menu">'
        '<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
        '<a href="/politics/">سياسة</a></li>'
        '<li class="menu-item menu-item-type-post_type menu-item-object-page">'
        '<a href="/about-us/">من نحن</a></li>'
        '<li class="menu-item"><a href="/category/sport/page/3/">رياضة</a></li></ul></nav>'
        '<aside><section class="widget widget_archive"><ul>'
        '<li><a href="https://news.example/2025/01/">كانون الثاني 2025</a></li>'
        '<li><a href="https://news.example/2024/12/">كانون الأول 2024</a></li></ul></section>'
        '<a href="/category/sport/feed/">RSS</a><a href="/tag/beirut/">بيروت</a>'
        '<a href="/2025/01/14/slug/">مقال</a><a href="/page/2/">أقدم</a></aside>'
        "</body></html>")
    assert archive_links(root, f"{NEWS}/") == [
        f"{NEWS}/politics/", f"{NEWS}/2025/01/", f"{NEWS}/2024/12/", f"{NEWS}/category/sport/"]


def test_category_pagination_leads_to_the_next_page_only():
    root = page("wp_twentytwentyone_category.html")
    assert next_page(root, ELECTIONS) == ELECTIONS + "page/2/"
    # The same markup seen as page 2 (URL in another case of hex) has no later page.
    assert next_page(root, ELECTIONS.upper().replace("HTTPS://NEWS.EXAMPLE", NEWS)
                     + "page/2/") is None


def test_next_page_never_leaves_the_archive_or_goes_back():
    root = lxml.html.fromstring(
        '<html><head><link rel="next" href="https://news.example/category/b/page/2/"></head>'
        '<body><div class="nav-links"><a class="prev page-numbers" href="/category/a/">«</a>'
        '<a class="next page-numbers" href="/page/3/">»</a></div>'
        '<div class="nav-previous"><a href="/category/a/page/4/">أقدم</a></div></body></html>')
    assert next_page(root, f"{NEWS}/category/a/page/3/") == f"{NEWS}/category/a/page/4/"
    assert next_page(root, f"{NEWS}/category/a/page/4/") is None
    assert next_page(root, f"{NEWS}/category/b/") == f"{NEWS}/category/b/page/2/"


def test_paged_query_archives():
    root = lxml.html.fromstring('<html><body><nav class="pagination"><a class="next" '
                                'href="?cat=7&amp;paged=3">التالي</a></nav></body></html>')
    url = f"{NEWS}/?cat=7&paged=2"
    assert first_page(url) == f"{NEWS}/?cat=7"
    assert next_page(root, url) == f"{NEWS}/?cat=7&paged=3"


def test_archives_doctests():
    result = doctest.testmod(archives)
    assert result.failed == 0 and result.attempted > 0
