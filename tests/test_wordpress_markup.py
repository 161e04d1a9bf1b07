"""Parse tests on WordPress 6.x single-post pages as core and popular themes print them.

Each fixture under ``fixtures/pages/wp_*.html`` reproduces one theme's real markup
(Twenty Twenty-Five and Twenty Twenty-Four block templates, Twenty Twenty-One and
Twenty Twenty classic templates, GeneratePress with Yoast SEO, Astra with Rank Math
and a Gutenberg post of every common block) around an Arabic post, with comments,
sidebar widgets and the site's header and footer.  The expected values are what the
post itself holds: its title, author, categories, tags, publication instant, the
paragraphs of its content without read-also paragraphs (figure captions left out, as
the body rules do) and its previous, next and read-also links.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import lxml.html
import pytest
import scrapy
from parsel import Selector
from scrapy.http import HtmlResponse, Request, TextResponse
from twisted.python.failure import Failure

from crawler.analysis import read_page
from crawler.dates import published_from_page
from crawler.extract import extract_fields
from crawler.items import Article
from crawler.links import NEXT, PREV, READ_ALSO, find_links
from crawler.profiles import WORDPRESS
from crawler.text import normalize_arabic
from spiders.article import ArticleSpider
from tests.conftest import STANDALONE_SPIDER, project_crawler

PAGES = Path(__file__).parent / "fixtures" / "pages"
SITE = "https://news.example"
BEIRUT = ZoneInfo("Asia/Beirut")


def wp_url(path: str) -> str:
    """A URL as WordPress prints it: the slug percent-encoded with lower-case hex."""
    encoded = quote(path, safe="/-")
    return f"{SITE}/{_lower_hex(encoded)}/"


def canonical_url(path: str) -> str:
    """The same URL in the crawl's canonical form (upper-case hex)."""
    return f"{SITE}/{quote(path, safe='/-')}/"


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), text)


