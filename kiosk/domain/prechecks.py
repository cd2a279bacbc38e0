"""The pre-check rules: what the kiosk decides from the visitor's answers and the card's facts.

One table, one row per rule of rules.md that the kiosk can act on. Each row names its rule id and
check id and returns a `CheckResult` (or None when it has nothing to say for this visit). Reason
codes are "<rule>.<what>", e.g. "R18.sign_password_locked"; their words live in the message
catalog, so this module speaks no language. A check never guesses: missing data is `unknown`.

Rules the kiosk cannot see (R6 lost effect under the My Number Act, revocation) are explained on
screen, never decided here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from kiosk.domain.model import (
    Answers,
    CardFacts,
    CardKind,
    CheckResult,
    FreeArea,
    HoldingStatus,
    LectureClass,
    LostItem,
    MovedAnswer,
    Outcome,
    Procedure,
    ServiceKind,
)

# Where the visitor should go about a problem. Words for each live in the message catalog.
MUNICIPAL_OFFICE = "municipal_office"  # 市区町村の窓口: card, certificates, PIN resets (R18)
PLACE_AGAIN = "place_again"
BRING_PHYSICAL_CARD = "bring_physical_card"
USE_MYNUMBER_CARD = "use_mynumber_card"
STAFF = "staff"  # staff at the counter will confirm

# Check ids: stable names of the lines on the verdict screen and in result.json.
ELIGIBILITY = "answers.eligibility"
ANSWERS_UP_TO_DATE = "answers.card_up_to_date"
ANSWERS_LOST = "answers.lost_card"
KIND = "card.kind"
EXPIRY = "card.expiry"
LICENCE_DATA = "card.licence_data"
FREE_AREA = "card.free_area"
AUTH_CERT = "card.auth_cert"
SIGN_CERT = "card.sign_cert"
SIGN_PASSWORD = "card.sign_password"
USER_PIN = "card.user_pin"
SERVICE_CHECK = "service.portal_link"

CARD_EXPIRY_WARN_DAYS = 30  # a card this close to expiry may lapse before the data is recorded
# A My Number card is valid for at most ten birthdays after issue: an expiry further out than this
# is a misread, and "valid" must never be drawn from it.
CARD_MAX_VALIDITY_DAYS = 11 * 366
CERT_EXPIRY_WARN_DAYS = 30  # a certificate this close to expiry lapses soon after the service is set up


@dataclass(frozen=True)
class Context:
    answers: Answers
    facts: CardFacts | None  # None when no card was needed or read
    today: date


@dataclass(frozen=True)
class Rule:
    rules: tuple[str, ...]  # rules.md ids this row decides, e.g. ("R18",)
    check: str  # stable check id shown in result.json and on the verdict screen
    evaluate: Callable[[Context], CheckResult | None]


def needs_card(answers: Answers) -> bool:
    """Whether this visit touches the licence data on a My Number card, so the card must be checked.

    Conventional procedures of licence-card-only holders never ask for a card. A visitor whose
    My Number card is lost cannot tap it.
    """
    procedure = answers.procedure
    if procedure is None or procedure is Procedure.ENQUIRY:
        return False
    if procedure in (Procedure.RE_RECORD, Procedure.MYNA_SERVICE):
        return True
    if procedure is Procedure.REISSUE and answers.lost in (LostItem.MYNA_CARD, LostItem.BOTH_CARDS):
        return False
    return involves_myna(answers)


def involves_myna(answers: Answers) -> bool:
    """A マイナ免許証 procedure: the card holds licence data before or after the visit."""
    if answers.procedure in (Procedure.RE_RECORD, Procedure.MYNA_SERVICE):
        return True
    return any(status is not None and status.has_myna for status in (answers.current, answers.after))


def writes_licence_data(answers: Answers) -> bool:
    """The counter will record licence data on the card today, so its free area matters (R5)."""
    if answers.procedure is Procedure.RE_RECORD:
        return True
    current, after = answers.current, answers.after
    return after is not None and after.has_myna and (current is None or not current.has_myna)


def _result(check: str, rule: str, outcome: Outcome, what: str, remedy: str | None = None) -> CheckResult:
    return CheckResult(check=check, outcome=outcome, reason=f"{rule}.{what}", remedy=remedy)


def _is_mynumber_card(ctx: Context) -> CardFacts | None:
    if ctx.facts is not None and ctx.facts.kind is CardKind.MYNUMBER_CARD:
        return ctx.facts
    return None


# --- answers -----------------------------------------------------------------------------------


def _r11_card_up_to_date(ctx: Context) -> CheckResult | None:
    if ctx.answers.moved is None or not involves_myna(ctx.answers):
        return None
    if ctx.answers.moved is MovedAnswer.YES_CARD_NOT_UPDATED:
        return _result(ANSWERS_UP_TO_DATE, "R11", Outcome.BLOCK, "card_not_updated", MUNICIPAL_OFFICE)
    return _result(ANSWERS_UP_TO_DATE, "R11", Outcome.OK, "card_up_to_date")


def _r3_lost_card(ctx: Context) -> CheckResult | None:
    a = ctx.answers
    if a.procedure is not Procedure.REISSUE or a.lost not in (LostItem.MYNA_CARD, LostItem.BOTH_CARDS):
        return None
    if a.current is not None and not a.current.has_myna:
        return None  # no licence data on the lost My Number card: nothing to re-record
    # The municipality reissues the My Number card first; licence data is then recorded again.
    if a.after is not None and a.after.has_myna:
        return _result(ANSWERS_LOST, "R3", Outcome.BLOCK, "myna_card_lost", MUNICIPAL_OFFICE)
    return _result(ANSWERS_LOST, "R3", Outcome.WARN, "myna_card_lost_licence_card_today", MUNICIPAL_OFFICE)


def _eligibility(ctx: Context) -> CheckResult | None:
    a = ctx.answers
    if a.procedure is Procedure.MYNA_SERVICE and a.current is not None:
        if a.service is ServiceKind.ADDRESS_ONESTOP and a.current is not HoldingStatus.MYNA_ONLY:
            return _result(ELIGIBILITY, "R21", Outcome.BLOCK, "onestop_myna_only", STAFF)
        if not a.current.has_myna:
            return _result(ELIGIBILITY, "R17", Outcome.BLOCK, "service_needs_myna_licence", STAFF)
    online_classes = (LectureClass.EXCELLENT, LectureClass.GENERAL)
    if a.procedure is Procedure.RENEWAL_VIA and a.lecture_class not in (None, *online_classes):
        return _result(ELIGIBILITY, "R24", Outcome.BLOCK, "via_class_not_eligible", STAFF)
    if a.online_lecture_done and a.lecture_class not in (LectureClass.EXCELLENT, LectureClass.GENERAL):
        return _result(ELIGIBILITY, "R22", Outcome.WARN, "online_lecture_not_valid", STAFF)
    return None


# --- the card ----------------------------------------------------------------------------------

_KIND_REASONS = {
    CardKind.SMARTPHONE_JPKI: ("smartphone_jpki", BRING_PHYSICAL_CARD),
    CardKind.JUKI_CARD: ("juki_card", MUNICIPAL_OFFICE),
    CardKind.LEGACY_LICENSE: ("licence_card_not_mynumber", USE_MYNUMBER_CARD),
    CardKind.OTHER: ("not_a_mynumber_card", USE_MYNUMBER_CARD),
}


def _card_kind(ctx: Context) -> CheckResult | None:
    if ctx.facts is None:
        return None
    kind = ctx.facts.kind
    if kind is CardKind.MYNUMBER_CARD:
        return _result(KIND, "R3", Outcome.OK, "mynumber_card")
    if kind is CardKind.UNREADABLE:
        return _result(KIND, "R5", Outcome.BLOCK, "chip_unreadable", MUNICIPAL_OFFICE)
    what, remedy = _KIND_REASONS[kind]
    return _result(KIND, "R3", Outcome.BLOCK, what, remedy)


def _r4_card_expiry(ctx: Context) -> CheckResult | None:
    facts = _is_mynumber_card(ctx)
    if facts is None:
        return None
    if facts.card_expiry is None or facts.card_expiry > ctx.today + timedelta(days=CARD_MAX_VALIDITY_DAYS):
        return _result(EXPIRY, "R4", Outcome.UNKNOWN, "card_expiry_unknown", STAFF)
    if facts.card_expiry < ctx.today:
        return _result(EXPIRY, "R4", Outcome.BLOCK, "card_expired", MUNICIPAL_OFFICE)
    if facts.card_expiry <= ctx.today + timedelta(days=CARD_EXPIRY_WARN_DAYS):
        return _result(EXPIRY, "R4", Outcome.WARN, "card_expiring_soon", MUNICIPAL_OFFICE)
    return _result(EXPIRY, "R4", Outcome.OK, "card_valid")


def _r3_licence_data(ctx: Context) -> CheckResult | None:
    facts = _is_mynumber_card(ctx)
    if facts is None:
        return None
    a = ctx.answers
    present = facts.licence_data_present
    if present is None:
        return _result(LICENCE_DATA, "R3", Outcome.UNKNOWN, "licence_data_unknown", STAFF)
    if a.procedure is Procedure.RE_RECORD:
        if present:
            return _result(LICENCE_DATA, "R3", Outcome.WARN, "already_recorded", STAFF)
        return _result(LICENCE_DATA, "R3", Outcome.OK, "ready_to_record")
    if a.current is not None and a.current.has_myna and not present:
        # Says マイナ免許証 but the card holds no licence data: wrong card, or a new card (R28).
        return _result(LICENCE_DATA, "R3", Outcome.WARN, "no_licence_data", STAFF)
    if a.current is HoldingStatus.LICENSE_ONLY and present:
        return _result(LICENCE_DATA, "R3", Outcome.WARN, "licence_data_unexpected", STAFF)
    return _result(LICENCE_DATA, "R3", Outcome.OK, "licence_data_as_stated")


def _r5_free_area(ctx: Context) -> CheckResult | None:
    facts = _is_mynumber_card(ctx)
    if facts is None or not writes_licence_data(ctx.answers):
        return None
    if facts.free_area is FreeArea.INSUFFICIENT:
        return _result(FREE_AREA, "R5", Outcome.BLOCK, "free_area_insufficient", MUNICIPAL_OFFICE)
    if facts.free_area is FreeArea.UNKNOWN:
        # No public method tells the room left: never claim "enough" without data.
        return _result(FREE_AREA, "R5", Outcome.UNKNOWN, "free_area_unknown", STAFF)
    return _result(FREE_AREA, "R5", Outcome.OK, "free_area_enough")


def _service_facts(ctx: Context) -> CardFacts | None:
    """Certificates and passwords matter only for the service applications (R17, R21, R22)."""
    if ctx.answers.procedure is not Procedure.MYNA_SERVICE:
        return None
    return _is_mynumber_card(ctx)


def _r19_auth_cert(ctx: Context) -> CheckResult | None:
    facts = _service_facts(ctx)
    if facts is None:
        return None
    if facts.auth_cert_not_after is None:
        return _result(AUTH_CERT, "R19", Outcome.UNKNOWN, "cert_unknown", STAFF)
    if facts.auth_cert_not_after < ctx.today:
        return _result(AUTH_CERT, "R19", Outcome.BLOCK, "cert_expired", MUNICIPAL_OFFICE)
    if facts.auth_cert_chain_ok is False:
        return _result(AUTH_CERT, "R19", Outcome.UNKNOWN, "cert_unverified", STAFF)
    if facts.auth_cert_not_after <= ctx.today + timedelta(days=CERT_EXPIRY_WARN_DAYS):
        # The service works today, but lapses soon after: renewing takes a visit to the city office.
        return _result(AUTH_CERT, "R19", Outcome.WARN, "cert_expiring_soon", MUNICIPAL_OFFICE)
    return _result(AUTH_CERT, "R19", Outcome.OK, "cert_valid")


def _r27_sign_cert(ctx: Context) -> CheckResult | None:
    facts = _service_facts(ctx)
    if facts is None:
        return None
    if facts.signature_cert_present is None:
        return _result(SIGN_CERT, "R27", Outcome.UNKNOWN, "sign_cert_unknown", STAFF)
    if not facts.signature_cert_present:
        return _result(SIGN_CERT, "R27", Outcome.BLOCK, "no_sign_cert", MUNICIPAL_OFFICE)
    return _result(SIGN_CERT, "R27", Outcome.OK, "sign_cert_present")


def _r18_sign_password(ctx: Context) -> CheckResult | None:
    facts = _service_facts(ctx)
    if facts is None or facts.signature_cert_present is False:
        return None  # no certificate, no password to speak of
    tries = facts.pin_tries.signature
    if tries is None:
        return _result(SIGN_PASSWORD, "R18", Outcome.UNKNOWN, "sign_password_unknown", STAFF)
    if tries == 0:
        # Licence counters cannot unlock it: only the municipal office can.
        return _result(SIGN_PASSWORD, "R18", Outcome.BLOCK, "sign_password_locked", MUNICIPAL_OFFICE)
    if tries <= 2:
        return _result(SIGN_PASSWORD, "R18", Outcome.WARN, "sign_password_few_tries", MUNICIPAL_OFFICE)
    return _result(SIGN_PASSWORD, "R18", Outcome.OK, "sign_password_ok")


def _r18_user_pin(ctx: Context) -> CheckResult | None:
    facts = _service_facts(ctx)
    if facts is None:
        return None
    tries = facts.pin_tries.user_auth
    if tries is None:
        return _result(USER_PIN, "R18", Outcome.UNKNOWN, "user_pin_unknown", STAFF)
    if tries == 0:
        # The counter procedure does not need it, but the portal does: tell them now.
        return _result(USER_PIN, "R18", Outcome.WARN, "user_pin_locked", MUNICIPAL_OFFICE)
    if tries == 1:
        return _result(USER_PIN, "R18", Outcome.WARN, "user_pin_one_try", MUNICIPAL_OFFICE)
    return _result(USER_PIN, "R18", Outcome.OK, "user_pin_ok")


def _r17_permanent(ctx: Context) -> CheckResult | None:
    a = ctx.answers
    if a.procedure is Procedure.MYNA_SERVICE and a.service is ServiceKind.PORTAL_LINK:
        return _result(SERVICE_CHECK, "R17", Outcome.WARN, "submission_permanent")
    return None


# Evaluation order = display order; one row per check.
RULES: tuple[Rule, ...] = (
    Rule(("R17", "R21", "R22", "R24"), ELIGIBILITY, _eligibility),
    Rule(("R11",), ANSWERS_UP_TO_DATE, _r11_card_up_to_date),
    Rule(("R3",), ANSWERS_LOST, _r3_lost_card),
    Rule(("R3", "R5"), KIND, _card_kind),
    Rule(("R4",), EXPIRY, _r4_card_expiry),
    Rule(("R3",), LICENCE_DATA, _r3_licence_data),
    Rule(("R5",), FREE_AREA, _r5_free_area),
    Rule(("R19",), AUTH_CERT, _r19_auth_cert),
    Rule(("R27",), SIGN_CERT, _r27_sign_cert),
    Rule(("R18",), SIGN_PASSWORD, _r18_sign_password),
    Rule(("R18",), USER_PIN, _r18_user_pin),
    Rule(("R17",), SERVICE_CHECK, _r17_permanent),
)


def run_prechecks(answers: Answers, facts: CardFacts | None, today: date) -> tuple[CheckResult, ...]:
    """Every check that has something to say about this visit, in display order.

    When the card is not a usable My Number card, no line is drawn from card data beyond the
    card-kind line; lines that rest on the visitor's answers alone (R11, R17) still show.
    """
    ctx = Context(answers=answers, facts=facts, today=today)
    results = [r for r in (rule.evaluate(ctx) for rule in RULES) if r is not None]
    return tuple(results)
