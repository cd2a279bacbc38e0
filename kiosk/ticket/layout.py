"""What goes on a queue ticket, top to bottom: a stored ticket and its route → a `TicketDocument`.

At most 12 cm of paper at 80 mm (tests/kiosk/ticket/test_limits.py): the visitor reads the number,
where to go, about how much to pay (as 目安, an estimate), what to have ready and any warning they
must act on themselves; the clerk reads the procedure and one short line of pre-check codes
("確認 R18 R17"), and scans the QR code for the stored ticket, which holds the full reason codes.
When the visitor's language is not Japanese, the lines the clerk acts on (counter, procedure) are
repeated in Japanese, smaller, under the visitor's words.

Nothing personal is printed: no card dates, serials, names or PIN counts, only rule ids and the
screens' own words for a warning (the ticket row itself holds nothing else, see
kiosk/queue/model.py). The QR code carries the ticket id only. Pure: no Pillow, no files, no clock
(the issue time is the ticket's own).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.domain.routing import FeeEstimate, Route
from kiosk.messages import text
from kiosk.numbers import grouped
from kiosk.queue.model import Ticket
from kiosk.site.model import Counter, SiteConfig
from kiosk.ticket.document import (
    Align,
    Block,
    FeedBlock,
    ItemsBlock,
    QrBlock,
    RuleBlock,
    Size,
    TextBlock,
    TicketDocument,
)

CLERK_LANG = "ja"  # counter staff read Japanese
ISSUE_TIME_FORMAT = "%Y-%m-%d %H:%M"  # a reprint's time, and the test ticket's
ISSUED_CLOCK_FORMAT = "%H:%M"  # the ticket's own issue time: the day is today's (and in the QR code)
NBSP = "\u00a0"
QR_MODULE_DOTS = 4  # 0.5 mm at 203 dpi: well within a counter's 2D hand scanner, a third less paper than 6

# Pre-check reasons whose remedy is the visitor's own errand at the municipal office
# (kiosk/domain/prechecks.py, MUNICIPAL_OFFICE): the clerk cannot act on them, so the visitor is told
# on the ticket in their own words (the verdict screen's explanation). A BLOCK among them never gets
# a ticket today; listed all the same so a ticket that carries one still says it.
VISITOR_ACTS = frozenset(
    {
        "R3.myna_card_lost",
        "R3.myna_card_lost_licence_card_today",
        "R4.card_expired",
        "R4.card_expiring_soon",
        "R4.plastic_path_today",
        "R6.old_card_void",
        "R19.cert_not_reissued_after_move",
        "R28.wait_for_new_card",
        "R5.chip_unreadable",
        "R5.free_area_insufficient",
        "R11.card_not_updated",
        "R18.sign_password_few_tries",
        "R18.sign_password_one_try",
        "R18.sign_password_locked",
        "R18.user_pin_locked",
        "R18.user_pin_one_try",
        "R19.cert_expired",
        "R19.cert_expiring_soon",
        "R27.no_sign_cert",
    }
)

_GAP = FeedBlock(6)  # between the lines of a section, where the line spacing alone is too tight
_SECTION_GAP = FeedBlock(8)  # above and below a rule


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
    blocks += _header(config, lang, reprinted_at)
    blocks += _number(ticket, lang)
    if ahead is not None and reprinted_at is None:  # a reprint comes later: who was ahead then is history
        told = text("ticket.ahead", lang, people=ahead)
        blocks += [FeedBlock(6), TextBlock(told, Size.NORMAL, bold=True, align=Align.CENTER)]
    blocks += _section(_counter(route.counter, lang))
    blocks += _section([*_procedure(ticket, lang), *_fees(route.fee, lang)])
    blocks += _section(_bring(route, lang))
    blocks += _section(_warnings(ticket.reasons, lang))
    blocks += [_SECTION_GAP, RuleBlock(), _SECTION_GAP]
    blocks += _footer(config, ticket, lang)
    return TicketDocument(label=ticket.label, lang=lang, width_dots=width_dots, blocks=tuple(blocks))


def ticket_id(config: SiteConfig, ticket: Ticket) -> str:
    """What the QR code carries: site, business date and label. Enough to find the stored row."""
    return f"{config.site.id}/{ticket.business_date:%Y%m%d}/{ticket.label}"


def issue_time(config: SiteConfig, issued_at: datetime, form: str = ISSUE_TIME_FORMAT) -> str:
    """The issue time as printed, in the site's timezone: "2026-11-25 09:12" (or as `form` says)."""
    if issued_at.tzinfo is None:
        raise ValueError("ticket.issued_at must be timezone-aware")
    return issued_at.astimezone(ZoneInfo(config.site.timezone)).strftime(form)


# --- sections ------------------------------------------------------------------------------------


def _section(lines: list[Block]) -> list[Block]:
    """A rule, then the section; nothing when the section is empty."""
    if not lines:
        return []
    return [_SECTION_GAP, RuleBlock(), _SECTION_GAP, *lines]


