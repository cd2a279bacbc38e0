"""The pre-check rules: what the kiosk decides from the visitor's answers and the card's facts.

One table, one row per rule of rules.md that the kiosk can act on. Each row names its rule id and
check id and returns a `CheckResult` (or None when it has nothing to say for this visit). Reason
codes are "<rule>.<what>", e.g. "R18.sign_password_locked"; their words live in the message
catalog, so this module speaks no language. A check never guesses: missing data is `unknown`.

Rules the kiosk cannot see (R6 lost effect under the My Number Act, revocation) are never decided
from the card: where a visit points to them (an old card brought after a new one was issued), a
line says what it means and who confirms it. Rows that only inform (R13, R21–R24, R28) are `warn`
lines: the visitor can go on, and reads what they must know first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from kiosk.domain.model import (
    Answers,
    CardFacts,
    CardKind,
    CertReissued,
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
PLASTIC_PATH = "answers.plastic_path"
CERT_REISSUED = "answers.cert_reissued"
RECORD_CHANGE_TOO = "answers.record_change"
ONESTOP_INFO = "info.onestop"
SERVICE_INFO = "info.service"
VIA_INFO = "info.renewal_via"
OLD_CARD = "card.old_card"
LICENCE_EXPIRY = "card.licence_expiry"
NEW_CARD_PENDING = "card.new_card_pending"

# Procedures a 2枚持ち holder can still do on the plastic licence card alone when the My Number card
# cannot be used today (R4): all but those that exist for the card itself.
CARD_ONLY_PROCEDURES = (Procedure.HOLDING_CHANGE, Procedure.RE_RECORD, Procedure.MYNA_SERVICE)
RENEWAL_WINDOW_MONTHS = 2  # 更新期間: from a month before the birthday to the expiry, a month after it

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
    if procedure is None or procedure is Procedure.ENQUIRY or answers.plastic_path:
        return False
    if procedure in (Procedure.RE_RECORD, Procedure.MYNA_SERVICE):
        return True
    if procedure is Procedure.REISSUE and answers.lost in (LostItem.MYNA_CARD, LostItem.BOTH_CARDS):
        return False
    return involves_myna(answers)


def involves_myna(answers: Answers) -> bool:
    """A マイナ免許証 procedure: the card holds licence data before or after the visit."""
    if answers.plastic_path:
        return False  # today on the plastic card alone (R4)
    if answers.procedure in (Procedure.RE_RECORD, Procedure.MYNA_SERVICE):
        return True
    return any(status is not None and status.has_myna for status in (answers.current, answers.after))


def writes_licence_data(answers: Answers) -> bool:
    """The counter will record licence data on the card today, so its free area matters (R5)."""
    if answers.procedure is Procedure.RE_RECORD:
        return True
    current, after = answers.current, answers.after
    return after is not None and after.has_myna and (current is None or not current.has_myna)


def plastic_path_offer(answers: Answers, checks: tuple[CheckResult, ...]) -> bool:
    """Whether the verdict offers today's procedure on the plastic licence card (R4, no dead end).

    When the My Number card cannot be used (expired: R4; lost: R3), a visitor who has, or can be
    issued, a plastic licence card is not sent away: a 2枚持ち holder renews, notifies a change,
    returns the licence on the plastic card; a マイナ免許証のみ holder who lost the card is issued a
    plastic licence today. Never offered for procedures that exist for the card itself.
    """
    if answers.plastic_path or answers.current is None or answers.procedure in CARD_ONLY_PROCEDURES:
        return False
    reasons = {c.reason for c in checks if c.outcome is Outcome.BLOCK}
    if reasons - {"R4.card_expired", "R3.myna_card_lost"}:
        return False  # another problem blocks the visit too: the plastic card would not help
    if "R3.myna_card_lost" in reasons:
        return answers.procedure is Procedure.REISSUE
    return "R4.card_expired" in reasons and answers.current.has_plastic


def on_plastic(answers: Answers) -> Answers:
    """The visit on the plastic licence card (R4): a lost card's reissue becomes a plastic card
    (免許証のみ) today; anything else keeps its answers, without the My Number card."""
    if answers.procedure is Procedure.REISSUE and answers.lost in (LostItem.MYNA_CARD, LostItem.BOTH_CARDS):
        return replace(answers, wanted=HoldingStatus.LICENSE_ONLY, plastic_path=True)
    return replace(answers, plastic_path=True)


def _result(
    check: str, rule: str, outcome: Outcome, what: str, remedy: str | None = None, **dates: date
) -> CheckResult:
    return CheckResult(
        check=check,
        outcome=outcome,
        reason=f"{rule}.{what}",
        remedy=remedy,
        dates=tuple((name, day.isoformat()) for name, day in dates.items()),
    )


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


def _r4_plastic_path(ctx: Context) -> CheckResult | None:
    a = ctx.answers
    if not a.plastic_path or (a.procedure is Procedure.REISSUE and a.lost is not LostItem.LICENSE_CARD):
        return None  # a lost card's reissue says it in its own line (R3)
    return _result(PLASTIC_PATH, "R4", Outcome.WARN, "plastic_path_today", MUNICIPAL_OFFICE)


def _r19_cert_after_move(ctx: Context) -> CheckResult | None:
    """A move revokes the signature certificate (R27) and may leave the card's certificates
    unissued (R19): the card cannot tell, so the visitor was asked."""
    a = ctx.answers
    if a.procedure is not Procedure.MYNA_SERVICE or a.moved is not MovedAnswer.YES_CARD_UPDATED:
        return None
    if a.cert_reissued is CertReissued.NO:
        return _result(CERT_REISSUED, "R19", Outcome.BLOCK, "cert_not_reissued_after_move", MUNICIPAL_OFFICE)
    if a.cert_reissued is CertReissued.NOT_SURE:
        return _result(CERT_REISSUED, "R27", Outcome.UNKNOWN, "cert_reissue_unknown", STAFF)
    if a.cert_reissued is CertReissued.YES:
        return _result(CERT_REISSUED, "R27", Outcome.OK, "cert_reissued_after_move")
    return None


def _r13_record_change(ctx: Context) -> CheckResult | None:
    """A change of address or name must be notified to the licence too (R13), Myna holders
    included, unless the one-stop service does it (R21)."""
    a = ctx.answers
    if a.procedure is Procedure.RECORD_CHANGE:
        if a.current is HoldingStatus.MYNA_ONLY:
            return _result(RECORD_CHANGE_TOO, "R13", Outcome.WARN, "onestop_users_need_not", STAFF)
        return None
    if a.moved is MovedAnswer.YES_CARD_UPDATED and a.procedure not in (Procedure.MYNA_SERVICE, Procedure.ENQUIRY):
        return _result(RECORD_CHANGE_TOO, "R13", Outcome.WARN, "record_change_needed", STAFF)
    return None


def _r23_honseki_onestop(ctx: Context) -> CheckResult | None:
    a = ctx.answers
    if a.procedure is Procedure.RECORD_CHANGE and a.current is not None and a.current.has_myna:
        return _result(ONESTOP_INFO, "R23", Outcome.WARN, "honseki_in_portal")
    return None


def _r21_r22_service_info(ctx: Context) -> CheckResult | None:
    a = ctx.answers
    if a.procedure is not Procedure.MYNA_SERVICE or a.current is None or not a.current.has_myna:
        return None
    if a.service is ServiceKind.ADDRESS_ONESTOP and a.current is HoldingStatus.MYNA_ONLY:
        return _result(SERVICE_INFO, "R21", Outcome.WARN, "onestop_conditions")
    if a.service is ServiceKind.ONLINE_LECTURE:
        return _result(SERVICE_INFO, "R22", Outcome.WARN, "online_lecture_optional")
    return None


_VIA_INFO = {
    HoldingStatus.LICENSE_ONLY: "via_until_birthday_card_posted",
    HoldingStatus.MYNA_ONLY: "via_until_expiry_recorded_today",
    HoldingStatus.BOTH: "via_until_expiry_card_posted",
}


def _r24_via_info(ctx: Context) -> CheckResult | None:
    a = ctx.answers
    if a.procedure is not Procedure.RENEWAL_VIA or a.current is None:
        return None
    if a.lecture_class not in (None, LectureClass.EXCELLENT, LectureClass.GENERAL):
        return None  # not eligible: the eligibility line says so
    return _result(VIA_INFO, "R24", Outcome.WARN, _VIA_INFO[a.current])


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
    expiry = facts.card_expiry
    if expiry < ctx.today:
        # R7: the card's expiry is not the licence's; with valid licence data, driving is allowed.
        return _result(EXPIRY, "R4", Outcome.BLOCK, "card_expired", MUNICIPAL_OFFICE, card_expiry=expiry)
    if expiry <= ctx.today + timedelta(days=CARD_EXPIRY_WARN_DAYS):
        return _result(EXPIRY, "R4", Outcome.WARN, "card_expiring_soon", MUNICIPAL_OFFICE, card_expiry=expiry)
    return _result(EXPIRY, "R4", Outcome.OK, "card_valid", card_expiry=expiry)


def _r28_new_card_pending(ctx: Context) -> CheckResult | None:
    """Licence data is about to be written on a card that expires within weeks: a new card being
    applied for would not carry it over (R28)."""
    facts = _is_mynumber_card(ctx)
    if facts is None or facts.card_expiry is None or not writes_licence_data(ctx.answers):
        return None
    if ctx.today <= facts.card_expiry <= ctx.today + timedelta(days=CARD_EXPIRY_WARN_DAYS):
        return _result(NEW_CARD_PENDING, "R28", Outcome.WARN, "wait_for_new_card", MUNICIPAL_OFFICE)
    return None


def _r6_old_card(ctx: Context) -> CheckResult | None:
    """R6 cannot be read from a card. One visit points to it: re-recording after a new card was
    issued, with a card that already holds licence data, is most likely the old card, which lost
    its effect under the My Number Act when the new one was issued."""
    facts = _is_mynumber_card(ctx)
    if facts is None or ctx.answers.procedure is not Procedure.RE_RECORD or not facts.licence_data_present:
        return None
    return _result(OLD_CARD, "R6", Outcome.BLOCK, "old_card_void", MUNICIPAL_OFFICE)


def _months_before(day: date, months: int) -> date:
    month0 = day.month - 1 - months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):  # the 31st of a shorter month: its last day
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _r8_licence_expiry(ctx: Context) -> CheckResult | None:
    """The plastic IC licence shows its expiry without a PIN (card-facts.md): tell it, and the
    renewal window, since the citizen manages the expiry themselves (R8)."""
    if ctx.facts is None or ctx.facts.legacy_licence_expiry is None:
        return None
    expiry = ctx.facts.legacy_licence_expiry
    window = _months_before(expiry, RENEWAL_WINDOW_MONTHS)
    if expiry < ctx.today:
        return _result(LICENCE_EXPIRY, "R8", Outcome.WARN, "licence_expired", STAFF, licence_expiry=expiry)
    what = "licence_in_renewal_window" if window <= ctx.today else "licence_expiry"
    return _result(LICENCE_EXPIRY, "R8", Outcome.WARN, what, licence_expiry=expiry, renewal_from=window)


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
            return None  # the old card (R6) says it
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
    if tries == 1:
        return _result(SIGN_PASSWORD, "R18", Outcome.WARN, "sign_password_one_try", MUNICIPAL_OFFICE)
    if tries == 2:
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
    Rule(("R19", "R27"), CERT_REISSUED, _r19_cert_after_move),
    Rule(("R3",), ANSWERS_LOST, _r3_lost_card),
    Rule(("R4",), PLASTIC_PATH, _r4_plastic_path),
    Rule(("R13",), RECORD_CHANGE_TOO, _r13_record_change),
    Rule(("R23",), ONESTOP_INFO, _r23_honseki_onestop),
    Rule(("R21", "R22"), SERVICE_INFO, _r21_r22_service_info),
    Rule(("R24",), VIA_INFO, _r24_via_info),
    Rule(("R3", "R5"), KIND, _card_kind),
    Rule(("R8",), LICENCE_EXPIRY, _r8_licence_expiry),
    Rule(("R4",), EXPIRY, _r4_card_expiry),  # with its date (R7)
    Rule(("R28",), NEW_CARD_PENDING, _r28_new_card_pending),
    Rule(("R6",), OLD_CARD, _r6_old_card),
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
