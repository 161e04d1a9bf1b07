"""The words and classes that give a link its role, and the keys they are matched on."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.text import normalize_arabic

PREV, NEXT, READ_ALSO = "prev", "next", "read_also"

PREV_LABELS_AR = (
    "السابق", "المقال السابق", "المقالة السابقة", "الخبر السابق", "الموضوع السابق",
    "المنشور السابق", "التدوينة السابقة",
)
NEXT_LABELS_AR = (
    "التالي", "المقال التالي", "المقالة التالية", "الخبر التالي", "الموضوع التالي",
    "المنشور التالي", "التدوينة التالية", "اللاحق", "المقال اللاحق",
)
# WordPress calls the older neighbour "previous": roles follow the page's words.
PREV_LABELS_EN = ("previous", "prev", "previous post", "prev post", "previous article", "older",
                  "older post", "older posts")
NEXT_LABELS_EN = ("next", "next post", "next article", "newer", "newer post", "newer posts")
# Reading invitations only: "شاهد أيضا" (watch) and "اقرأ المزيد" (a read-more
# button to the same article on listings) are not read-also links.
READ_ALSO_LABELS = (
    "اقرأ أيضا", "اقرأ كذلك", "طالع أيضا", "مقالات ذات صلة", "مواضيع ذات صلة",
    "أخبار ذات صلة", "قد يهمك أيضا", "قد يهمك",
)

# Post navigation marked by classes, most specific first: (class, role, class the
# link itself must have).  The element with the class is the link, or holds it.
# Most of these themes also set rel=prev/next, which wins when present.
THEME_CLASSES = (
    ("nav-previous", PREV, None),  # WordPress core the_post_navigation()
    ("nav-next", NEXT, None),
    ("post-navigation-link-previous", PREV, None),  # block themes (Twenty Twenty-Four)
    ("post-navigation-link-next", NEXT, None),
    ("jeg_prevnext_post", PREV, "prev-post"),  # JNews
    ("jeg_prevnext_post", NEXT, "next-post"),
    ("td-post-prev-post", PREV, None),  # tagDiv Newspaper
    ("td-post-next-post", NEXT, None),
    ("post-previous", PREV, None),  # Sahifa, Jarida
    ("post-next", NEXT, None),
    ("prev-post", PREV, None),  # Jannah, Publisher
    ("next-post", NEXT, None),  # Jannah, Publisher, Twenty Twenty
    ("previous-post", PREV, None),  # Twenty Twenty
)


# --- matching keys --------------------------------------------------------------------

_NOISE = re.compile(r"[\W_]+")
WORD = re.compile(r"[^\W_]")  # a letter or digit
MAX_LABEL = 60


def _key(text: str) -> str:
    """Matching key: normalised Arabic without punctuation, arrows or guillemets."""
    return _NOISE.sub(" ", normalize_arabic(text)).strip()


def label_key(text: str) -> str:
    """The key of a text short enough to be a label, else "" (matches no label):
    spares normalising whole paragraphs that merely contain "السابق"."""
    return _key(text) if len(text) <= MAX_LABEL else ""


def _keyed(labels: Iterable[str], role: str) -> dict[str, str]:
    return {_key(label): role for label in labels}


LABELS_AR = {**_keyed(PREV_LABELS_AR, PREV), **_keyed(NEXT_LABELS_AR, NEXT)}
LABELS_EN = {**_keyed(PREV_LABELS_EN, PREV), **_keyed(NEXT_LABELS_EN, NEXT)}
READ_ALSO_KEYS = _keyed(READ_ALSO_LABELS, READ_ALSO)
# "label: title" or "label «title»" in one piece of text.
_LABEL_SEPARATOR = re.compile(r"\s*[:：«\"“]")
# Raw-text prefilters; the exact match on normalised keys comes after.
AR_NAV_TERMS = ("سابق", "تالي", "لاحق")
EN_NAV_TERMS = ("Prev", "prev", "PREV", "Next", "next", "NEXT", "Older", "older", "OLDER",
                "Newer", "newer", "NEWER")
# "يض", not "يضا": "أيضًا" puts its tanween before the alef.
READ_ALSO_TERMS = ("يض", "كذلك", "صلة", "صله", "يهمك")


def label_role(text: str, labels: dict[str, str]) -> str | None:
    """Role of *text* if it is a label, alone or followed by ":" or a quoted title."""
    role = labels.get(label_key(text))
    if role is None:
        head = _LABEL_SEPARATOR.split(normalize_arabic(text), 1)
        role = labels.get(label_key(head[0])) if len(head) == 2 else None
    return role
