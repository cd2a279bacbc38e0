"""The visit flow as a pure state machine: `Flow.transition(state, event, now) -> (state, effects)`.

welcome → language → procedure → questions → card check (only where the procedure needs the card)
→ verdict → confirm → ticket → "take your ticket and card" → welcome. Any step: back, call staff,
change language; the idle timeout wipes the visit. The flow never calls a driver: it returns
effects (`ReadCard`, `IssueTicket`, …) that the shell carries out and answers with events.

This module is a little over 400 lines because the state machine reads best in one place: each
screen's handler sits next to the others, so a reader sees every path of a visit at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from kiosk.domain.model import (
    Answers,
    CardFacts,
    CertReissued,
    CheckResult,
    HoldingStatus,
    LectureClass,
    LostItem,
    MovedAnswer,
    Outcome,
    Procedure,
    ServiceKind,
    worst,
)
from kiosk.domain.numbering import business_date
from kiosk.domain.prechecks import involves_myna, needs_card, on_plastic, plastic_path_offer, run_prechecks
from kiosk.domain.routing import Refusal, Route, availability, refusal_for, route
from kiosk.domain.waiting import LobbyFacts
from kiosk.site.model import SiteConfig


class Screen(StrEnum):
    WELCOME = "welcome"
    LANGUAGE = "language"
    PROCEDURE = "procedure"
    QUESTION = "question"
    CARD = "card"
    VERDICT = "verdict"
    CONFIRM = "confirm"
    TICKET = "ticket"
    GOODBYE = "goodbye"  # take your ticket and your card
    REFUSAL = "refusal"  # cannot be served today: why and where to go
    OUT_OF_SERVICE = "out_of_service"  # staff took this kiosk out of service: please use another


class Question(StrEnum):
    CURRENT = "current"  # 今お持ちの免許は
    WANTED = "wanted"  # 手続の後は
    LOST = "lost"
    LECTURE_CLASS = "lecture_class"
    ONLINE_LECTURE = "online_lecture"  # オンライン講習を受講済みですか (R22)
    SERVICE = "service"
    MOVED = "moved"  # 住所・氏名の変更をしましたか (R11)
    CERT_REISSUED = "cert_reissued"  # 電子証明書も新しくしましたか (R19, R27)


class CardStage(StrEnum):
    WAITING = "waiting"  # place your card
    READING = "reading"  # do not move it
    PLACE_AGAIN = "place_again"  # pulled mid-read: no verdict from half the data
    READER_PROBLEM = "reader_problem"  # reader unplugged or pcscd gone: call staff


class CardProblem(StrEnum):
    REMOVED = "removed"
    READER_UNAVAILABLE = "reader_unavailable"


class TicketStage(StrEnum):
    ISSUING = "issuing"
    PRINTED = "printed"
    PRINT_FAILED = "print_failed"  # the number is stored: show it on screen, staff will reprint
    FAILED = "failed"  # no number could be allocated (store broken or group exhausted)


# --- events (from the UI and the shell) --------------------------------------------------------


@dataclass(frozen=True)
class Touch:
    """Any touch on the welcome screen."""


@dataclass(frozen=True)
class ChooseLanguage:
    lang: str


@dataclass(frozen=True)
class ChooseProcedure:
    procedure: Procedure


@dataclass(frozen=True)
class AnswerQuestion:
    question: Question
    value: str


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Continue:
    """The main button of verdict, confirm, refusal and goodbye screens."""


@dataclass(frozen=True)
class CallStaff:
    pass


@dataclass(frozen=True)
class TakePlasticPath:
    """The verdict's way forward when the My Number card cannot be used today (R4): the same visit
    on the plastic licence card. Offered only where `plastic_path_offer` says so."""


@dataclass(frozen=True)
class CardInserted:
    pass


@dataclass(frozen=True)
class CardLeft:
    pass


@dataclass(frozen=True)
class CardRead:
    facts: CardFacts


@dataclass(frozen=True)
class CardFailed:
    problem: CardProblem


@dataclass(frozen=True)
class Counts:
    """Tickets issued today per procedure, from the store (for daily caps, R15)."""

    issued_today: Mapping[Procedure, int]


@dataclass(frozen=True)
class LobbyRead:
    """The lobby as the calling store saw it (waiting counts, today's service times), for the wait
    the menu and the confirm screen tell; None when the store could not say."""

    facts: LobbyFacts | None


@dataclass(frozen=True)
class TicketIssued:
    label: str
    printed: bool


@dataclass(frozen=True)
class TicketFailed:
    reason: str


@dataclass(frozen=True)
class Tick:
    """Time passes (idle timeout, countdowns). `now` is given to transition()."""


@dataclass(frozen=True)
class ServiceMode:
    """Staff put the kiosk out of service (or back). A visit under way is finished first: the
    polite screen comes when the kiosk would next show its welcome screen."""

    out_of_service: bool


Event = (
    Touch
    | ChooseLanguage
    | ChooseProcedure
    | AnswerQuestion
    | Back
    | Continue
    | CallStaff
    | TakePlasticPath
    | CardInserted
    | CardLeft
    | CardRead
    | CardFailed
    | Counts
    | LobbyRead
    | TicketIssued
    | TicketFailed
    | Tick
    | ServiceMode
)

# --- effects (for the shell) -------------------------------------------------------------------


@dataclass(frozen=True)
class ReadCard:
    pass


@dataclass(frozen=True)
class RefreshCounts:
    pass


@dataclass(frozen=True)
class ReadLobby:
    """Ask the calling store how the lobby stands (answered with `LobbyRead`)."""


@dataclass(frozen=True)
class IssueTicket:
    route: Route
    answers: Answers
    checks: tuple[CheckResult, ...]


@dataclass(frozen=True)
class RaiseStaffCall:
    screen: Screen


@dataclass(frozen=True)
class PrintSlip:
    """A refusal or a block: print what to do next (kiosk/ticket/slip.py). No number is taken."""

    answers: Answers
    refusal: Refusal
    lang: str


Effect = ReadCard | RefreshCounts | ReadLobby | IssueTicket | RaiseStaffCall | PrintSlip

# Screens that tell the wait: the lobby is read once as each is entered, never every frame.
TELLS_THE_WAIT = (Screen.PROCEDURE, Screen.CONFIRM)

# --- state -------------------------------------------------------------------------------------

GOODBYE_SECONDS = 15  # with no card left on the reader, the goodbye screen returns to welcome
IDLE_WARNING_SECONDS = 20  # the countdown shown before the idle timeout wipes the visit


@dataclass(frozen=True)
class Visit:
    """Everything about one visitor. Replaced whole at the end: nothing survives a visit."""

    lang: str
    screen: Screen = Screen.WELCOME
    question: Question | None = None
    answers: Answers = field(default_factory=Answers)
    card_stage: CardStage = CardStage.WAITING
    facts: CardFacts | None = None
    checks: tuple[CheckResult, ...] = ()
    route: Route | None = None
    refusal: Refusal | None = None
    ticket_label: str | None = None
    ticket_stage: TicketStage | None = None
    staff_called: bool = False
    history: tuple[Visit, ...] = ()  # earlier steps, for "back"

    @property
    def verdict(self) -> Outcome:
        return worst(self.checks)


@dataclass(frozen=True)
class State:
    visit: Visit
    last_activity: datetime
    card_present: bool = False
    issued_today: Mapping[Procedure, int] = field(default_factory=dict)
    lobby: LobbyFacts | None = None  # read as the menu or the confirm screen was entered
    entered_at: datetime | None = None  # when the current screen was entered (goodbye timer)
    out_of_service: bool = False  # staff said so: welcome is replaced by the out-of-service screen

    @property
    def screen(self) -> Screen:
        return self.visit.screen


# --- questions ---------------------------------------------------------------------------------

_MYNA_CLASSES = (LectureClass.EXCELLENT, LectureClass.GENERAL)
# Visits that ask nothing about a Japanese licence: an enquiry, and a foreign licence to convert.
_NO_LICENCE_YET = (Procedure.ENQUIRY, Procedure.FOREIGN_CONVERSION)


def questions_for(answers: Answers) -> tuple[Question, ...]:
    """The questions a procedure asks, given what is already answered (later ones depend on earlier)."""
    p = answers.procedure
    qs: list[Question] = []
    if p is Procedure.MYNA_SERVICE:
        qs.append(Question.SERVICE)
    if p is not None and p not in _NO_LICENCE_YET:
        qs.append(Question.CURRENT)
    if p is Procedure.REISSUE:
        qs.append(Question.LOST)
    if p in (Procedure.RENEWAL, Procedure.REISSUE, Procedure.HOLDING_CHANGE):
        qs.append(Question.WANTED)
    if p in (Procedure.RENEWAL, Procedure.RENEWAL_VIA):
        qs.append(Question.LECTURE_CLASS)
        holds_myna = answers.current is not None and answers.current.has_myna
        if p is Procedure.RENEWAL and holds_myna and answers.lecture_class in _MYNA_CLASSES:
            qs.append(Question.ONLINE_LECTURE)
    if p is not None and p not in _NO_LICENCE_YET and involves_myna(answers):
        qs.append(Question.MOVED)
        if p is Procedure.MYNA_SERVICE and answers.moved is MovedAnswer.YES_CARD_UPDATED:
            qs.append(Question.CERT_REISSUED)
    return tuple(qs)


def options_for(question: Question, answers: Answers) -> tuple[str, ...]:
    """The choices offered for a question, as the values `AnswerQuestion` carries."""
    if question in (Question.CURRENT, Question.WANTED):
        statuses = tuple(HoldingStatus)
        if question is Question.WANTED and answers.procedure is Procedure.HOLDING_CHANGE:
            statuses = tuple(s for s in statuses if s is not answers.current)
        return tuple(s.value for s in statuses)
    if question is Question.LOST:
        if answers.current is HoldingStatus.BOTH:
            return tuple(v.value for v in LostItem)
        only = LostItem.MYNA_CARD if answers.current is HoldingStatus.MYNA_ONLY else LostItem.LICENSE_CARD
        return (only.value,)
    if question is Question.LECTURE_CLASS:
        return tuple(v.value for v in LectureClass)
    if question is Question.ONLINE_LECTURE:
        return ("yes", "no")
    if question is Question.SERVICE:
        return tuple(v.value for v in ServiceKind)
    if question is Question.CERT_REISSUED:
        return tuple(v.value for v in CertReissued)
    return tuple(v.value for v in MovedAnswer)


def _answered(answers: Answers, question: Question) -> bool:
    return {
        Question.CURRENT: answers.current,
        Question.WANTED: answers.wanted,
        Question.LOST: answers.lost,
        Question.LECTURE_CLASS: answers.lecture_class,
        Question.ONLINE_LECTURE: answers.online_lecture_done,
        Question.SERVICE: answers.service,
        Question.MOVED: answers.moved,
        Question.CERT_REISSUED: answers.cert_reissued,
    }[question] is not None


def _with_answer(answers: Answers, question: Question, value: str) -> Answers:
    if question is Question.CURRENT:
        return replace(answers, current=HoldingStatus(value))
    if question is Question.WANTED:
        return replace(answers, wanted=HoldingStatus(value))
    if question is Question.LOST:
        return replace(answers, lost=LostItem(value))
    if question is Question.LECTURE_CLASS:
        return replace(answers, lecture_class=LectureClass(value))
    if question is Question.ONLINE_LECTURE:
        return replace(answers, online_lecture_done=value == "yes")
    if question is Question.SERVICE:
        return replace(answers, service=ServiceKind(value))
    if question is Question.CERT_REISSUED:
        return replace(answers, cert_reissued=CertReissued(value))
    return replace(answers, moved=MovedAnswer(value))


def next_question(answers: Answers) -> Question | None:
    for question in questions_for(answers):
        if not _answered(answers, question):
            return question
    return None


# --- the machine -------------------------------------------------------------------------------

Result = tuple[State, tuple[Effect, ...]]


class Flow:
    """The visit state machine for one site. Pure: same state, event and time, same result."""

    def __init__(self, config: SiteConfig) -> None:
        self.config = config
        self.idle_timeout = timedelta(seconds=config.site.idle_timeout_s)

    def start(self, now: datetime) -> State:
        return State(visit=Visit(lang=self.config.site.default_language), last_activity=now, entered_at=now)

    def idle_seconds_left(self, state: State, now: datetime) -> float | None:
        """Seconds before the visit is wiped, or None on the welcome (or out-of-service) screen."""
        if state.screen in (Screen.WELCOME, Screen.OUT_OF_SERVICE):
            return None
        return (state.last_activity + self.idle_timeout - now).total_seconds()

    @staticmethod
    def offers_plastic_path(visit: Visit) -> bool:
        """Whether the verdict on screen offers the visit on the plastic licence card (R4)."""
        return visit.screen is Screen.VERDICT and plastic_path_offer(visit.answers, visit.checks)

    def transition(self, state: State, event: Event, now: datetime) -> Result:
        new, effects = self._transition(state, event, now)
        if new.screen in TELLS_THE_WAIT and new.screen is not state.screen:
            effects = (*effects, ReadLobby())
        return new, effects

    def _transition(self, state: State, event: Event, now: datetime) -> Result:
        # Device and store events keep the visit alive without counting as a visitor's touch.
        if isinstance(event, CardInserted | CardLeft):
            return self._card_presence(state, isinstance(event, CardInserted), now)
        if isinstance(event, Counts):
            return replace(state, issued_today=dict(event.issued_today)), ()
        if isinstance(event, LobbyRead):
            return replace(state, lobby=event.facts), ()
        if isinstance(event, Tick):
            return self._tick(state, now)
        if isinstance(event, CardRead | CardFailed):
            return self._card_result(state, event, now)
        if isinstance(event, TicketIssued | TicketFailed):
            return self._ticket_result(state, event, now)
        if isinstance(event, ServiceMode):
            return self._service_mode(state, event.out_of_service, now), ()

        state = replace(state, last_activity=now)
        visit = state.visit
        if isinstance(event, CallStaff):
            return self._set(state, replace(visit, staff_called=True)), (RaiseStaffCall(visit.screen),)
        if visit.screen is Screen.OUT_OF_SERVICE:
            return state, ()  # nothing else to press: the screen asks visitors to use another kiosk
        if isinstance(event, ChooseLanguage):
            if event.lang not in self.config.site.languages:
                return state, ()
            if visit.screen is Screen.LANGUAGE:
                return self._go(state, replace(visit, lang=event.lang), Screen.PROCEDURE, now), ()
            return self._set(state, replace(visit, lang=event.lang)), ()
        if isinstance(event, Back):
            return self._back(state, now)
        if isinstance(event, Touch):
            if visit.screen is Screen.WELCOME:
                return self._go(state, visit, Screen.LANGUAGE, now), (RefreshCounts(),)
            return state, ()
        if isinstance(event, ChooseProcedure) and visit.screen is Screen.PROCEDURE:
            return self._choose_procedure(state, event.procedure, now)
        if isinstance(event, AnswerQuestion) and visit.screen is Screen.QUESTION:
            return self._answer(state, event, now)
        if isinstance(event, Continue):
            return self._continue(state, now)
        if isinstance(event, TakePlasticPath) and self.offers_plastic_path(visit):
            return self._after_answers(state, replace(visit, answers=on_plastic(visit.answers)), now)
        return state, ()  # an event that means nothing on this screen (a stale tap)

    # --- steps ---

    def _choose_procedure(self, state: State, procedure: Procedure, now: datetime) -> Result:
        visit = replace(state.visit, answers=Answers(procedure=procedure))
        refusal = refusal_for(availability(self.config, procedure, now, state.issued_today))
        if refusal is not None:
            # Nobody answers questions for a procedure that cannot be served today (R15).
            refused = replace(visit, refusal=refusal)
            return self._go(state, refused, Screen.REFUSAL, now), (PrintSlip(visit.answers, refusal, visit.lang),)
        return self._after_answers(state, visit, now)

    def _answer(self, state: State, event: AnswerQuestion, now: datetime) -> Result:
        visit = state.visit
        if event.question is not visit.question or event.value not in options_for(event.question, visit.answers):
            return state, ()
        answers = _with_answer(visit.answers, event.question, event.value)
        return self._after_answers(state, replace(visit, answers=answers), now)

    def _after_answers(self, state: State, visit: Visit, now: datetime) -> Result:
        question = next_question(visit.answers)
        if question is not None:
            return self._go(state, replace(visit, question=question), Screen.QUESTION, now), ()
        if needs_card(visit.answers):
            card_visit = replace(visit, question=None, card_stage=CardStage.WAITING, facts=None)
            moved = self._go(state, card_visit, Screen.CARD, now)
            if state.card_present:
                return self._set(moved, replace(card_visit, card_stage=CardStage.READING)), (ReadCard(),)
            return moved, ()
        return self._checked(state, replace(visit, question=None), None, now)

    def _checked(self, state: State, visit: Visit, facts: CardFacts | None, now: datetime) -> Result:
        """Run the pre-checks; show the verdict when there is something to say, else route."""
        today = business_date(now, self.config.site.timezone, self.config.site.business_day_reset)
        checks = run_prechecks(visit.answers, facts, today)
        blocking = next((c for c in checks if c.outcome is Outcome.BLOCK), None)
        refusal = Refusal(reason=blocking.reason, remedy=blocking.remedy) if blocking else None
        visit = replace(visit, facts=facts, checks=checks, refusal=refusal)
        slip = () if refusal is None else (PrintSlip(visit.answers, refusal, visit.lang),)
        if checks:
            return self._go(state, visit, Screen.VERDICT, now), slip
        return self._route(state, visit, now)

    def _route(self, state: State, visit: Visit, now: datetime) -> Result:
        result = route(self.config, visit.answers, visit.checks, now, state.issued_today)
        if isinstance(result, Refusal):
            slip = (PrintSlip(visit.answers, result, visit.lang),)
            return self._go(state, replace(visit, refusal=result), Screen.REFUSAL, now), slip
        return self._go(state, replace(visit, route=result), Screen.CONFIRM, now), ()

    def _continue(self, state: State, now: datetime) -> Result:
        visit = state.visit
        if visit.screen is Screen.VERDICT:
            if visit.refusal is not None:
                return self._finish(state, visit, now)
            return self._route(state, visit, now)
        if visit.screen is Screen.CONFIRM and visit.route is not None:
            issuing = replace(visit, ticket_stage=TicketStage.ISSUING)
            effect = IssueTicket(route=visit.route, answers=visit.answers, checks=visit.checks)
            return self._go(state, issuing, Screen.TICKET, now), (effect,)
        if visit.screen is Screen.TICKET and visit.ticket_stage is not TicketStage.ISSUING:
            return self._finish(state, visit, now)
        if visit.screen is Screen.REFUSAL:
            return self._finish(state, visit, now)
        if visit.screen is Screen.GOODBYE:
            return self._welcome(state, now)
        return state, ()

    def _finish(self, state: State, visit: Visit, now: datetime) -> Result:
        """End of a visit: remind them of the card while it is still on the reader."""
        if state.card_present or visit.screen is Screen.TICKET:
            return self._go(state, visit, Screen.GOODBYE, now), ()
        return self._welcome(state, now)

    def _welcome(self, state: State, now: datetime) -> Result:
        screen = Screen.OUT_OF_SERVICE if state.out_of_service else Screen.WELCOME
        fresh = Visit(lang=self.config.site.default_language, screen=screen)
        return replace(state, visit=fresh, last_activity=now, entered_at=now), ()

    def _service_mode(self, state: State, out: bool, now: datetime) -> State:
        """Out of service at once when nobody is at the kiosk; else when the visit ends."""
        state = replace(state, out_of_service=out)
        if state.screen in (Screen.WELCOME, Screen.OUT_OF_SERVICE):
            return self._welcome(state, now)[0]
        return state

    def _back(self, state: State, now: datetime) -> Result:
        visit = state.visit
        if visit.screen is Screen.LANGUAGE:
            return self._welcome(state, now)
        if visit.screen in (Screen.TICKET, Screen.GOODBYE) or not visit.history:
            return state, ()  # a number once issued is never taken back by "back"
        previous = replace(
            visit.history[-1], history=visit.history[:-1], lang=visit.lang, staff_called=visit.staff_called
        )
        return replace(state, visit=previous, entered_at=now), ()

    # --- device and store results ---

    def _card_presence(self, state: State, present: bool, now: datetime) -> Result:
        state = replace(state, card_present=present)
        visit = state.visit
        if present and visit.screen is Screen.CARD and visit.card_stage is not CardStage.READING:
            reading = replace(visit, card_stage=CardStage.READING)
            return self._set(replace(state, last_activity=now), reading), (ReadCard(),)
        if not present and visit.screen is Screen.GOODBYE:
            return self._welcome(state, now)
        return state, ()

    def _card_result(self, state: State, event: CardRead | CardFailed, now: datetime) -> Result:
        visit = state.visit
        if visit.screen is not Screen.CARD or visit.card_stage is not CardStage.READING:
            return state, ()  # a late answer for a visit that moved on: ignore it
        state = replace(state, last_activity=now)
        if isinstance(event, CardFailed):
            stage = CardStage.PLACE_AGAIN if event.problem is CardProblem.REMOVED else CardStage.READER_PROBLEM
            return self._set(state, replace(visit, card_stage=stage)), ()
        return self._checked(state, visit, event.facts, now)

    def _ticket_result(self, state: State, event: TicketIssued | TicketFailed, now: datetime) -> Result:
        visit = state.visit
        if visit.screen is not Screen.TICKET:
            return state, ()
        if isinstance(event, TicketFailed):
            failed = replace(visit, ticket_stage=TicketStage.FAILED, refusal=Refusal(reason=event.reason))
            return self._set(state, failed), ()
        stage = TicketStage.PRINTED if event.printed else TicketStage.PRINT_FAILED
        issued = replace(visit, ticket_label=event.label, ticket_stage=stage)
        return self._set(state, issued), (RefreshCounts(),)

    def _tick(self, state: State, now: datetime) -> Result:
        if state.screen is Screen.WELCOME:
            return state, ()
        left = self.idle_seconds_left(state, now)
        if left is not None and left <= 0:
            return self._welcome(state, now)  # the visit is wiped: nothing of it survives
        goodbye_over = state.entered_at is not None and now - state.entered_at >= timedelta(seconds=GOODBYE_SECONDS)
        if state.screen is Screen.GOODBYE and not state.card_present and goodbye_over:
            return self._welcome(state, now)
        return state, ()

    # --- helpers ---

    def _go(self, state: State, visit: Visit, screen: Screen, now: datetime) -> State:
        """Move to a screen, remembering where we were for "back"."""
        previous = replace(state.visit, history=())
        history = (*state.visit.history, previous) if state.visit.screen is not Screen.WELCOME else ()
        return replace(state, visit=replace(visit, screen=screen, history=history), entered_at=now)

    def _set(self, state: State, visit: Visit) -> State:
        """Change the visit without moving to another screen."""
        return replace(state, visit=visit)
