"""What an announcement says: the words of a call, in which voices, in which order. Pure.

A call is announced as: a chime, the call in Japanese, the same call in the visitor's language when
they chose another at the kiosk, and for a recall the Japanese once more (a recall is the visitor's
last chance: the one language every clerk and most visitors share is said twice). The words are the
catalogs' `voice.call` in each language (`make messages`), so a centre changes the wording without
code; `{prefix}`, `{number}` and `{counter}` are filled here.

Japanese is read the way the staff of a licence centre read a ticket aloud: the prefix letter by its
Japanese name (M = エム), the number as a plain number without its leading zeros (012 = じゅうに),
counting the way a counter is counted (4 = よん, 7 = なな, 9 = きゅう). These readings go to Open
JTalk as kana, so its dictionary never has to guess how to read "M-012" (it reads a lone "M" as
nothing at all, and "番の方" as ばんのほう). Other languages get the letter and the plain number
("M 12"): espeak-ng reads those well in each of its voices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from kiosk.messages import text

SPEECH_KEY = "voice.call"
JAPANESE = ("ja", "ja-easy")  # spoken by the Japanese voice (Open JTalk); ja-easy is the second part

# The names Japanese staff use for the letters of the alphabet (JIS Z 8301 style readings, as
# announced in Japanese stations and offices).
LETTER_KANA = {
    "A": "エー",
    "B": "ビー",
    "C": "シー",
    "D": "ディー",
    "E": "イー",
    "F": "エフ",
    "G": "ジー",
    "H": "エイチ",
    "I": "アイ",
    "J": "ジェー",
    "K": "ケー",
    "L": "エル",
    "M": "エム",
    "N": "エヌ",
    "O": "オー",
    "P": "ピー",
    "Q": "キュー",
    "R": "アール",
    "S": "エス",
    "T": "ティー",
    "U": "ユー",
    "V": "ブイ",
    "W": "ダブリュー",
    "X": "エックス",
    "Y": "ワイ",
    "Z": "ゼット",
}
_DIGITS = ("", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう")
# Hundreds and thousands change their sound after some digits (さんびゃく, ろっぴゃく, はっせん).
_HUNDREDS = (
    *("", "ひゃく", "にひゃく", "さんびゃく", "よんひゃく"),
    *("ごひゃく", "ろっぴゃく", "ななひゃく", "はっぴゃく", "きゅうひゃく"),
)
_THOUSANDS = ("", "せん", "にせん", "さんぜん", "よんせん", "ごせん", "ろくせん", "ななせん", "はっせん", "きゅうせん")
_LABEL = re.compile(r"^(?P<prefix>[A-Za-z]*)-?(?P<number>\d+)$")


class AnnouncementKind(StrEnum):
    CALL = "call"
    RECALL = "recall"


@dataclass(frozen=True)
class Line:
    """One sentence of an announcement, in one language."""

    lang: str
    text: str


def number_kana(number: int) -> str:
    """0–9999 in hiragana as counted aloud: 12 → じゅうに, 300 → さんびゃく, 0 → ぜろ."""
    if not 0 <= number <= 9999:
        raise ValueError(f"no reading for {number}: ticket and counter numbers are 0–9999")
    if number == 0:
        return "ぜろ"
    thousands, rest = divmod(number, 1000)
    hundreds, rest = divmod(rest, 100)
    tens, ones = divmod(rest, 10)
    tens_kana = "" if tens == 0 else ("" if tens == 1 else _DIGITS[tens]) + "じゅう"
    return _THOUSANDS[thousands] + _HUNDREDS[hundreds] + tens_kana + _DIGITS[ones]


def letters_kana(letters: str) -> str:
    return "".join(LETTER_KANA.get(c, c) for c in letters.upper())


def split_label(label: str) -> tuple[str, int]:
    """ "M-012" → ("M", 12). A label without a prefix ("012") has prefix ""."""
    match = _LABEL.match(label)
    if match is None:
        raise ValueError(f"not a ticket label: {label!r}")
    return match["prefix"].upper(), int(match["number"])


def counter_reading(counter: str, lang: str) -> str:
    """A counter as signed in the hall ("13"), read for `lang`: digits as a number, else as written."""
    if counter.isdigit():
        return number_kana(int(counter)) if lang in JAPANESE else str(int(counter))
    return counter


def label_reading(label: str, lang: str) -> tuple[str, str]:
    """(prefix, number) as `lang` says them: ja → ("エム", "じゅうに"); en → ("M", "12")."""
    prefix, number = split_label(label)
    if lang in JAPANESE:
        return letters_kana(prefix), number_kana(number)
    return prefix, str(number)


def sentence(label: str, counter: str, lang: str) -> Line:
    prefix, number = label_reading(label, lang)
    return Line(lang, text(SPEECH_KEY, lang, prefix=prefix, number=number, counter=counter_reading(counter, lang)))


def script(kind: AnnouncementKind, label: str, counter: str, lang: str | None) -> tuple[Line, ...]:
    """The sentences of one announcement, in order (the chime before them is the player's)."""
    japanese = sentence(label, counter, "ja")
    lines = [japanese]
    if lang is not None and lang != "ja":
        lines.append(sentence(label, counter, lang))
    if kind is AnnouncementKind.RECALL:
        lines.append(japanese)
    return tuple(lines)
