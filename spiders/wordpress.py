"""``scrapy crawl wordpress -a start_urls=URL``: any WordPress news site."""

from __future__ import annotations

from spiders.article import ArticleSpider


class WordPressSpider(ArticleSpider):
    """Any WordPress news site, from ``-a start_urls=URL[,URL...]``."""

    name = "wordpress"
    profile_name = "wordpress"
