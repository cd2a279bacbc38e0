"""The gallery: a flow state for every screen, card stage, ticket stage and notable variant.

Each entry starts at `Flow.start` and feeds the events a visitor (or a device) would, so what is
drawn is a state the flow really produces. One list serves the screen tests, the golden images,
the contact sheet (`kiosk demo --contact-sheet`) and the frame-time benchmark. Times are a Monday
in Asia/Tokyo, picked against the site config's windows: 09:30 the Myna counter and renewal are
open. Pure: no pygame, no files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.domain.flow import (
    AnswerQuestion,
    CallStaff,
    CardFailed,
    CardInserted,
    CardProblem,
    CardRead,
    ChooseLanguage,
    ChooseProcedure,
    Continue,
    Counts,
    Event,
    Flow,
    LobbyRead,
    Question,
    State,
    TicketFailed,
    TicketIssued,
    Touch,
)
from kiosk.domain.model import CardFacts, CardKind, FreeArea, PinTries, Procedure
from kiosk.domain.waiting import GroupLoad, LobbyFacts
from kiosk.site.model import SiteConfig

TOKYO = ZoneInfo("Asia/Tokyo")
MORNING = datetime(2025, 6, 2, 9, 30, tzinfo=TOKYO)  # Monday: Myna counter and renewal open
LATE_MORNING = datetime(2025, 6, 2, 10, 30, tzinfo=TOKYO)  # between windows: some closed now
EVENING = datetime(2025, 6, 2, 17, 30, tzinfo=TOKYO)  # every window over

GOOD_CARD = CardFacts(
    kind=CardKind.MYNUMBER_CARD,
    card_expiry=date(2030, 1, 1),
    auth_cert_not_after=date(2029, 1, 1),
    auth_cert_chain_ok=True,
    signature_cert_present=True,
    pin_tries=PinTries(user_auth=3, signature=5),
    licence_data_present=True,
    free_area=FreeArea.ENOUGH,
)
SILENT_CARD = CardFacts(kind=CardKind.MYNUMBER_CARD)  # nothing readable: the longest verdict
EXPIRED_CARD = replace(GOOD_CARD, card_expiry=date(2025, 1, 1))


# A busy Monday morning as the calling store tells it: renewal has 12 waiting at two counters
# (about 25 minutes), the Myna counter 3 (about 30), nobody waits at the general counters, and
# re-recording has served too few today for an estimate (nothing told).
BUSY_LOBBY = LobbyFacts(
    business_date=date(2025, 6, 2),
    calling_today=True,
    open_counters=frozenset({"c1", "c2", "c5", "c6", "c8", "c9", "c12", "c13", "c20"}),
    groups={
        "renewal": GroupLoad(waiting=12, served=20, median_service_min=4.0),
        "myna_service": GroupLoad(waiting=3, served=8, median_service_min=9.5),
        "general": GroupLoad(waiting=0, served=15, median_service_min=6.0),
        "myna_record": GroupLoad(waiting=2, served=3, median_service_min=None),
    },
)


@dataclass(frozen=True)
class Scenario:
    name: str
    state: State
    now: datetime
    config: SiteConfig


def walk(flow: Flow, lang: str, events: Iterable[Event], now: datetime = MORNING) -> State:
    state = flow.start(now)
    for event in [Touch(), ChooseLanguage(lang), *events]:
        state, _ = flow.transition(state, event, now)
    return state


def _answers(*pairs: tuple[Question, str]) -> list[Event]:
    return [AnswerQuestion(q, v) for q, v in pairs]


MYNA_SERVICE = [
    ChooseProcedure(Procedure.MYNA_SERVICE),
    *_answers((Question.SERVICE, "portal_link"), (Question.CURRENT, "both"), (Question.MOVED, "no")),
]
RENEWAL_PLASTIC = [
    ChooseProcedure(Procedure.RENEWAL),
    *_answers(
        (Question.CURRENT, "license_only"), (Question.WANTED, "license_only"), (Question.LECTURE_CLASS, "excellent")
    ),
]
RENEWAL_MYNA = [
    ChooseProcedure(Procedure.RENEWAL),
    *_answers(
        (Question.CURRENT, "both"),
        (Question.WANTED, "both"),
        (Question.LECTURE_CLASS, "general"),
        (Question.ONLINE_LECTURE, "yes"),
        (Question.MOVED, "no"),
    ),
]
TO_CONFIRM_MYNA = [*RENEWAL_MYNA, CardInserted(), CardRead(GOOD_CARD), Continue()]
TO_TICKET = [*RENEWAL_PLASTIC, Continue()]


def scenarios(config: SiteConfig, lang: str) -> list[Scenario]:
    """One scenario per screen, card stage, ticket stage and notable variant."""
    flow = Flow(config)
    out: list[Scenario] = []

    def add(
        name: str,
        events: list[Event],
        now: datetime = MORNING,
        render_at: datetime | None = None,
        site: SiteConfig = config,
    ) -> None:
        out.append(Scenario(name, walk(Flow(site), lang, events, now), render_at or now, site))

    out.append(Scenario("welcome", flow.start(MORNING), MORNING, config))
    out.append(Scenario("language", flow.transition(flow.start(MORNING), Touch(), MORNING)[0], MORNING, config))
    add("procedure", [])
    add("procedure-late-morning", [], LATE_MORNING)
    add("procedure-evening", [], EVENING)
    add("procedure-wait", [LobbyRead(BUSY_LOBBY)])
    capped = replace(config, procedures={p: replace(c, daily_cap=50) for p, c in config.procedures.items()})
    add("procedure-full", [Counts({Procedure.RENEWAL: 50, Procedure.REISSUE: 50})], site=capped)
    add("refusal-full", [Counts({Procedure.RENEWAL: 50}), ChooseProcedure(Procedure.RENEWAL)], site=capped)
    for i, question in enumerate(("current", "wanted", "lecture_class")):
        add(f"question-renewal-{question}", RENEWAL_PLASTIC[: 1 + i])
    add("question-online-lecture", RENEWAL_MYNA[:4])
    add("question-moved", RENEWAL_MYNA[:5])
    add("question-service", MYNA_SERVICE[:1])
    add("question-lost", [ChooseProcedure(Procedure.REISSUE), *_answers((Question.CURRENT, "both"))])
    add("card-waiting", MYNA_SERVICE)
    add("card-reading", [*MYNA_SERVICE, CardInserted()])
    add("card-place-again", [*MYNA_SERVICE, CardInserted(), CardFailed(CardProblem.REMOVED)])
    add("card-reader-problem", [*MYNA_SERVICE, CardInserted(), CardFailed(CardProblem.READER_UNAVAILABLE)])
    add("verdict-good", [*MYNA_SERVICE, CardInserted(), CardRead(GOOD_CARD)])
    add("verdict-silent-card", [*MYNA_SERVICE, CardInserted(), CardRead(SILENT_CARD)])
    add("verdict-blocked", [*MYNA_SERVICE, CardInserted(), CardRead(EXPIRED_CARD)])
    add("confirm-plastic", RENEWAL_PLASTIC)
    add("confirm-myna", [*RENEWAL_MYNA, CardInserted(), CardRead(GOOD_CARD), Continue()])
    add("confirm-enquiry", [ChooseProcedure(Procedure.ENQUIRY)])
    add("confirm-wait", [*RENEWAL_PLASTIC, LobbyRead(BUSY_LOBBY)])
    add("ticket-issuing", TO_TICKET)
    add("ticket-printed", [*TO_TICKET, TicketIssued("R-012", printed=True)])
    add(
        "ticket-printed-card-on-reader",
        [*MYNA_SERVICE, CardInserted(), CardRead(GOOD_CARD), Continue(), Continue(), TicketIssued("M-003", True)],
    )
    add("ticket-print-failed", [*TO_TICKET, TicketIssued("R-012", printed=False)])
    add("ticket-failed", [*TO_TICKET, TicketFailed("store_unavailable")])
    add("goodbye", [*TO_TICKET, TicketIssued("R-012", printed=True), Continue()])
    add(
        "goodbye-card-left",
        [
            *MYNA_SERVICE,
            CardInserted(),
            CardRead(GOOD_CARD),
            Continue(),
            Continue(),
            TicketIssued("M-003", True),
            Continue(),
        ],
    )
    add("refusal-closed-now", [ChooseProcedure(Procedure.MYNA_SERVICE)], LATE_MORNING)
    add("refusal-closed-today", [ChooseProcedure(Procedure.RENEWAL_VIA)], EVENING)
    add("refusal-lecture-class", [*RENEWAL_PLASTIC[:3], AnswerQuestion(Question.LECTURE_CLASS, "violation")])
    add("staff-called", [*RENEWAL_PLASTIC[:2], CallStaff()])
    add("idle-countdown", RENEWAL_PLASTIC[:2], render_at=MORNING + timedelta(seconds=config.site.idle_timeout_s - 12))
    return out
