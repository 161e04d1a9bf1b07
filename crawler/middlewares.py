"""Downloader middlewares of the crawler."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler


class ContactUserAgentMiddleware:
    """Sends ``USER_AGENT`` with ``{contact}`` replaced by ``CRAWLER_CONTACT``, so
    every request names the project and how to reach whoever runs it."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        template = settings.get("USER_AGENT") or ""
        contact = settings.get("CRAWLER_CONTACT") or ""
        return cls(template.replace("{contact}", contact))

    def process_request(self, request: Request) -> None:
        if self.user_agent:
            request.headers.setdefault(b"User-Agent", self.user_agent)
