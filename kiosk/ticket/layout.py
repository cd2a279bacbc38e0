"""What goes on a queue ticket, top to bottom: a stored ticket and its route → a `TicketDocument`.

The visitor reads the number, where to go, what it costs (as 目安, an estimate) and what to have
ready; the clerk reads the procedure, the holding status wanted and the pre-check codes. When the
visitor's language is not Japanese, the lines the clerk acts on (counter, procedure, status) are
repeated in Japanese, smaller, under the visitor's words.

Nothing personal is printed: no card dates, serials, names or PIN counts, only reason codes and
their short labels (the ticket row itself holds nothing else, see kiosk/queue/model.py). The QR
code carries the ticket id only. Pure: no Pillow, no files, no clock (the issue time is the
ticket's own).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.domain.routing import FeeEstimate, FeeLine, Route
from kiosk.messages import has, text
from kiosk.queue.model import Ticket
from kiosk.site.model import Counter, SiteConfig
from kiosk.ticket.document import Align, Block, FeedBlock, QrBlock, RuleBlock, Size, TextBlock, TicketDocument

CLERK_LANG = "ja"  # counter staff read Japanese
ISSUE_TIME_FORMAT = "%Y-%m-%d %H:%M"
QR_MODULE_DOTS = 6  # ~0.75 mm at 203 dpi: easy for a hand scanner, small enough for 58 mm paper

_GAP = FeedBlock(8)  # between lines of one section
_SECTION_GAP = FeedBlock(14)  # around a rule


def build_ticket(
    config: SiteConfig,
    ticket: Ticket,
    route: Route,
    lang: str,
    width_dots: int = 576,
    reprinted_at: datetime | None = None,
    ahead: int | None = None,
) -> TicketDocument:
    """The ticket for `ticket`, routed by `route`, in the visitor's `lang`.

    `width_dots` is the printable width of the paper: 576 for 80 mm, 384 for 58 mm. A reprint
    (`reprinted_at`, by staff) says so under the site name, so two papers of one number are told apart.
    `ahead` is how many waited ahead of this ticket when it was issued (kiosk/domain/waiting.py
    decides when it is told), printed under the number; a reprint never carries it (it is stale).
    """
    if width_dots <= 0:
        raise ValueError(f"width_dots must be positive, got {width_dots}")
    blocks: list[Block] = []
    blocks += _header(config, ticket, lang)
    if ahead is not None and reprinted_at is None:
        told = text("ticket.ahead", lang, people=ahead)
        blocks += [FeedBlock(16), TextBlock(told, Size.NORMAL, bold=True, align=Align.CENTER)]
    if reprinted_at is not None:
        again = text("ticket.reprint", lang, time=issue_time(config, reprinted_at))
        blocks[2:2] = [TextBlock(again, Size.SMALL, bold=True, align=Align.CENTER), _GAP]
    blocks += _section(_counter(route.counter, lang))
    blocks += _section(_procedure(ticket, lang))
    blocks += _section(_fees(route.fee, lang))
    blocks += _section(_bring(route, lang))
    blocks += _section(_clerk_notes(ticket.reasons, lang))
    blocks += [_SECTION_GAP, RuleBlock(), _SECTION_GAP]
    blocks += _footer(config, ticket, lang)
    return TicketDocument(label=ticket.label, lang=lang, width_dots=width_dots, blocks=tuple(blocks))


def ticket_id(config: SiteConfig, ticket: Ticket) -> str:
    """What the QR code carries: site, business date and label. Enough to find the stored row."""
    return f"{config.site.id}/{ticket.business_date:%Y%m%d}/{ticket.label}"


def issue_time(config: SiteConfig, issued_at: datetime) -> str:
    """The issue time as printed, in the site's timezone: "2026-11-25 09:12"."""
    if issued_at.tzinfo is None:
        raise ValueError("ticket.issued_at must be timezone-aware")
    return issued_at.astimezone(ZoneInfo(config.site.timezone)).strftime(ISSUE_TIME_FORMAT)


# --- sections ------------------------------------------------------------------------------------


def _section(lines: list[Block]) -> list[Block]:
    """A rule, then the section; nothing when the section is empty."""
    if not lines:
        return []
    return [_SECTION_GAP, RuleBlock(), _SECTION_GAP, *lines]


def _header(config: SiteConfig, ticket: Ticket, lang: str) -> list[Block]:
    return [
        FeedBlock(8),
        TextBlock(config.site.name.get(lang), Size.NORMAL, bold=True, align=Align.CENTER),
        FeedBlock(16),
        TextBlock(text("ticket.number", lang), Size.SMALL, align=Align.CENTER),
        _GAP,
        TextBlock(ticket.label, Size.HUGE, bold=True, align=Align.CENTER),
    ]


def _counter_line(counter: Counter, lang: str) -> str:
    return text("ticket.counter", lang, number=counter.number, floor=counter.floor)


def _counter(counter: Counter, lang: str) -> list[Block]:
    blocks: list[Block] = [
        TextBlock(text("ticket.go_to", lang), Size.SMALL, align=Align.CENTER),
        TextBlock(_counter_line(counter, lang), Size.LARGE, bold=True, align=Align.CENTER),
        TextBlock(counter.name.get(lang), Size.NORMAL, bold=True, align=Align.CENTER),
    ]
    if lang != CLERK_LANG:
        clerk = f"{_counter_line(counter, CLERK_LANG)}　{counter.name.get(CLERK_LANG)}"
        blocks.append(TextBlock(clerk, Size.SMALL, align=Align.CENTER))
    if counter.example:
        # An UNCONFIRMED counter number is never stated as plain fact (rules.md).
        blocks += [_GAP, TextBlock(text("ticket.counter_example", lang), Size.SMALL, align=Align.CENTER)]
    return blocks


