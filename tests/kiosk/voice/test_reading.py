"""How the voice reads a call: labels the way Japanese staff read them, the catalog's words, the order."""

from __future__ import annotations

import pytest

from kiosk.messages import LANGUAGES, text
from kiosk.voice.reading import AnnouncementKind, Line, label_reading, number_kana, script, sentence

# label -> (prefix, number) in kana, as a clerk reads it out.
LABEL_KANA = [
    ("M-012", ("エム", "じゅうに")),
    ("M-001", ("エム", "いち")),
    ("S-004", ("エス", "よん")),
    ("R-007", ("アール", "なな")),
    ("A-009", ("エー", "きゅう")),
    ("W-010", ("ダブリュー", "じゅう")),
    ("Z-019", ("ゼット", "じゅうきゅう")),
    ("M-040", ("エム", "よんじゅう")),
    ("M-100", ("エム", "ひゃく")),
    ("M-114", ("エム", "ひゃくじゅうよん")),
    ("M-300", ("エム", "さんびゃく")),
    ("M-600", ("エム", "ろっぴゃく")),
    ("M-800", ("エム", "はっぴゃく")),
    ("M-999", ("エム", "きゅうひゃくきゅうじゅうきゅう")),
    ("M-1000", ("エム", "せん")),
    ("M-3000", ("エム", "さんぜん")),
    ("M-8012", ("エム", "はっせんじゅうに")),
    ("012", ("", "じゅうに")),
    ("g-005", ("ジー", "ご")),
    ("MR-021", ("エムアール", "にじゅういち")),
]


@pytest.mark.parametrize(("label", "kana"), LABEL_KANA, ids=[row[0] for row in LABEL_KANA])
def test_japanese_reads_a_label_as_staff_do(label, kana):
    assert label_reading(label, "ja") == kana


def test_other_languages_get_the_letter_and_the_plain_number():
    assert label_reading("M-012", "en") == ("M", "12")
    assert label_reading("S-004", "vi") == ("S", "4")


@pytest.mark.parametrize("bad", ["", "M-", "M-01A", "13番"])
def test_a_label_that_is_not_a_label_is_refused(bad):
    with pytest.raises(ValueError):
        label_reading(bad, "ja")


def test_numbers_outside_the_readable_range_are_refused():
    with pytest.raises(ValueError):
        number_kana(10_000)


def test_the_japanese_call_is_the_catalogs_words_with_kana_filled_in():
    line = sentence("M-012", "13", "ja")
    assert line == Line("ja", text("voice.call", "ja", prefix="エム", number="じゅうに", counter="じゅうさん"))
    assert "エム" in line.text and "じゅうに" in line.text and "じゅうさん" in line.text
    assert "M" not in line.text and "012" not in line.text


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang not in ("ja", "ja-easy")])
def test_every_other_language_says_the_letter_number_and_counter(lang):
    words = sentence("M-012", "13", lang).text
    assert "M" in words and "12" in words and "13" in words and "012" not in words


def test_a_call_is_japanese_then_the_visitors_language():
    assert [line.lang for line in script(AnnouncementKind.CALL, "M-012", "13", "en")] == ["ja", "en"]


def test_a_japanese_visitors_call_is_japanese_once():
    assert [line.lang for line in script(AnnouncementKind.CALL, "M-012", "13", "ja")] == ["ja"]
    assert [line.lang for line in script(AnnouncementKind.CALL, "M-012", "13", None)] == ["ja"]


def test_a_recall_says_the_japanese_once_more_at_the_end():
    lines = script(AnnouncementKind.RECALL, "M-012", "13", "vi")
    assert [line.lang for line in lines] == ["ja", "vi", "ja"]
    assert lines[0] == lines[2]


def test_easy_japanese_is_spoken_as_the_second_language():
    lines = script(AnnouncementKind.CALL, "M-012", "13", "ja-easy")
    assert [line.lang for line in lines] == ["ja", "ja-easy"]
    assert "エム" in lines[1].text
