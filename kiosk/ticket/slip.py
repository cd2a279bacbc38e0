"""The refusal slip: what a visitor turned away takes home, so the next trip is not wasted too.

Printed on every refusal and every block (issue 16): why not today, what to ask for and where
(「署名用電子証明書のパスワードの初期化」 at the municipal office), what to bring, when to come back
to which counter (the procedure's hours from the site config, with 「窓口でご確認ください」 where
they are examples), and the centre's phone number. In the visitor's language, then in Japanese
when that is another: the municipal clerk and the licence clerk read Japanese.

No number is taken for it and it carries nothing of the visitor: no card dates, no QR code.
Pure: a `TicketDocument` for the same renderer and driver as the ticket.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from kiosk.domain.model import Answers
from kiosk.domain.routing import Refusal, bring_list
from kiosk.messages import has, text
from kiosk.site.model import SiteConfig, Window
from kiosk.ticket.document import Align, Block, FeedBlock, ItemsBlock, RuleBlock, Size, TextBlock, TicketDocument
from kiosk.ticket.layout import CLERK_LANG, ISSUED_CLOCK_FORMAT, issue_time

SLIP_LABEL = "SLIP"  # the document's label: the printer logs it; no queue number is ever taken
WEEKDAYS = frozenset(range(5))  # Monday to Friday: said as one word (平日)


def build_slip(
    config: SiteConfig, answers: Answers, refusal: Refusal, lang: str, now: datetime, width_dots: int = 576
) -> TicketDocument:
    """The slip for a visit refused for `refusal`, in `lang` and (when that is another) Japanese."""
    if width_dots <= 0:
        raise ValueError(f"width_dots must be positive, got {width_dots}")
    blocks: list[Block] = [
        TextBlock(config.site.name.get(lang), Size.SMALL, bold=True, align=Align.CENTER),
        FeedBlock(6),
        TextBlock(text("slip.title", lang), Size.LARGE, bold=True, align=Align.CENTER),
        TextBlock(text("slip.not_a_ticket", lang), Size.SMALL, align=Align.CENTER),
    ]
    for i, words_lang in enumerate(dict.fromkeys((lang, CLERK_LANG))):
        if i:
            blocks += [FeedBlock(8), RuleBlock(), FeedBlock(8)]
            blocks.append(TextBlock(text("slip.in_japanese", lang), Size.SMALL, bold=True))
        blocks += [_in(block, words_lang) for block in _body(config, answers, refusal, words_lang)]
    contact = text("slip.contact", lang, name=config.site.name.get(lang), phone=config.site.phone)
    issued = text("slip.issued", lang, time=issue_time(config, now, ISSUED_CLOCK_FORMAT), kiosk=config.site.kiosk_id)
    blocks += [
        FeedBlock(8),
        RuleBlock(),
        FeedBlock(8),
        TextBlock(contact, Size.NORMAL, bold=True),
        TextBlock(issued, Size.SMALL, align=Align.CENTER),
        FeedBlock(16),
    ]
    return TicketDocument(label=SLIP_LABEL, lang=lang, width_dots=width_dots, blocks=tuple(blocks))


def _body(config: SiteConfig, answers: Answers, refusal: Refusal, lang: str) -> list[Block]:
    blocks: list[Block] = []
    if answers.procedure is not None:
        procedure = text(f"procedure.{answers.procedure.value}", lang)
        blocks.append(TextBlock(text("slip.procedure", lang, procedure=procedure), Size.SMALL))
    blocks += [FeedBlock(4), TextBlock(text(f"reason.{refusal.reason}", lang), Size.NORMAL, bold=True)]
    ask = what_to_ask(refusal, lang)
    if ask is not None:
        blocks += [FeedBlock(6), TextBlock(text("slip.what_to_do", lang), Size.SMALL, bold=True)]
        blocks.append(TextBlock(ask, Size.NORMAL))
        errand = f"slip.bring.{refusal.remedy}"
        if has(errand):
            blocks.append(TextBlock(text(errand, lang), Size.SMALL))
    blocks += _come_back(config, answers, lang)
    return blocks


def _in(block: Block, lang: str) -> Block:
    """The block marked with its words' language, so Japanese on a Vietnamese slip breaks as Japanese."""
    if isinstance(block, TextBlock | ItemsBlock):
        return replace(block, lang=lang)
    return block


def what_to_ask(refusal: Refusal, lang: str) -> str | None:
    """What to ask for and where: the reason's own errand when it has one, else the remedy."""
    key = f"slip.ask.{refusal.reason}"
    if has(key):
        return text(key, lang)
    return text(f"remedy.{refusal.remedy}", lang) if refusal.remedy else None


def _come_back(config: SiteConfig, answers: Answers, lang: str) -> list[Block]:
    """Which counter to come back to, its hours and what to bring then."""
    procedure = answers.procedure
    if procedure is None:
        return []
    counter = config.counter_for(procedure)
    where = text("ticket.counter", lang, number=counter.number, floor=counter.floor)
    blocks: list[Block] = [
        FeedBlock(6),
        TextBlock(text("slip.come_back", lang), Size.SMALL, bold=True),
        TextBlock(f"{where}　{counter.name.get(lang)}", Size.NORMAL, bold=True),
    ]
    windows = [
        w
        for w in config.procedures[procedure].windows
        if answers.lecture_class is None or not w.lecture_classes or answers.lecture_class in w.lecture_classes
    ]
    if windows:
        blocks.append(TextBlock(text("slip.hours", lang, hours=weekly_hours(windows, lang)), Size.NORMAL))
    if counter.example or any(w.example for w in windows):
        blocks.append(TextBlock(text("ui.hours.unconfirmed", lang), Size.SMALL))
    items = bring_list(config, answers)
    if items:
        blocks.append(TextBlock(text("slip.bring_next", lang), Size.SMALL, bold=True))
        blocks.append(ItemsBlock(tuple(text("ticket.bullet", lang, item=i.label.get(lang)) for i in items)))
    return blocks


def weekly_hours(windows: list[Window], lang: str) -> str:
    """ "平日 8:30〜10:00、13:00〜14:30": each set of weekdays with its spans, merged where they touch."""
    by_days: dict[frozenset[int], list[tuple[time, time]]] = {}
    for w in windows:
        by_days.setdefault(frozenset(w.weekdays), []).append((w.start, w.end))
    join = text("ui.list.join", lang)
    parts = []
    for days, spans in sorted(by_days.items(), key=lambda item: min(item[0])):
        merged: list[tuple[time, time]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        said = join.join(text("ui.hours.span", lang, start=_clock(a), end=_clock(b)) for a, b in merged)
        day_words = (
            text("slip.weekdays", lang)
            if days == WEEKDAYS
            else join.join(text(f"slip.day.{d}", lang) for d in sorted(days))
        )
        parts.append(f"{day_words} {said}")
    return join.join(parts)


def _clock(t: time) -> str:
    return f"{t.hour}:{t.minute:02d}"