def _header(config: SiteConfig, lang: str, reprinted_at: datetime | None) -> list[Block]:
    blocks: list[Block] = [TextBlock(config.site.name.get(lang), Size.SMALL, bold=True, align=Align.CENTER)]
    if reprinted_at is not None:
        again = text("ticket.reprint", lang, time=issue_time(config, reprinted_at))
        blocks.append(TextBlock(again, Size.SMALL, bold=True, align=Align.CENTER))
    return blocks


def _number(ticket: Ticket, lang: str) -> list[Block]:
    """The label, the number as large as the paper takes it.

    The place for a line about the queue (「前に 3 人」, issue 10): right under the number, as one
    NORMAL centred line; the 12 cm limit keeps room for it (tests/kiosk/ticket/test_limits.py).
    """
    return [
        _GAP,
        TextBlock(text("ticket.number", lang), Size.SMALL, align=Align.CENTER),
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
        blocks.append(TextBlock(clerk, Size.SMALL, align=Align.CENTER, lang=CLERK_LANG))
    if counter.example:
        # An UNCONFIRMED counter number is never stated as plain fact (rules.md).
        blocks.append(TextBlock(text("ticket.counter_example", lang), Size.SMALL, align=Align.CENTER))
    return blocks


def _procedure_words(ticket: Ticket, lang: str) -> str:
    procedure = text(f"procedure.{ticket.procedure.value}", lang)
    if ticket.after is None:
        return procedure
    return text("ticket.procedure_after", lang, procedure=procedure, status=text(f"status.{ticket.after.value}", lang))


def _procedure(ticket: Ticket, lang: str) -> list[Block]:
    """One line: the procedure and the holding status wanted; in Japanese too for the clerk."""
    blocks: list[Block] = [TextBlock(_procedure_words(ticket, lang), Size.SMALL)]
    if lang != CLERK_LANG:
        blocks.append(TextBlock(_procedure_words(ticket, CLERK_LANG), Size.SMALL, lang=CLERK_LANG))
    return [*blocks, _GAP]


def _amount(yen: int | None, lang: str) -> str:
    return text("fee.ask", lang) if yen is None else text("fee.yen", lang, yen=grouped(yen, lang))


def _fee_words(what: str, yen: int | None, lang: str) -> str:
    return text("ticket.fee_line", lang, what=what, amount=_amount(yen, lang))


def _fees(fee: FeeEstimate, lang: str) -> list[Block]:
    """The total in one bold line: one sum to have ready (the clerk knows the parts). When a part
    must be asked at the counter there is no total, and each part has a line of its own."""
    if not fee.lines:
        return []  # no fee information for this procedure: say nothing rather than guess
    parts = [_fee_words(text(line.what, lang), line.yen, lang) for line in fee.lines]
    total = fee.total_yen
    if total is None:
        blocks: list[Block] = [
            TextBlock(text("ticket.fees", lang), Size.SMALL, bold=True),
            *(TextBlock(part, Size.NORMAL) for part in parts),
        ]
    else:
        blocks = [TextBlock(_fee_words(text("ticket.fees", lang), total, lang), Size.NORMAL, bold=True)]
    return [*blocks, TextBlock(text("ticket.fee_note", lang), Size.SMALL)]


def _bring(route: Route, lang: str) -> list[Block]:
    if not route.bring:
        return []
    items = tuple(text("ticket.bullet", lang, item=item.label.get(lang)) for item in route.bring)
    return [TextBlock(text("ticket.bring", lang), Size.SMALL, bold=True), ItemsBlock(items, Size.NORMAL)]


def _warnings(reasons: tuple[str, ...], lang: str) -> list[Block]:
    """What the visitor must see to themselves (VISITOR_ACTS), in the verdict screen's words."""
    return [TextBlock(text(f"reason.{code}", lang), Size.NORMAL, bold=True) for code in reasons if code in VISITOR_ACTS]


def clerk_codes(reasons: tuple[str, ...]) -> str:
    """The rule ids of the pre-check reasons, each once, in order: "R18 R17" (no-break spaces: the
    codes wrap together). The clerk scans the QR code for the stored ticket and its full codes."""
    return NBSP.join(dict.fromkeys(code.split(".", 1)[0] for code in reasons))


def _footer(config: SiteConfig, ticket: Ticket, lang: str) -> list[Block]:
    issued = issue_time(config, ticket.issued_at, ISSUED_CLOCK_FORMAT)
    clerk = text("ticket.issued", lang, time=issued, kiosk=ticket.kiosk_id)
    if ticket.reasons:
        clerk += "　" + text("ticket.checks", lang, codes=clerk_codes(ticket.reasons))
    return [
        TextBlock(clerk, Size.SMALL, align=Align.CENTER),
        QrBlock(ticket_id(config, ticket), module_dots=QR_MODULE_DOTS),
        FeedBlock(8),
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