def _labelled(label_key: str, value_key: str, lang: str) -> list[Block]:
    """A small label, the value in the visitor's language, and in Japanese for the clerk."""
    blocks: list[Block] = [
        TextBlock(text(label_key, lang), Size.SMALL),
        TextBlock(text(value_key, lang), Size.NORMAL, bold=True),
    ]
    if lang != CLERK_LANG:
        blocks.append(TextBlock(text(value_key, CLERK_LANG), Size.SMALL))
    return blocks


def _procedure(ticket: Ticket, lang: str) -> list[Block]:
    blocks = _labelled("ticket.procedure", f"procedure.{ticket.procedure.value}", lang)
    if ticket.after is not None:
        blocks += [_GAP, *_labelled("ticket.after", f"status.{ticket.after.value}", lang)]
    return blocks


def _amount(yen: int | None, lang: str) -> str:
    return text("fee.ask", lang) if yen is None else text("fee.yen", lang, yen=yen)


def _fee_line(line: FeeLine, lang: str) -> TextBlock:
    words = text("ticket.fee_line", lang, what=text(line.what, lang), amount=_amount(line.yen, lang))
    return TextBlock(words, Size.NORMAL)


def _fees(fee: FeeEstimate, lang: str) -> list[Block]:
    if not fee.lines:
        return []  # no fee information for this procedure: say nothing rather than guess
    blocks: list[Block] = [TextBlock(text("ticket.fees", lang), Size.SMALL)]
    blocks += [_fee_line(line, lang) for line in fee.lines]
    total = fee.total_yen
    if total is not None and len(fee.lines) > 1:
        words = text("ticket.fee_line", lang, what=text("fee.total", lang), amount=_amount(total, lang))
        blocks.append(TextBlock(words, Size.NORMAL, bold=True))
    blocks += [_GAP, TextBlock(text("fee.note", lang), Size.SMALL)]
    return blocks


def _bring(route: Route, lang: str) -> list[Block]:
    if not route.bring:
        return []
    blocks: list[Block] = [TextBlock(text("ticket.bring", lang), Size.SMALL)]
    blocks += [TextBlock(text("ticket.bullet", lang, item=item.label.get(lang))) for item in route.bring]
    return blocks


def _clerk_notes(reasons: tuple[str, ...], lang: str) -> list[Block]:
    """Each reason code under its short Japanese label: what the clerk should look at, nothing personal.

    The label is what the clerk reads; the code, on its own line, is what they look up.
    """
    if not reasons:
        return []
    heading = text("ticket.clerk", CLERK_LANG)
    if lang != CLERK_LANG:
        heading = f"{text('ticket.clerk', lang)}\n{heading}"
    blocks: list[Block] = [TextBlock(heading, Size.SMALL)]
    for code in reasons:
        key = f"ticket.reason.{code}"
        label = text(key, CLERK_LANG) if has(key) else code
        blocks.append(TextBlock(text("ticket.bullet", CLERK_LANG, item=f"{label}\n{code}"), Size.SMALL))
    return blocks


def _footer(config: SiteConfig, ticket: Ticket, lang: str) -> list[Block]:
    issued = text("ticket.issued", lang, time=issue_time(config, ticket.issued_at), kiosk=ticket.kiosk_id)
    return [
        TextBlock(issued, Size.SMALL, align=Align.CENTER),
        _GAP,
        QrBlock(ticket_id(config, ticket), module_dots=QR_MODULE_DOTS),
        _GAP,
        TextBlock(text("ticket.wait", lang), Size.SMALL, align=Align.CENTER),
        FeedBlock(24),
    ]


def build_test_ticket(
    config: SiteConfig, now: datetime, details: tuple[str, ...], lang: str = CLERK_LANG, width_dots: int = 576
) -> TicketDocument:
    """`kiosk print-test`: every kind of line a ticket uses (big number, rule, text, QR), with the
    printer's details for staff. Carries no ticket number and nothing of a visitor."""
    issued = text("ticket.issued", lang, time=issue_time(config, now), kiosk=config.site.kiosk_id)
    blocks: list[Block] = [
        FeedBlock(8),
        TextBlock(config.site.name.get(lang), Size.NORMAL, bold=True, align=Align.CENTER),
        FeedBlock(16),
        TextBlock(text("ticket.test", lang), Size.LARGE, bold=True, align=Align.CENTER),
        _GAP,
        TextBlock("TEST-000", Size.HUGE, bold=True, align=Align.CENTER),
        _SECTION_GAP,
        RuleBlock(),
        _SECTION_GAP,
        *(TextBlock(line, Size.SMALL) for line in details),
        _SECTION_GAP,
        RuleBlock(),
        _SECTION_GAP,
        TextBlock(issued, Size.SMALL, align=Align.CENTER),
        _GAP,
        QrBlock(f"{config.site.id}/test/{now:%Y%m%dT%H%M}", module_dots=QR_MODULE_DOTS),
        _GAP,
        TextBlock(text("ticket.test_ok", lang), Size.SMALL, align=Align.CENTER),
        FeedBlock(24),
    ]
    return TicketDocument(label="TEST-000", lang=lang, width_dots=width_dots, blocks=tuple(blocks))
