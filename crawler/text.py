"""Arabic text normalisation for matching, hashing and search.

Stored text keeps the page's own letters; these functions only build keys.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Tashkeel (harakat, tanween, shadda, sukun), superscript alef and Quranic marks.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_LETTER_FORMS = str.maketrans({
    "\u0622": "\u0627",  # آ alef madda
    "\u0623": "\u0627",  # أ hamza above
    "\u0625": "\u0627",  # إ hamza below
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0649": "\u064a",  # ى alef maqsura -> ya
    "\u0629": "\u0647",  # ة ta marbuta -> ha
    "\u06cc": "\u064a",  # ی Farsi ya
    "\u06a9": "\u0643",  # ک Farsi kaf
})
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Letter forms and digits in one table: one pass over a long body, not two.
_KEY_FORMS: dict[int, str | int | None] = {**_LETTER_FORMS, **_DIGITS}
# The same as (old, new) pairs: str.replace of the few present beats str.translate with
# a dict, which looks up every character of a long body.
_KEY_PAIRS = tuple((chr(old), chr(new) if isinstance(new, int) else str(new))
                   for old, new in _KEY_FORMS.items())
# Invisible marks that editors paste into Arabic text (RLM, LRM, ZWJ, ZWNJ, BOM...).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")


def to_ascii_digits(text: str) -> str:
    """Replace Arabic-Indic and Persian digits with ASCII digits.

    >>> to_ascii_digits("٢٨ آب ٢٠١٧")
    '28 آب 2017'
    """
    return text.translate(_DIGITS)


def collapse_space(text: str) -> str:
    """Collapse runs of whitespace (NBSP included) to one space and strip.

    >>> collapse_space("  a\\u00a0\\n b ")
    'a b'
    """
    # str.split() splits on exactly what \s matches, and far faster than re.sub.
    return " ".join(_INVISIBLE.sub("", text).split())


def normalize_arabic(text: str) -> str:
    """Return a matching key: no tashkeel or tatweel, one alef/ya/ha form, ASCII
    digits, NFKC, single spaces, lower-case Latin.

    >>> normalize_arabic("إقرأ أيضاً") == normalize_arabic("اقرا ايضا")
    True
    >>> normalize_arabic("المقالـــة التالية")
    'المقاله التاليه'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _DIACRITICS.sub("", text).replace(_TATWEEL, "")
    for old, new in _KEY_PAIRS:
        if old in text:
            text = text.replace(old, new)
    return collapse_space(text).lower()


def content_hash(title: str, body: str) -> str:
    """SHA-256 of the normalised title and body: equal for the same article
    whatever its URL, spacing or diacritics.

    >>> content_hash("عنوان", "نص  المقال") == content_hash("عنوان ", "نصّ المقال")
    True
    """
    key = normalize_arabic(title) + "\n" + normalize_arabic(body)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    """Number of whitespace-separated words.

    >>> word_count("كلمة  وكلمتان\\n\\nثلاث")
    3
    """
    return len(text.split())
