"""``scrapy crawl janoubia``: the article spider with the janoubia.com profile."""

from __future__ import annotations

from spiders.article import ArticleSpider


class JanoubiaSpider(ArticleSpider):
    """janoubia.com (Lebanon), from its home page or ``-a start_urls=...``."""

    name = "janoubia"
    profile_name = "janoubia"