def html_of(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Post:
    """What a single-post fixture holds."""

    fixture: str
    path: str  #: permalink path, Arabic slug unencoded
    title: str
    author: str
    categories: list[str]
    tags: list[str]
    published: datetime | None  #: None: the page shows a date only (see its own test)
    body: list[str]
    prev: str | None
    next: str | None
    read_also: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return wp_url(self.path)

    def links(self) -> set[tuple[str, str]]:
        found = {(wp_url(p), READ_ALSO) for p in self.read_also}
        if self.prev:
            found.add((wp_url(self.prev), PREV))
        if self.next:
            found.add((wp_url(self.next), NEXT))
        return found


POSTS = [
    Post(
        fixture="wp_twentytwentyfive.html",
        path="2025/01/14/حملة-دعم-مزارعي-التبغ",
        title="وزارة الزراعة تطلق حملة لدعم مزارعي التبغ في الجنوب",
        author="هلا مروة",
        categories=["اقتصاد", "لبنان"],
        tags=["التبغ", "الزراعة"],
        published=at("2025-01-14T10:15:00+02:00"),
        body=[
            "أطلقت وزارة الزراعة اليوم حملة لدعم مزارعي التبغ في قرى الجنوب، تشمل توزيع الأسمدة"
            " والبذور مجاناً على أكثر من ثلاثة آلاف مزارع.",
            "وأوضح وزير الزراعة في مؤتمر صحافي عقده في النبطية أن الحملة تأتي بعد موسم صعب تراجعت"
            " فيه الأسعار بنسبة الثلث.",
            "ولفت إلى أن الوزارة ستفتح مراكز لاستلام المحصول في صور وبنت جبيل ومرجعيون، على أن"
            " يُدفع ثمن المحصول خلال شهر من تسليمه.",
            "من جهتهم، رحّب المزارعون بالخطوة، مطالبين برفع سعر الكيلوغرام إلى ما كان عليه قبل"
            " الأزمة.",
        ],
        prev="2025/01/13/أسعار-المحروقات-ترتفع",
        next="2025/01/15/سوق-النبطية-الجديد",
        read_also=["2025/01/10/موسم-الزيتون"],
    ),
    Post(
        fixture="wp_twentytwentyfour.html",
        path="2024/08/15/طريق-الخيام",
        title="مجلس الجنوب يبدأ إعادة تأهيل طريق الخيام",
        author="حسين سعد",
        categories=["الجنوب", "خدمات"],
        tags=["الخيام", "مجلس الجنوب", "طرقات"],
        published=at("2024-08-15T11:45:00+03:00"),
        body=[
            "بدأ مجلس الجنوب صباح اليوم أعمال إعادة تأهيل طريق الخيام – مرجعيون، بعد أشهر من"
            " المطالبات الأهلية بإصلاح الطريق الذي تضرر بفعل القصف.",
            "وقال رئيس المجلس إن الأشغال تشمل تعبيد الطريق وتركيب الإنارة بالطاقة الشمسية، وستنجز"
            " على مرحلتين خلال ستة أشهر.",
            "وأكد أن كلفة المشروع تقارب مليوني دولار، تغطيها هبة من الصندوق الكويتي للتنمية.",
        ],
        prev="2024/08/14/جرف-النفايات",
        next="2024/08/16/مدارس-صور",
        read_also=["2024/08/12/إنارة-مرجعيون"],
    ),
    Post(
        fixture="wp_twentytwentyone.html",
        path="2025/05/24/انتخابات-بلدية-النبطية",
        title="انتخابات بلدية النبطية: ثلاث لوائح تتنافس على ٢١ مقعداً",
        author="زينب فحص",
        categories=["انتخابات", "النبطية"],
        tags=["بلديات", "لوائح"],
        published=at("2025-05-24T19:05:00+03:00"),
        body=[
            "تتنافس ثلاث لوائح على المقاعد الواحد والعشرين في المجلس البلدي لمدينة النبطية، في"
            " انتخابات تجري يوم الأحد المقبل وسط إجراءات أمنية مشددة.",
            "وتضم اللائحة الأولى تحالف الأحزاب الرئيسية، فيما تضم الثانية وجوهاً من المجتمع المدني،"
            " أما الثالثة فهي لائحة غير مكتملة من المستقلين.",
            "وقال محافظ النبطية إن أقلام الاقتراع ستفتح عند السابعة صباحاً وتقفل عند السابعة"
            " مساءً، داعياً الناخبين إلى الحضور باكراً.",
            "ويبلغ عدد الناخبين المسجلين نحو أربعين ألفاً، اقترع منهم في الدورة الماضية أقل من"
            " النصف.",
        ],
        prev="2025/05/23/مرشحو-صيدا",
        next="2025/05/25/نتائج-الاقتراع",
        read_also=["2025/05/20/لوائح-صور"],
    ),
    Post(
        fixture="wp_twentytwenty.html",
        path="2024/10/03/حريق-إقليم-التفاح",
        title="الدفاع المدني يخمد حريقاً في أحراج إقليم التفاح",
        author="علي عواضة",
        categories=["أمن", "بيئة"],
        tags=["الدفاع المدني", "حرائق"],
        published=None,
        body=[
            "أخمدت فرق الدفاع المدني بعد ظهر اليوم حريقاً كبيراً اندلع في أحراج بلدة جباع في"
            " إقليم التفاح، وأتى على مساحات واسعة من أشجار الصنوبر.",
            "وشاركت في عمليات الإطفاء خمس آليات وطوافة تابعة للجيش، بعدما ساهمت الرياح القوية في"
            " امتداد النيران نحو المنازل.",
            "ولم يُسجل وقوع إصابات، فيما فتحت القوى الأمنية تحقيقاً لمعرفة أسباب الحريق.",
        ],
        prev="2024/10/02/قطع-طريق-الساحل",
        next="2024/10/04/تشجير-جباع",
        read_also=["2024/09/28/حرائق-الغابات"],
    ),
    Post(
        fixture="wp_generatepress_yoast.html",
        path="2024/11/05/مستشفى-صيدا-غسيل-الكلى",
        title="مستشفى صيدا الحكومي يستقبل أجهزة غسيل كلى جديدة",
        author="رنا جوني",
        categories=["صحة", "صيدا"],
        tags=["صيدا", "منظمة الصحة العالمية", "مستشفيات"],
        published=at("2024-11-05T14:40:12+00:00"),
        body=[
            "تسلّم مستشفى صيدا الحكومي عشرة أجهزة جديدة لغسيل الكلى مقدمة من منظمة الصحة العالمية،"
            " في خطوة تخفف الضغط عن قسم الكلى الذي يستقبل أكثر من مئة مريض أسبوعياً.",
            "وقال مدير المستشفى إن الأجهزة ستدخل الخدمة مطلع الأسبوع المقبل، بعد تدريب الممرضين"
            " على تشغيلها.",
            "وأشار إلى أن المستشفى ما زال بحاجة إلى دعم لتأمين المستلزمات الطبية، داعياً الوزارة"
            " إلى تسديد مستحقاته المتأخرة.",
        ],
        prev="2024/11/04/حملة-تلقيح",
        next="2024/11/06/تعيينات-المستشفى",
        read_also=["2024/10/30/أدوية-الأمراض-المزمنة"],
    ),
    Post(
        fixture="wp_astra_gutenberg.html",
        path="2024/12/02/مهرجان-صور-للمسرح",
        title="مهرجان صور للمسرح يعود بعد خمس سنوات من الغياب",
        author="مريم سويدان",
        categories=["ثقافة", "صور"],
        tags=["مسرح", "مهرجانات"],
        published=at("2024-12-02T09:05:00+02:00"),
        body=[
            "يعود مهرجان صور الدولي للمسرح هذا الشتاء بعد غياب دام خمس سنوات، بمشاركة فرق من"
            " ثماني دول عربية تقدّم عروضها على خشبة المسرح الوطني في المدينة.",
            "برنامج الدورة الجديدة",
            "وتمتد الدورة على عشرة أيام، وتتضمن إلى جانب العروض ورشات تدريب للشباب وندوات حول"
            " المسرح في زمن الأزمات.",
            "عروض للكبار كل مساء عند الثامنة.",
            "عروض للأطفال أيام السبت والأحد.",
            "ورشات تدريب في الكتابة المسرحية والإخراج.",
            "المسرح كان دائماً مساحة للمقاومة الثقافية، وعودة المهرجان رسالة بأن المدينة حيّة.",
            "مدير المهرجان",
            "الفرق المشاركة",
            "فرقة زقاق من لبنان.",
            "المسرح القومي من مصر.",
            "فرقة المسرح الحر من الأردن.",
            "الدورة", "عدد العروض", "2018", "24", "2019", "31",
            "وأكدت إدارة المهرجان أن الدخول إلى العروض سيكون مجانياً، على أن تُوزّع البطاقات قبل"
            " يوم من كل عرض في مكتب المسرح.",
            "وختمت الإدارة بالإشارة إلى أن برنامج العروض الكامل سيُنشر على موقع المهرجان الأسبوع"
            " المقبل.",
        ],
        prev="2024/12/01/مسابقة-التصوير",
        next="2024/12/03/شجرة-الميلاد",
        # Every read-also shape editors use: a <strong> label, bare "إقرأ أيضا: «…»", the
        # label inside the link, a heading over a list, "&gt;&gt; اقرأ أيضًا:" and a
        # label on its own line (<br>).
        read_also=[
            "2024/11/20/المسرح-الوطني-صور",
            "2024/10/05/فرقة-زقاق",
            "2024/09/14/مسرح-الدمى",
            "2024/08/30/معرض-الكتاب-النبطية",
            "2024/07/12/سينما-الحمرا-صور",
            "2024/06/01/مهرجانات-الصيف",
            "2024/05/18/ليالي-صور",
        ],
    ),
]
IDS = [p.fixture.removesuffix(".html") for p in POSTS]


def extracted(post: Post) -> dict:
    return extract_fields(lxml.html.fromstring(html_of(post.fixture)), WORDPRESS)


def word_f1(got: str, gold: str) -> float:
    """F1 over the multiset of normalised words, as the benchmark scores bodies."""
    got_words, gold_words = (Counter(normalize_arabic(t).split()) for t in (got, gold))
    common = sum((got_words & gold_words).values())
    if not common:
        return 0.0
    precision = common / sum(got_words.values())
    recall = common / sum(gold_words.values())
    return 2 * precision * recall / (precision + recall)


# --- extraction ------------------------------------------------------------------------


@pytest.mark.parametrize("post", POSTS, ids=IDS)
def test_title_author_categories_tags(post: Post):
    found = extracted(post)
    assert (found["title"], found["author"], found["categories"], found["tags"]) == (
        post.title, post.author, post.categories, post.tags)
    assert found["language"] == "ar"


@pytest.mark.parametrize("post", POSTS, ids=IDS)
def test_body_is_the_post_content_without_read_also(post: Post):
    body = extracted(post)["body"]
    assert body.split("\n\n") == post.body
    assert word_f1(body, "\n\n".join(post.body)) == 1.0


@pytest.mark.parametrize("post", [p for p in POSTS if p.published], ids=lambda p: p.fixture)
def test_published_instant(post: Post):
    iso, raw = published_from_page(Selector(text=html_of(post.fixture)), "UTC")
    assert iso is not None and raw
    assert datetime.fromisoformat(iso) == post.published


@pytest.mark.parametrize("post", POSTS, ids=IDS)
def test_prev_next_and_read_also_links(post: Post):
    root = lxml.html.fromstring(html_of(post.fixture))
    found = find_links(root, post.url)
    assert {(link.url, link.role) for link in found} == post.links()
    assert len(found) == len(post.links())


def test_block_theme_date_is_the_post_date_not_the_visible_day():
    """Block themes print ``<div class="wp-block-post-date"><time datetime>``: the
    attribute holds the time of day the visible "يناير 14, 2025" leaves out."""
    iso, raw = published_from_page(Selector(text=html_of("wp_twentytwentyfive.html")),
                                   "Asia/Beirut")
    assert raw == "2025-01-14T10:15:00+02:00"
    assert iso == "2025-01-14T10:15:00+02:00"


def test_twentytwenty_date_is_not_a_comment_date():
    """Twenty Twenty shows the post's day only (no ``<time>``), and its comments,
    inside the ``<article>``, carry ``<time datetime>`` of their own."""
    iso, _ = published_from_page(Selector(text=html_of("wp_twentytwenty.html")), "Asia/Beirut")
    assert iso is not None
    published = datetime.fromisoformat(iso)
    assert published.astimezone(BEIRUT).date() == date(2024, 10, 3)
    comment_times = {at("2024-10-04T08:12:40+03:00"), at("2024-10-04T09:30:00+03:00")}
    assert published not in comment_times


def test_twentytwentyone_author_bio_instead_of_byline():
    """When the author has a biography, Twenty Twenty-One prints no byline but an
    author box whose link reads "عرض كافة مقالات …" (the name is in its heading)."""
    html = html_of("wp_twentytwentyone.html").replace(
        '<span class="byline">بواسطة <a href="https://news.example/author/'
        '%d8%b2%d9%8a%d9%86%d8%a8-%d9%81%d8%ad%d8%b5/" rel="author">زينب فحص</a></span>', "")
    assert "byline" not in html
    bio = (
        '<div class="author-bio show-avatars">'
        "<img alt='' src='https://secure.gravatar.com/avatar/zz?s=85&#038;d=mm&#038;r=g'"
        " class='avatar avatar-85 photo' height='85' width='85' decoding='async'/>"
        '<div class="author-bio-content"><h2 class="author-title">بواسطة زينب فحص</h2>'
        '<p class="author-description">صحافية تغطي الشؤون البلدية في الجنوب.</p>'
        '<a class="author-link" href="https://news.example/author/'
        '%d8%b2%d9%8a%d9%86%d8%a8-%d9%81%d8%ad%d8%b5/" rel="author">'
        "عرض كافة مقالات زينب فحص.</a></div></div>"
    )
    html = html.replace("</footer><!-- .entry-footer -->",
                        "</footer><!-- .entry-footer -->\n" + bio, 1)
    found = extract_fields(lxml.html.fromstring(html), WORDPRESS)
    assert found["author"] == "زينب فحص"


def test_captions_stay_out_of_the_body():
    """Image, embed and table captions (``figcaption.wp-element-caption``) are left out
    of the body, like every other figure caption; so are iframes and alt texts."""
    body = extracted(POSTS[-1])["body"]
    for left_out in ("خشبة المسرح الوطني في صور خلال التحضيرات", "الإعلان الرسمي للمهرجان",
                     "عدد العروض في الدورتين الأخيرتين", "alt", "youtube"):
        assert left_out not in body


def test_links_in_comments_sidebar_footer_and_more_posts_are_not_roles():
    """A commenter's "إقرأ أيضاً", a recent-posts entry called "التالي", a footer menu
    item "المقال السابق" and the "مقالات أخرى" query loop lead nowhere."""
    noise = {
        ("wp_twentytwentyfive.html", "2025/01/12/المقال-السابق-للأسبوع"),
        ("wp_twentytwentyfive.html", "2025/01/16/بلدية-صور-تنظف-الشاطئ"),
        ("wp_twentytwentyfour.html", "2024/08/20/طريق-بنت-جبيل"),
        ("wp_twentytwentyone.html", "2025/05/01/لوائح-قديمة"),
        ("wp_twentytwentyone.html", "2025/05/22/اقرأ-أيضا-ملف-الانتخابات"),
        ("wp_twentytwenty.html", "2024/08/01/حريق-سابق"),
        ("wp_generatepress_yoast.html", "2024/11/03/المقال-التالي-في-السلسلة"),
    }
    for fixture, path in noise:
        html = html_of(fixture)
        assert wp_url(path) in html  # the trap is really on the page
        post = next(p for p in POSTS if p.fixture == fixture)
        urls = {link.url for link in find_links(lxml.html.fromstring(html), post.url)}
        assert wp_url(path) not in urls


# --- wrappers and post classes that name a zone only as a substring ---------------------

TWENTYONE = next(p for p in POSTS if p.fixture == "wp_twentytwentyone.html")
ELEMENTOR_OPEN = ('<div class="elementor-element elementor-widget '
                  'elementor-widget-theme-post-content"><div class="elementor-widget-container">')
WRAPPERS = {
    # Underscores-based themes flag the layout on the content column.
    "content-area has-sidebar": lambda html: html.replace(
        'class="content-area"', 'class="content-area has-sidebar"'),
    # Elementor's single-post templates put every widget, the post's too, in one.
    "elementor-widget-container": lambda html: html.replace(
        '<main id="main" class="site-main">', f'<main id="main" class="site-main">{ELEMENTOR_OPEN}'
    ).replace("</main>", "</div></div></main>"),
    # post_class() prints a class per tag slug: the tag "related-news".
    "tag-related-news": lambda html: html.replace(
        'class="post-318 post type-post', 'class="post-318 post type-post tag-related-news'),
}


@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_a_post_in_a_wrapper_named_like_a_zone_keeps_its_time_body_and_links(wrapper: str):
    post = TWENTYONE
    html = WRAPPERS[wrapper](html_of(post.fixture))
    assert wrapper in html
    page = read_page(html, post.url, "wordpress", "Asia/Beirut", True)
    assert page is not None
    assert page.values["published"] == "2025-05-24T19:05:00+03:00"
    assert page.dated_by_markup and page.rest_post  # dated by <time datetime>: no REST ask
    assert page.values["body"].split("\n\n") == post.body
    assert {(url, role) for url, role, _ in page.links} == post.links()
    output = list(make_spider().parse(respond(post.url, html)))
    assert not [o for o in output if isinstance(o, scrapy.Request) and "article" in o.meta]
    assert [o["published"] for o in output if isinstance(o, Article)] == [
        "2025-05-24T19:05:00+03:00"]


def related_blocks(site: str) -> str:
    """Jetpack's, a theme's and YARPP's related posts, each headed like a read-also
    block, with neighbour labels and the dates of other posts."""
    return (
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
        "<em>اقرأ أيضاً</em></h3><div class=\"jp-relatedposts-items jp-relatedposts-items-visual\">"
        '<div class="jp-relatedposts-post jp-relatedposts-post0">'
        f'<h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" href="{site}/'
        '2024/09/01/jetpack/">التالي</a></h4><p class="jp-relatedposts-post-date">'
        "1 أيلول 2024</p></div></div></div>"
        '<section class="related-posts"><h2 class="related-title">مقالات ذات صلة</h2><ul><li>'
        f'<a href="{site}/2024/09/02/theme/">المقال السابق</a> '
        '<time datetime="2024-09-02T08:00:00+03:00">2 أيلول 2024</time></li></ul></section>'
        "<div class='yarpp yarpp-related yarpp-related-website yarpp-template-list'>"
        f'<h3>إقرأ أيضا:</h3><ol><li><a href="{site}/2024/09/03/yarpp/" rel="bookmark">'
        "التالي: حريق آخر</a></li></ol></div>"
    )


def test_related_posts_blocks_are_not_body_links_or_dates():
    post = next(p for p in POSTS if p.fixture == "wp_twentytwenty.html")
    html = html_of(post.fixture).replace(
        "</div><!-- .entry-content -->", related_blocks(SITE) + "</div><!-- .entry-content -->", 1)
    assert related_blocks(SITE) in html
    page = read_page(html, post.url, "wordpress", "Asia/Beirut", True)
    assert page is not None
    assert page.values["body"].split("\n\n") == post.body
    assert {(url, role) for url, role, _ in page.links} == post.links()
    assert page.values["published"].startswith("2024-10-03T")  # the post's visible day
    assert not page.dated_by_markup


# --- the spider on the same pages -------------------------------------------------------


def make_spider() -> ArticleSpider:
    crawler = project_crawler(ArticleSpider, {"SITE_TIMEZONE": "Asia/Beirut", **STANDALONE_SPIDER})
    return ArticleSpider.from_crawler(crawler, profile="wordpress", start_urls=f"{SITE}/")


def respond(url: str, body: str, role: str = "start") -> HtmlResponse:
    """The page as the crawl downloads it, from a start URL unless told otherwise."""
    return HtmlResponse(url=url, body=body.encode("utf-8"), encoding="utf-8",
                        request=Request(url, meta={"link_role": role}))


# What /wp-json/wp/v2/posts/<id> answers for posts whose page shows only a day.
REST_POST = b'{"id": 512, "date_gmt": "2024-10-03T06:20:00", "modified_gmt": "2024-10-04T08:00:00"}'


def crawl_page(url: str, fixture: str) -> tuple[list[Article], list[scrapy.Request]]:
    """The spider's output for one page; a REST request for the exact date is answered."""
    spider = make_spider()
    output = list(spider.parse(respond(url, html_of(fixture))))
    for request in [o for o in output if isinstance(o, scrapy.Request) and "article" in o.meta]:
        output.remove(request)
        answer = TextResponse(url=request.url, body=REST_POST, request=request,
                              headers={"Content-Type": "application/json"})
        output += list(request.callback(answer))
    items = [o for o in output if isinstance(o, Article)]
    return items, [o for o in output if isinstance(o, scrapy.Request)]


def test_a_page_that_shows_only_a_day_gets_its_time_from_the_rest_api():
    post = next(p for p in POSTS if p.fixture == "wp_twentytwenty.html")
    output = list(make_spider().parse(respond(post.url, html_of(post.fixture))))
    assert not [o for o in output if isinstance(o, Article)]  # the item waits for the API
    rest = [o for o in output if isinstance(o, scrapy.Request) and "article" in o.meta]
    assert [r.url for r in rest] == [f"{SITE}/wp-json/wp/v2/posts/512"]
    items, _ = crawl_page(post.url, post.fixture)
    assert items[0]["published"] == "2024-10-03T09:20:00+03:00"
    assert items[0]["modified"] == "2024-10-04T11:00:00+03:00"
    # No answer from the API: the item goes on with the visible day; nothing is lost.
    failure = Failure(ConnectionRefusedError("no API"))
    failure.request = rest[0]  # as Scrapy sets it for download errors
    kept = list(rest[0].errback(failure))
    assert [item["url"] for item in kept] == [canonical_url(post.path)]
    assert kept[0]["published"].startswith("2024-10-03T")


@pytest.mark.parametrize("post", POSTS, ids=IDS)
def test_spider_item(post: Post):
    spider = make_spider()
    root = lxml.html.fromstring(html_of(post.fixture))
    assert spider.is_article(root, post.url)
    items, requests = crawl_page(post.url, post.fixture)
    assert len(items) == 1
    item = items[0]
    assert item["url"] == canonical_url(post.path)
    assert {"url": f"{SITE}/?p={_post_id(post)}", "reason": "shortlink"} in item["aliases"]
    expected = {(spider.canonical(url), role) for url, role in post.links()}
    assert {(link["dst"], link["role"]) for link in item["links"]} == expected
    assert len(item["links"]) == len(expected)
    assert {r.url for r in requests} == {url for url, _ in expected}
    assert (item.get("title"), item.get("author"), item["categories"], item["tags"]) == (
        post.title, post.author, post.categories, post.tags)
    assert item["body"].split("\n\n") == post.body
    if post.published:
        assert datetime.fromisoformat(item["published"]) == post.published


def _post_id(post: Post) -> str:
    html = html_of(post.fixture)
    return html.split(f"<link rel='shortlink' href='{SITE}/?p=", 1)[1].split("'", 1)[0]


def test_spider_item_dates_in_the_site_zone():
    items, _ = crawl_page(POSTS[0].url, POSTS[0].fixture)
    assert items[0]["published"] == "2025-01-14T10:15:00+02:00"
    items, _ = crawl_page(POSTS[4].url, POSTS[4].fixture)
    assert items[0]["published"] == "2024-11-05T16:40:12+02:00"
    assert datetime.fromisoformat(items[0]["published"]).utcoffset() == timedelta(hours=2)
    assert datetime.fromisoformat(items[0]["published"]) == datetime(
        2024, 11, 5, 14, 40, 12, tzinfo=UTC)


def test_wordpress_page_is_not_an_article():
    """A WP "page" (body class ``page``), even with Yoast's og:type "article"."""
    url = wp_url("من-نحن")
    root = lxml.html.fromstring(html_of("wp_twentytwentyone_page.html"))
    assert not make_spider().is_article(root, url)
    items, _ = crawl_page(url, "wp_twentytwentyone_page.html")
    assert items == []


def test_category_archive_is_not_an_article():
    url = wp_url("category/انتخابات")
    root = lxml.html.fromstring(html_of("wp_twentytwentyone_category.html"))
    assert not make_spider().is_article(root, url)
    items, requests = crawl_page(url, "wp_twentytwentyone_category.html")
    assert items == []
    assert {canonical_url("2025/05/24/انتخابات-بلدية-النبطية"),
            canonical_url("2025/05/20/لوائح-صور")} <= {r.url for r in requests}


def test_category_archive_without_category_base_is_not_an_article():
    """Sites that strip the ``/category/`` base (a Yoast SEO option) serve archives
    at ``/<slug>/``: the markup (body class ``archive``) still tells."""
    url = wp_url("انتخابات")
    root = lxml.html.fromstring(html_of("wp_twentytwentyone_category.html"))
    assert not make_spider().is_article(root, url)
