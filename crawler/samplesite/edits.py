"""A day's corrections: editors rewrite a paragraph, and now and then fix a title, of
recent articles, and WordPress moves their modified time on."""

from __future__ import annotations

import random
from datetime import timedelta

from crawler.samplesite import words as W
from crawler.samplesite.content import Block, Post, paragraph

#: Edits touch only this many of the newest articles.
EDIT_WINDOW = 10
TITLE_FIX_SHARE = 0.3
_TITLE_WORDS = frozenset(W.TITLE_WORDS)


def edit_recent(posts: list[Post], seed: int, count: int, edit_seed: int | None) -> list[Post]:
    """Edit the *count* oldest of the ten newest *posts* (oldest first, so a day that
    publishes k new articles and edits j, with k + j <= 10, edits only articles that
    were already there); return the edited posts."""
    if not 0 <= count <= min(EDIT_WINDOW, len(posts)):
        raise ValueError(f"edits must be between 0 and {min(EDIT_WINDOW, len(posts))}, "
                         f"not {count}")
    chosen = posts[-EDIT_WINDOW:][:count]
    titles = {p.title for p in posts}
    day = posts[-1].published
    for post in chosen:
        rng = random.Random(f"{seed}:edit:{len(posts)}:{edit_seed}:{post.id}")
        correct_paragraph(rng, post)
        if rng.random() < TITLE_FIX_SHARE:
            fix_title(rng, post, titles)
        # The edit comes after the day's newest article and after any earlier update.
        before = max(day, post.modified or post.published)
        post.modified = before + timedelta(minutes=rng.randint(30, 300))
    return chosen


def correct_paragraph(rng: random.Random, post: Post) -> None:
    """Replace one text paragraph of *post* with a corrected one."""
    spots = [k for k, block in enumerate(post.blocks)
             if block.text and block.html.startswith("<p>")]
    k = rng.choice(spots)
    new: Block = paragraph(rng)
    while new.text == post.blocks[k].text:
        new = paragraph(rng)
    post.blocks[k] = new


def fix_title(rng: random.Random, post: Post, titles: set[str]) -> None:
    """Change one plain word of the title, keeping titles unique; the slug stays."""
    words = post.title.split(" ")
    spots = [k for k, word in enumerate(words) if word in _TITLE_WORDS]
    if not spots:
        return
    k = rng.choice(spots)
    for _ in range(20):
        fixed = words[:k] + [rng.choice(W.TITLE_WORDS)] + words[k + 1:]
        title = " ".join(fixed)
        if title not in titles:
            titles.discard(post.title)
            titles.add(title)
            post.title = title
            return
