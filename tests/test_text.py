"""Properties of the Arabic normalisation keys (crawler/text.py)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from crawler.text import collapse_space, content_hash, normalize_arabic, to_ascii_digits

# Harakat, tanween, shadda, sukun, superscript alef.
TASHKEEL = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
# Madda and hamza marks: NFKC composes them with the letter before (و + ٔ = ؤ).
HAMZA_MARKS = "\u0653\u0654\u0655"
TATWEEL = "\u0640"
ALEF_FORMS = "\u0622\u0623\u0625\u0671"  # آ أ إ ٱ
OTHER_FORMS = "\u0649\u0629\u06cc\u06a9"  # ى ة ی ک
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\ufeff\u00ad"
SPACES = " \t\n\r\u00a0\u2009\u3000"

# Text an Arabic news page holds: letters in all their forms, marks, digits,
# invisible marks, odd spaces, Latin, punctuation; and any Unicode at all.
ARABIC_TEXT = st.text(alphabet=LETTERS + TASHKEEL + HAMZA_MARKS + TATWEEL + ALEF_FORMS + OTHER_FORMS
                      + ARABIC_INDIC + INVISIBLE + SPACES + "AbZ09.,،؛؟«»-")
ANY_TEXT = st.one_of(ARABIC_TEXT, st.text())
ARABIC_DIGIT = re.compile("[٠-٩۰-۹]")


@settings(max_examples=300)
@given(ANY_TEXT)
@example("ﻻ")  # a presentation form that NFKC splits into two letters
@example("\u0627\u0654")  # alef + hamza above, which NFKC composes into أ
def test_normalize_is_idempotent(text: str):
    key = normalize_arabic(text)
    assert normalize_arabic(key) == key


@settings(max_examples=300)
@given(ANY_TEXT)
def test_normalize_returns_a_string_without_marks_or_odd_spaces(text: str):
    key = normalize_arabic(text)
    assert isinstance(key, str)
    removed = TASHKEEL + HAMZA_MARKS + TATWEEL + ALEF_FORMS + OTHER_FORMS + INVISIBLE
    assert not set(key) & set(removed)
    assert not ARABIC_DIGIT.search(key)
    assert "  " not in key and key == key.strip()
    assert not re.search(r"\s", key.replace(" ", ""))


@given(st.text(alphabet=LETTERS, min_size=1), st.text(alphabet=TASHKEEL + TATWEEL))
def test_marks_do_not_change_the_key(word: str, marks: str):
    # The marks spread between the letters, as vocalised text has them.
    marked = "".join(letter + marks for letter in word)
    assert normalize_arabic(marked) == normalize_arabic(word) == word


@given(st.text(alphabet=LETTERS + "ؤئء", min_size=1))
def test_decomposed_hamza_gives_the_composed_key(word: str):
    composed = word.replace("و", "ؤ").replace("ي", "ئ")
    decomposed = word.replace("و", "و\u0654").replace("ي", "ي\u0654")
    assert normalize_arabic(decomposed) == normalize_arabic(composed)


@given(st.sampled_from(ALEF_FORMS))
def test_every_alef_form_becomes_bare_alef(alef: str):
    assert normalize_arabic(f"{alef}حمد") == "احمد"


def test_ya_ta_marbuta_and_farsi_letters():
    assert normalize_arabic("مستشفى") == normalize_arabic("مستشفي")
    assert normalize_arabic("مدرسة") == "مدرسه"
    assert normalize_arabic("کتابی") == "كتابي"


@given(st.text(alphabet=ARABIC_INDIC, min_size=1))
def test_digits_become_ascii(digits: str):
    assert normalize_arabic(digits).isascii() and normalize_arabic(digits).isdigit()
    assert to_ascii_digits(digits) == normalize_arabic(digits)
    assert int(to_ascii_digits(digits)) == int(digits)  # Python reads both alike


@given(ANY_TEXT)
def test_latin_is_lower_case(text: str):
    key = normalize_arabic(text)
    assert key == key.lower()


@given(ANY_TEXT)
def test_collapse_space_has_single_spaces_only(text: str):
    collapsed = collapse_space(text)
    assert "  " not in collapsed and collapsed == collapsed.strip()
    assert collapsed.split() == collapse_space(collapsed).split()


@given(title=ARABIC_TEXT, body=ARABIC_TEXT,
       # at least one real space: invisible marks alone join the words they sit between
       spaces=st.tuples(st.sampled_from(SPACES), st.text(alphabet=SPACES + INVISIBLE))
       .map("".join),
       marks=st.text(alphabet=TASHKEEL + TATWEEL, min_size=1))
def test_content_hash_ignores_spacing_marks_and_forms(title: str, body: str, spaces: str,
                                                     marks: str):
    digest = content_hash(title, body)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert content_hash(spaces + title + spaces, body.replace(" ", spaces)) == digest
    assert content_hash(title, marks + body) == digest
    assert content_hash(normalize_arabic(title), normalize_arabic(body)) == digest


@given(title=st.text(alphabet=LETTERS, min_size=1), body=st.text(alphabet=LETTERS, min_size=1),
       other=st.text(alphabet=LETTERS, min_size=1))
def test_content_hash_tells_different_texts_apart(title: str, body: str, other: str):
    if other != body:
        assert content_hash(title, body) != content_hash(title, other)
    # Title and body are kept apart: moving a word across them changes the hash.
    assert content_hash(title + body, "") != content_hash(title, body)


@given(ANY_TEXT)
def test_nfkc_forms_give_the_same_key(text: str):
    assert normalize_arabic(unicodedata.normalize("NFKC", text)) == normalize_arabic(text)
