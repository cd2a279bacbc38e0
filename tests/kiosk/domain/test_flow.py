"""The visit state machine, driven event by event with a fake clock on the shipped config."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from drivers.card.profiles import PROFILES
from kiosk.domain.flow import (
    AnswerQuestion,
    Back,
    CallStaff,
    CardFailed,
    CardInserted,
    CardLeft,
    CardProblem,
    CardRead,
    CardStage,
    ChooseLanguage,
    ChooseProcedure,
    Continue,
    Event,
    Flow,
    IssueTicket,
    LobbyRead,
    Question,
    RaiseStaffCall,
    ReadCard,
    ReadLobby,
    RefreshCounts,
    Screen,
    State,
    Tick,
    TicketFailed,
    TicketIssued,
    TicketStage,
    options_for,
    questions_for,
)
from kiosk.domain.model import Answers, HoldingStatus, MovedAnswer, Outcome, Procedure, ServiceKind
from kiosk.domain.waiting import GroupLoad, LobbyFacts

JST = ZoneInfo("Asia/Tokyo")
T0 = datetime(2026, 11, 26, 9, 15, tzinfo=JST)


class Driver:
    """Feeds events one second apart and keeps every effect, like the shell would."""

    def __init__(self, flow: Flow, start: datetime = T0) -> None:
        self.flow = flow
        self.now = start
        self.state: State = flow.start(start)
        self.effects: list[object] = []

    def send(self, *events: Event, seconds: float = 1) -> State:
        for event in events:
            self.now += timedelta(seconds=seconds)
            self.state, effects = self.flow.transition(self.state, event, self.now)
            self.effects.extend(effects)
        return self.state

    def answer(self, question: str, value: str) -> State:
        assert self.state.visit.question is Question(question), self.state.visit.question
        return self.send(AnswerQuestion(Question(question), value))


@pytest.fixture
def drive(site_config):
    def make(start: datetime = T0) -> Driver:
        return Driver(Flow(site_config), start)

    return make


def to_procedure(d: Driver, lang: str = "ja") -> None:
    from kiosk.domain.flow import Touch

    d.send(Touch())
    assert d.state.screen is Screen.LANGUAGE
    d.send(ChooseLanguage(lang))
    assert d.state.screen is Screen.PROCEDURE


def test_licence_card_renewal_goes_straight_to_a_ticket_without_a_card(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.RENEWAL))
    d.answer("current", "license_only")
    d.answer("wanted", "license_only")
    d.answer("lecture_class", "excellent")
    assert d.state.screen is Screen.CONFIRM
    route = d.state.visit.route
    assert route is not None and route.counter.id == "c1"
    d.send(Continue())
    assert d.state.screen is Screen.TICKET
    issue = [e for e in d.effects if isinstance(e, IssueTicket)]
    assert len(issue) == 1 and issue[0].answers.after is HoldingStatus.LICENSE_ONLY
    d.send(TicketIssued(label="R-001", printed=True))
    assert d.state.visit.ticket_stage is TicketStage.PRINTED
    d.send(Continue())
    assert d.state.screen is Screen.GOODBYE
    d.send(Tick(), seconds=16)
    assert d.state.screen is Screen.WELCOME


def test_a_double_tap_on_confirm_issues_one_ticket(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.ENQUIRY))
    assert d.state.screen is Screen.CONFIRM
    d.send(Continue(), Continue(), seconds=0.1)
    assert sum(isinstance(e, IssueTicket) for e in d.effects) == 1


def _to_card_step(d: Driver) -> None:
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.MYNA_SERVICE))
    d.answer("service", "portal_link")
    d.answer("current", "myna_only")
    d.answer("moved", "no")
    assert d.state.screen is Screen.CARD
    assert d.state.visit.card_stage is CardStage.WAITING


def test_card_check_reads_once_the_card_is_placed_and_shows_the_verdict(drive):
    d = drive()
    _to_card_step(d)
    d.send(CardInserted())
    assert d.state.visit.card_stage is CardStage.READING
    assert isinstance(d.effects[-1], ReadCard)
    d.send(CardRead(PROFILES["sign-locked"].facts(T0.date())))
    assert d.state.screen is Screen.VERDICT
    assert d.state.visit.verdict is Outcome.BLOCK
    assert d.state.visit.refusal is not None
    assert d.state.visit.refusal.reason == "R18.sign_password_locked"
    d.send(Continue())
    assert d.state.screen is Screen.GOODBYE, "the card is still on the reader: remind them to take it"
    d.send(CardLeft())
    assert d.state.screen is Screen.WELCOME
    assert not any(isinstance(e, IssueTicket) for e in d.effects)


def test_a_card_already_on_the_reader_is_read_on_arrival(drive):
    d = drive()
    d.send(CardInserted())
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.MYNA_SERVICE))
    d.answer("service", "portal_link")
    d.answer("current", "myna_only")
    d.answer("moved", "no")
    assert d.state.visit.card_stage is CardStage.READING
    assert isinstance(d.effects[-1], ReadCard)


def test_card_pulled_mid_read_asks_to_place_it_again_and_gives_no_verdict(drive):
    d = drive()
    _to_card_step(d)
    d.send(CardInserted())
    d.send(CardFailed(CardProblem.REMOVED))
    assert d.state.screen is Screen.CARD
    assert d.state.visit.card_stage is CardStage.PLACE_AGAIN
    assert d.state.visit.checks == ()
    d.send(CardLeft(), CardInserted())
    assert d.state.visit.card_stage is CardStage.READING
    d.send(CardRead(PROFILES["licence-present"].facts(T0.date())))
    assert d.state.screen is Screen.VERDICT


def test_reader_unavailable_is_a_reader_problem_not_a_verdict(drive):
    d = drive()
    _to_card_step(d)
    d.send(CardInserted(), CardFailed(CardProblem.READER_UNAVAILABLE))
    assert d.state.visit.card_stage is CardStage.READER_PROBLEM
    assert d.state.visit.checks == ()


def test_a_late_card_answer_after_the_visit_moved_on_is_ignored(drive):
    d = drive()
    _to_card_step(d)
    d.send(CardInserted())
    d.send(Back())
    before = d.state
    d.send(CardRead(PROFILES["licence-present"].facts(T0.date())))
    assert d.state.visit == before.visit


def test_back_returns_to_the_previous_question_and_forgets_its_answer(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.RENEWAL))
    d.answer("current", "both")
    assert d.state.visit.question is Question.WANTED
    d.send(Back())
    assert d.state.visit.question is Question.CURRENT
    assert d.state.visit.answers.current is None
    d.send(Back(), Back())
    assert d.state.screen is Screen.LANGUAGE


def test_back_keeps_the_language_chosen_later(drive):
    d = drive()
    to_procedure(d, "ja")
    d.send(ChooseProcedure(Procedure.RENEWAL))
    d.send(ChooseLanguage("en"))
    assert d.state.screen is Screen.QUESTION and d.state.visit.lang == "en"
    d.send(Back())
    assert d.state.screen is Screen.PROCEDURE and d.state.visit.lang == "en"


def test_no_back_once_a_number_is_issued(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.ENQUIRY), Continue(), TicketIssued(label="G-001", printed=True))
    d.send(Back())
    assert d.state.screen is Screen.TICKET


def test_idle_timeout_wipes_the_visit(drive, site_config):
    d = drive()
    to_procedure(d, "en")
    d.send(ChooseProcedure(Procedure.RENEWAL))
    d.answer("current", "both")
    timeout = site_config.site.idle_timeout_s
    d.send(Tick(), seconds=timeout - 5)
    assert d.state.screen is Screen.QUESTION
    assert d.flow.idle_seconds_left(d.state, d.now) == pytest.approx(5)
    d.send(Tick(), seconds=6)
    assert d.state.screen is Screen.WELCOME
    assert d.state.visit.answers == Answers()
    assert d.state.visit.lang == site_config.site.default_language
    assert d.state.visit.history == ()


def test_card_events_do_not_keep_an_abandoned_visit_alive(drive, site_config):
    d = drive()
    _to_card_step(d)
    d.send(Tick(), seconds=site_config.site.idle_timeout_s + 1)
    assert d.state.screen is Screen.WELCOME


def test_a_closed_procedure_is_refused_before_any_question(drive):
    d = drive(T0.replace(hour=11))
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.MYNA_SERVICE))
    assert d.state.screen is Screen.REFUSAL
    assert d.state.visit.refusal is not None and d.state.visit.refusal.reason == "R15.closed_now"
    d.send(Continue())
    assert d.state.screen is Screen.WELCOME


def test_staff_call_from_any_screen(drive):
    d = drive()
    to_procedure(d)
    d.send(CallStaff())
    assert d.state.visit.staff_called
    assert RaiseStaffCall(Screen.PROCEDURE) in d.effects
    assert d.state.screen is Screen.PROCEDURE


def test_start_of_a_visit_refreshes_todays_counts(drive):
    d = drive()
    to_procedure(d)
    assert any(isinstance(e, RefreshCounts) for e in d.effects)


def test_store_failure_shows_failed_stage_with_a_reason(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.ENQUIRY), Continue(), TicketFailed("store_unavailable"))
    assert d.state.visit.ticket_stage is TicketStage.FAILED
    assert d.state.visit.ticket_label is None


def test_print_failure_keeps_the_number_on_screen(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.ENQUIRY), Continue(), TicketIssued(label="G-004", printed=False))
    assert d.state.visit.ticket_stage is TicketStage.PRINT_FAILED
    assert d.state.visit.ticket_label == "G-004"


def test_an_answer_to_a_question_not_asked_is_ignored(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.RENEWAL))
    before = d.state.visit
    d.send(AnswerQuestion(Question.LECTURE_CLASS, "excellent"))
    d.send(AnswerQuestion(Question.CURRENT, "not-a-status"))
    assert d.state.visit.answers == before.answers


def test_holding_change_never_offers_the_status_already_held():
    answers = Answers(procedure=Procedure.HOLDING_CHANGE, current=HoldingStatus.BOTH)
    assert "both" not in options_for(Question.WANTED, answers)


def test_online_lecture_is_asked_only_of_eligible_myna_holders():
    base = Answers(procedure=Procedure.RENEWAL, current=HoldingStatus.MYNA_ONLY)
    from kiosk.domain.model import LectureClass

    eligible = questions_for(Answers(**{**base.__dict__, "lecture_class": LectureClass.GENERAL}))
    not_eligible = questions_for(Answers(**{**base.__dict__, "lecture_class": LectureClass.VIOLATION}))
    assert Question.ONLINE_LECTURE in eligible
    assert Question.ONLINE_LECTURE not in not_eligible


def test_back_on_the_language_screen_returns_to_welcome(drive):
    d = drive()
    from kiosk.domain.flow import Touch

    d.send(Touch())
    d.send(Back())
    assert d.state.screen is Screen.WELCOME


# --- the wait: the lobby is read as the menu and the confirm screen are entered -----------------

LOBBY = LobbyFacts(
    business_date=T0.date(),
    calling_today=True,
    open_counters=frozenset({"c1", "c2"}),
    groups={"renewal": GroupLoad(waiting=6, served=5, median_service_min=6.0)},
)


def lobby_reads(d: Driver) -> int:
    return sum(isinstance(e, ReadLobby) for e in d.effects)


def test_entering_the_menu_reads_the_lobby_once_and_keeps_what_it_said(drive):
    d = drive()
    to_procedure(d)
    assert lobby_reads(d) == 1
    d.send(LobbyRead(LOBBY))
    assert d.state.lobby == LOBBY and d.state.screen is Screen.PROCEDURE
    d.send(ChooseLanguage("en"), Tick(), CardInserted(), CardLeft())
    assert lobby_reads(d) == 1, "not every frame, not on a change of language or a device event"


def test_entering_the_confirm_screen_reads_the_lobby_again(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.RENEWAL))
    d.answer("current", "license_only")
    d.answer("wanted", "license_only")
    assert lobby_reads(d) == 1, "questions tell no wait"
    d.answer("lecture_class", "excellent")
    assert d.state.screen is Screen.CONFIRM
    assert lobby_reads(d) == 2
    d.send(Continue())
    assert d.state.screen is Screen.TICKET and lobby_reads(d) == 2


def test_back_to_the_menu_reads_the_lobby_afresh(drive):
    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.RENEWAL))
    d.send(Back())
    assert d.state.screen is Screen.PROCEDURE
    assert lobby_reads(d) == 2


def test_a_store_that_cannot_say_clears_the_wait(drive):
    d = drive()
    to_procedure(d)
    d.send(LobbyRead(LOBBY), LobbyRead(None))
    assert d.state.lobby is None


def test_reading_the_lobby_is_not_a_touch(drive, site_config):
    d = drive()
    to_procedure(d)
    idle = d.state.last_activity
    d.send(LobbyRead(LOBBY), seconds=5)
    assert d.state.last_activity == idle


def test_every_refusal_and_block_prints_a_slip_and_takes_no_number(drive):
    from kiosk.domain.flow import PrintSlip

    d = drive(T0.replace(hour=11))
    to_procedure(d, "vi")
    d.send(ChooseProcedure(Procedure.MYNA_SERVICE))  # closed now (R15)
    slips = [e for e in d.effects if isinstance(e, PrintSlip)]
    assert [(s.refusal.reason, s.lang) for s in slips] == [("R15.closed_now", "vi")]
    assert not [e for e in d.effects if isinstance(e, IssueTicket)]

    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.HOLDING_CHANGE))
    d.answer("current", "license_only")
    d.answer("wanted", "both")
    d.answer("moved", "no")
    d.send(CardInserted())
    d.send(CardRead(PROFILES["card-expired"].facts(T0.date())))
    assert d.state.screen is Screen.VERDICT
    slips = [e for e in d.effects if isinstance(e, PrintSlip)]
    assert [s.refusal.reason for s in slips] == ["R4.card_expired"]
    d.send(Continue())
    assert not [e for e in d.effects if isinstance(e, IssueTicket)]


def test_r4_the_plastic_path_takes_an_expired_card_holder_on_to_a_ticket(drive):
    from kiosk.domain.flow import TakePlasticPath

    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.RENEWAL))
    d.answer("current", "both")
    d.answer("wanted", "both")
    d.answer("lecture_class", "general")
    d.answer("online_lecture", "no")
    d.answer("moved", "no")
    d.send(CardInserted())
    d.send(CardRead(PROFILES["card-expired"].facts(T0.date())))
    assert d.state.visit.refusal is not None and Flow.offers_plastic_path(d.state.visit)
    d.send(TakePlasticPath())
    assert d.state.screen is Screen.VERDICT and d.state.visit.refusal is None
    assert [c.reason for c in d.state.visit.checks] == ["R4.plastic_path_today"]
    d.send(Continue())
    assert d.state.screen is Screen.CONFIRM
    assert d.state.visit.route is not None and d.state.visit.route.counter.number == "1"


def test_r4_no_plastic_path_where_the_procedure_is_for_the_card_itself(drive):
    from kiosk.domain.flow import TakePlasticPath

    d = drive()
    to_procedure(d)
    d.send(ChooseProcedure(Procedure.HOLDING_CHANGE))
    d.answer("current", "both")
    d.answer("wanted", "myna_only")
    d.answer("moved", "no")
    d.send(CardInserted())
    d.send(CardRead(PROFILES["card-expired"].facts(T0.date())))
    assert not Flow.offers_plastic_path(d.state.visit)
    before = d.state
    d.send(TakePlasticPath())
    assert d.state.visit == before.visit  # a stale tap changes nothing


def test_r1_every_holding_status_is_offered_and_none_is_pushed():
    renewal = Answers(procedure=Procedure.RENEWAL, current=HoldingStatus.LICENSE_ONLY)
    assert options_for(Question.CURRENT, renewal) == ("license_only", "myna_only", "both")
    assert options_for(Question.WANTED, renewal) == ("license_only", "myna_only", "both")


def test_r2_holding_status_is_asked_alone_and_with_renewal_and_reissue():
    for procedure in (Procedure.HOLDING_CHANGE, Procedure.RENEWAL, Procedure.REISSUE):
        assert Question.WANTED in questions_for(Answers(procedure=procedure, current=HoldingStatus.BOTH))
    assert Question.WANTED not in questions_for(Answers(procedure=Procedure.RECORD_CHANGE))


def test_r19_a_visitor_who_moved_is_asked_whether_the_certificates_were_issued_again():
    moved = Answers(
        procedure=Procedure.MYNA_SERVICE,
        service=ServiceKind.PORTAL_LINK,
        current=HoldingStatus.MYNA_ONLY,
        moved=MovedAnswer.YES_CARD_UPDATED,
    )
    assert questions_for(moved)[-1] is Question.CERT_REISSUED
    stayed = Answers(
        procedure=Procedure.MYNA_SERVICE,
        service=ServiceKind.PORTAL_LINK,
        current=HoldingStatus.MYNA_ONLY,
        moved=MovedAnswer.NO,
    )
    assert Question.CERT_REISSUED not in questions_for(stayed)


def test_foreign_conversion_asks_nothing_about_a_japanese_licence():
    assert questions_for(Answers(procedure=Procedure.FOREIGN_CONVERSION)) == ()
