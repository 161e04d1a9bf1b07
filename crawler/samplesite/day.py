"""What changes on a page from one day to the next without anyone editing it: a
script nonce, a views counter and a comment count.  None of it is article text, so
a crawler must not take it for an edit."""

from __future__ import annotations

import random
from dataclasses import dataclass

from crawler.samplesite.model import PLACEHOLDER as O


@dataclass(frozen=True)
class Day:
    """The state of the site's widgets on the day it has *articles* articles."""

    seed: int
    articles: int

    def rng(self, key: str) -> random.Random:
        """The random source of one page on this day."""
        return random.Random(f"{self.seed}:day:{self.articles}:{key}")

    def script(self, key: str) -> str:
        """The REST API settings WordPress prints in every page, with a fresh nonce."""
        nonce = f"{self.rng(key).getrandbits(40):010x}"
        return ('\n<script id="wp-api-request-js-extra">var wpApiSettings = '
                f'{{"root":"{O}/wp-json/","nonce":"{nonce}","versionString":"wp/v2/"}};'
                "</script>")

    def stats(self, post_id: int, comments: int, key: str) -> str:
        """Views and comment counters of article *post_id*: both grow every day."""
        age = self.articles - post_id
        views = 40 + 37 * age + self.rng(key).randrange(37)
        return (f'<div class="post-views" data-post="{post_id}">'
                f'<span class="post-views-count">{views}</span> مشاهدة'
                f' <span class="comments-count">{comments + age}</span> تعليق</div>')
