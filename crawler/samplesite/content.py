"""Random but reproducible article content: titles, slugs, dates, bodies, comments.

Each article draws from its own ``random.Random`` (``article_rng(seed, i)``), so its
content is the same whatever the number of articles published after it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from crawler.samplesite import words as W
from crawler.samplesite.model import PLACEHOLDER

BEIRUT = ZoneInfo("Asia/Beirut")
START = datetime(2017, 1, 1, 6, 0, tzinfo=BEIRUT)
STEP = timedelta(hours=7)
THEMES = ("core", "tagdiv", "local", "jnews")
# How many word separators of a paragraph's source are a line break or a no-break
# space instead of a space.
ODD_SPACES = (0, 0, 1, 1, 2, 3)


@dataclass
class Block:
    """A piece of article content: its HTML and, for body paragraphs, its text."""

    html: str
    text: str | None = None


@dataclass
class ReadAlso:
    """A read-also link: its target, the href as printed and where it sits."""

    target: Post
    href: str
    to_copy: bool = False


@dataclass
class Post:
    """One article with everything its pages and its truth need."""

    id: int
    path: str
    title: str
    author: tuple[str, str]
    published: datetime
    modified: datetime | None
    categories: list[str]
    tags: list[str]
    theme: str
    blocks: list[Block]
    comments: list[tuple[str, str]]
    #: Random bits the templates use to pick markup variants.
    variant: int
    in_chain: bool = True
    prev: Post | None = None
    next: Post | None = None
    read_also: list[ReadAlso] = field(default_factory=list)
    #: Shape of the read-also markup (0-3) and the block index after which each link goes.
    read_also_shape: int = 0
    read_also_after: list[int] = field(default_factory=list)
    copy_path: str | None = None
    copy_id: int | None = None
    #: Older chain articles shown in the related-posts widget.
    related: list[Post] = field(default_factory=list)
    #: ID of the post's first comment (comment IDs run on across the site).
    first_comment: int = 1

    @property
    def body(self) -> str:
        """The article text as the truth records it."""
        return "\n\n".join(b.text for b in self.blocks if b.text)


def article_rng(seed: int, i: int) -> random.Random:
    """The random source of article *i*: its content never depends on how many
    articles the site has."""
    return random.Random(f"{seed}:{i}")


def theme_of(seed: int, i: int) -> str:
    """Article *i*'s theme: every run of four articles uses each theme once, so each
    theme has at least a fifth of any site of 15 articles or more."""
    block = random.Random(f"{seed}:themes:{(i - 1) // len(THEMES)}").sample(THEMES, len(THEMES))
    return block[(i - 1) % len(THEMES)]


def make_post(rng: random.Random, i: int, theme: str, taken: set[str]) -> Post:
    """Article *i* (1-based, oldest first) with a title and slug not in *taken*."""
    published = publication_time(rng, i)
    title, slug = unique_title(rng, taken)
    modified = None
    if theme != "local" and rng.random() < 0.25:
        modified = published + timedelta(hours=rng.randint(1, 72), minutes=rng.randint(0, 59))
    return Post(
        id=i,
        path=f"/{published:%Y/%m/%d}/{slug}/",
        title=title,
        author=rng.choice(W.AUTHORS),
        published=published,
        modified=modified,
        categories=rng.sample(W.CATEGORIES, rng.randint(1, 2)),
        tags=rng.sample(W.TAGS, rng.randint(0, 4)),
        theme=theme,
        blocks=body_blocks(rng, i, published),
        comments=[(rng.choice(W.COMMENTERS), sentence(rng, 8, 25))
                  for _ in range(rng.randint(0, 3))],
        variant=rng.getrandbits(30),
    )


def publication_time(rng: random.Random, i: int) -> datetime:
    """Article *i* goes out about seven hours after article *i - 1*, Beirut time.

    Times in the hour that the end of summer time repeats are moved on by an hour,
    so a visible local date without offset names one instant.
    """
    utc = START.astimezone(UTC) + STEP * (i - 1) + timedelta(minutes=rng.randint(0, 50))
    local = utc.astimezone(BEIRUT)
    while ambiguous(local):
        local = (local.astimezone(UTC) + timedelta(hours=1)).astimezone(BEIRUT)
    return local


def ambiguous(local: datetime) -> bool:
    """True when the wall-clock time of *local* occurs twice in its zone."""
    naive = local.replace(tzinfo=None)
    first = naive.replace(tzinfo=local.tzinfo, fold=0).utcoffset()
    return first != naive.replace(tzinfo=local.tzinfo, fold=1).utcoffset()


def unique_title(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """A 4-9 word title and a 3-6 word slug, neither used before."""
    while True:
        chosen = rng.sample(W.TITLE_WORDS, rng.randint(4, 9))
        slug = "-".join(chosen[: rng.randint(3, min(6, len(chosen)))])
        key = " ".join(chosen)
        if key not in taken and slug not in taken:
            taken.update((key, slug))
            return decorate_title(rng, chosen), slug


def decorate_title(rng: random.Random, chosen: list[str]) -> str:
    """Add the marks real headlines carry: tashkeel, tatweel, Arabic-Indic digits, «»."""
    out = list(chosen)
    if rng.random() < 0.2:
        k = rng.randrange(len(out))
        out[k] = add_tashkeel(rng, out[k])
    if rng.random() < 0.12:
        k = rng.randrange(len(out))
        out[k] = add_tatweel(rng, out[k])
    if rng.random() < 0.12:
        number = str(rng.choice((3, 5, 7, 10, 12, 40, 2017, 2018)))
        out.insert(rng.randrange(len(out) + 1), number.translate(W.ARABIC_INDIC))
    if rng.random() < 0.15 and len(out) >= 4:
        k = rng.randrange(len(out) - 1)
        out[k : k + 2] = [f"«{out[k]} {out[k + 1]}»"]
    return " ".join(out)


def add_tashkeel(rng: random.Random, word: str) -> str:
    """Put one haraka after a letter of *word* (never after the first alef-lam)."""
    spots = [k for k in range(2, len(word)) if word[k] not in "اأإآىء"]
    if not spots:
        return word
    k = rng.choice(spots)
    return word[: k + 1] + rng.choice(W.TASHKEEL) + word[k + 1 :]


def add_tatweel(rng: random.Random, word: str) -> str:
    """Stretch *word* with tatweel after a joining letter that is not the last."""
    spots = [k for k in range(len(word) - 1) if word[k] in W.JOINING]
    if not spots:
        return word
    k = rng.choice(spots)
    return word[: k + 1] + "\u0640" * rng.randint(1, 3) + word[k + 1 :]


def sentence(rng: random.Random, lo: int, hi: int) -> str:
    """*lo* to *hi* words ending with a full stop."""
    return " ".join(rng.choices(W.WORDS, k=rng.randint(lo, hi))) + "."


def body_blocks(rng: random.Random, post_id: int, published: datetime) -> list[Block]:
    """The article's content blocks: 3-8 paragraphs with the odd heading, list,
    quote, figure, advert and empty paragraph."""
    blocks = [paragraph(rng) for _ in range(rng.randint(3, 8))]
    if rng.random() < 0.3:
        text = sentence(rng, 3, 6)[:-1]
        blocks.insert(rng.randint(1, len(blocks) - 1), Block(f"<h2>{text}</h2>", text))
    if rng.random() < 0.25:
        blocks.insert(rng.randint(1, len(blocks)), bullet_list(rng))
    if rng.random() < 0.15:
        text = "«" + sentence(rng, 10, 25)[:-1] + "»"
        blocks.insert(rng.randint(1, len(blocks)),
                      Block(f'<blockquote class="wp-block-quote">{text}</blockquote>', text))
    if rng.random() < 0.1:
        blocks.insert(rng.randint(1, len(blocks) - 1), Block("<p>&nbsp;</p>"))
    if rng.random() < 0.2:
        blocks.insert(2, Block('<div class="code-block code-block-2"><p class="ad-label">إعلان</p>'
                               '<ins class="adsbygoogle" data-ad-slot="1234"></ins></div>'))
    if rng.random() < 0.6:
        blocks.insert(rng.randint(0, 1), figure(rng, post_id, published))
    return blocks


def paragraph(rng: random.Random) -> Block:
    """A 20-60 word paragraph, sometimes with <strong>/<em>, an outside link, a
    number, a line break or a no-break space in its source."""
    words = rng.choices(W.WORDS, k=rng.randint(20, 60))
    for k in range(3, len(words) - 3, rng.randint(7, 15)):
        words[k] += "،"
    if rng.random() < 0.2:
        number = str(rng.randint(2, 2000))
        words[rng.randrange(len(words))] = number.translate(W.ARABIC_INDIC) \
            if rng.random() < 0.5 else number
    words[-1] += "."
    # Words, digits and Arabic punctuation need no escaping.
    marked = list(words)
    if rng.random() < 0.3:
        wrap(rng, marked, rng.choice(("strong", "em")), "")
    if rng.random() < 0.12:
        href = f"https://www.example.com/ar/news/{rng.randint(1000, 99999)}"
        wrap(rng, marked, "a", f' href="{href}" target="_blank" rel="noopener"')
    spaces = [" "] * (len(words) - 1)
    for k in rng.sample(range(len(spaces)), rng.choice(ODD_SPACES)):
        spaces[k] = rng.choice(("\n", "&nbsp;"))
    source = marked[0] + "".join(map(str.__add__, spaces, marked[1:]))
    return Block("<p>" + source + "</p>", " ".join(words))


def wrap(rng: random.Random, words: list[str], tag: str, attrs: str) -> None:
    """Wrap 2-4 consecutive words not yet wrapped in <tag attrs>."""
    size = rng.randint(2, 4)
    start = rng.randrange(len(words) - size)
    if any("<" in word for word in words[start : start + size]):
        return
    words[start] = f"<{tag}{attrs}>" + words[start]
    words[start + size - 1] += f"</{tag}>"


def bullet_list(rng: random.Random) -> Block:
    """A <ul> of 2-5 items; each item is one body paragraph."""
    items = [sentence(rng, 5, 12) for _ in range(rng.randint(2, 5))]
    html = "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
    return Block(html, "\n\n".join(items))


def figure(rng: random.Random, post_id: int, published: datetime) -> Block:
    """A WordPress image block; its caption is not article text."""
    caption = sentence(rng, 4, 10)[:-1]
    src = f"/wp-content/uploads/{published:%Y/%m}/photo-{post_id}.jpg"
    return Block(
        f'<figure class="wp-block-image size-large"><img src="{PLACEHOLDER}{src}" alt="{caption}" '
        f'width="800" height="450" loading="lazy"><figcaption>{caption}</figcaption></figure>'
    )
