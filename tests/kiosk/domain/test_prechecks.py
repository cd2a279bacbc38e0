"""The pre-check rule table, one row per rule of rules.md that the kiosk acts on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from drivers.card.profiles import PROFILES
from kiosk.domain.model import (
    Answers,
    CardFacts,
    CardKind,
    CertReissued,
    FreeArea,
    HoldingStatus,
    LectureClass,
    LostItem,
    MovedAnswer,
    Outcome,
    PinTries,
    Procedure,
    ServiceKind,
)
from kiosk.domain.prechecks import (
    RULES,
    involves_myna,
    needs_card,
    on_plastic,
    plastic_path_offer,
    run_prechecks,
    writes_licence_data,
)
from kiosk.messages import has, text

TODAY = date(2026, 11, 26)
H = HoldingStatus

GOOD = PROFILES["licence-present"].facts(TODAY)
FRESH = PROFILES["valid"].facts(TODAY)
PORTAL = Answers(
    procedure=Procedure.MYNA_SERVICE,
    service=ServiceKind.PORTAL_LINK,
    current=H.MYNA_ONLY,
    moved=MovedAnswer.NO,
)
RENEW_BOTH = Answers(
    procedure=Procedure.RENEWAL,
    current=H.BOTH,
    wanted=H.BOTH,
    lecture_class=LectureClass.GENERAL,
    online_lecture_done=False,
    moved=MovedAnswer.NO,
)
ADD_MYNA = Answers(procedure=Procedure.HOLDING_CHANGE, current=H.LICENSE_ONLY, wanted=H.BOTH, moved=MovedAnswer.NO)


def reasons(answers: Answers, facts: CardFacts | None) -> dict[str, tuple[Outcome, str, str | None]]:
    return {r.reason: (r.outcome, r.check, r.remedy) for r in run_prechecks(answers, facts, TODAY)}


# rule id, case, answers, facts, expected reason code, expected outcome, expected remedy
RULE_ROWS = [
    ("R3", "smartphone", PORTAL, CardFacts(kind=CardKind.SMARTPHONE_JPKI), "R3.smartphone_jpki", Outcome.BLOCK,
     "bring_physical_card"),
    ("R3", "transit card", ADD_MYNA, CardFacts(kind=CardKind.OTHER), "R3.not_a_mynumber_card", Outcome.BLOCK,
     "use_mynumber_card"),
    ("R3", "licence card", ADD_MYNA, CardFacts(kind=CardKind.LEGACY_LICENSE), "R3.licence_card_not_mynumber",
     Outcome.BLOCK, "use_mynumber_card"),
    ("R3", "juki card", ADD_MYNA, CardFacts(kind=CardKind.JUKI_CARD), "R3.juki_card", Outcome.BLOCK,
     "municipal_office"),
    ("R3", "myna holder, no data", replace(PORTAL, procedure=Procedure.RENEWAL, wanted=H.MYNA_ONLY), FRESH,
     "R3.no_licence_data", Outcome.WARN, "staff"),
    ("R3", "re-record on a fresh card", Answers(procedure=Procedure.RE_RECORD, current=H.MYNA_ONLY), FRESH,
     "R3.ready_to_record", Outcome.OK, None),
    ("R3", "lost myna card", Answers(procedure=Procedure.REISSUE, current=H.MYNA_ONLY, lost=LostItem.MYNA_CARD,
     wanted=H.MYNA_ONLY), None, "R3.myna_card_lost", Outcome.BLOCK, "municipal_office"),
    ("R4", "expired card", ADD_MYNA, replace(FRESH, card_expiry=TODAY - timedelta(days=1)), "R4.card_expired",
     Outcome.BLOCK, "municipal_office"),
    ("R4", "expires today is still valid", ADD_MYNA, replace(FRESH, card_expiry=TODAY), "R4.card_expiring_soon",
     Outcome.WARN, "municipal_office"),
    ("R4", "expiry unreadable", ADD_MYNA, replace(FRESH, card_expiry=None), "R4.card_expiry_unknown",
     Outcome.UNKNOWN, "staff"),
    ("R4", "expiry beyond any card's validity is a misread", ADD_MYNA,
     replace(FRESH, card_expiry=TODAY + timedelta(days=12 * 365)), "R4.card_expiry_unknown", Outcome.UNKNOWN, "staff"),
    ("R5", "damaged chip", ADD_MYNA, CardFacts(kind=CardKind.UNREADABLE), "R5.chip_unreadable", Outcome.BLOCK,
     "municipal_office"),
    ("R5", "free area full", ADD_MYNA, replace(FRESH, free_area=FreeArea.INSUFFICIENT),
     "R5.free_area_insufficient", Outcome.BLOCK, "municipal_office"),
    ("R5", "free area not reported", ADD_MYNA, replace(FRESH, free_area=FreeArea.UNKNOWN), "R5.free_area_unknown",
     Outcome.UNKNOWN, "staff"),
    ("R11", "moved, card not updated", replace(ADD_MYNA, moved=MovedAnswer.YES_CARD_NOT_UPDATED), FRESH,
     "R11.card_not_updated", Outcome.BLOCK, "municipal_office"),
    ("R17", "portal link is permanent", PORTAL, GOOD, "R17.submission_permanent", Outcome.WARN, None),
    ("R17", "services need a myna licence", replace(PORTAL, current=H.LICENSE_ONLY), GOOD,
     "R17.service_needs_myna_licence", Outcome.BLOCK, "staff"),
    ("R18", "signature password locked", PORTAL, replace(GOOD, pin_tries=PinTries(3, 0, 3)),
     "R18.sign_password_locked", Outcome.BLOCK, "municipal_office"),
    ("R18", "signature password nearly locked", PORTAL, replace(GOOD, pin_tries=PinTries(3, 2, 3)),
     "R18.sign_password_few_tries", Outcome.WARN, "municipal_office"),
    ("R18", "signature tries not reported", PORTAL, replace(GOOD, pin_tries=PinTries(3, None, 3)),
     "R18.sign_password_unknown", Outcome.UNKNOWN, "staff"),
    ("R18", "user PIN locked", PORTAL, replace(GOOD, pin_tries=PinTries(0, 5, 3)), "R18.user_pin_locked",
     Outcome.WARN, "municipal_office"),
    ("R18", "user PIN one try", PORTAL, replace(GOOD, pin_tries=PinTries(1, 5, 3)), "R18.user_pin_one_try",
     Outcome.WARN, "municipal_office"),
    ("R19", "certificate expired", PORTAL, replace(GOOD, auth_cert_not_after=TODAY - timedelta(days=1)),
     "R19.cert_expired", Outcome.BLOCK, "municipal_office"),
    ("R19", "certificate expires in 30 days", PORTAL, replace(GOOD, auth_cert_not_after=TODAY + timedelta(days=30)),
     "R19.cert_expiring_soon", Outcome.WARN, "municipal_office"),
    ("R19", "certificate does not chain", PORTAL, replace(GOOD, auth_cert_chain_ok=False), "R19.cert_unverified",
     Outcome.UNKNOWN, "staff"),
    ("R19", "certificate unreadable", PORTAL, replace(GOOD, auth_cert_not_after=None), "R19.cert_unknown",
     Outcome.UNKNOWN, "staff"),
    ("R21", "one-stop for 2枚持ち", replace(PORTAL, service=ServiceKind.ADDRESS_ONESTOP, current=H.BOTH), GOOD,
     "R21.onestop_myna_only", Outcome.BLOCK, "staff"),
    ("R22", "online lecture by a violation-class driver", Answers(procedure=Procedure.RENEWAL, current=H.BOTH,
     wanted=H.BOTH, lecture_class=LectureClass.VIOLATION, online_lecture_done=True), GOOD,
     "R22.online_lecture_not_valid", Outcome.WARN, "staff"),
    ("R24", "renewal via another prefecture, violation class", Answers(procedure=Procedure.RENEWAL_VIA,
     current=H.LICENSE_ONLY, lecture_class=LectureClass.VIOLATION), None, "R24.via_class_not_eligible",
     Outcome.BLOCK, "staff"),
    ("R27", "no signature certificate", PORTAL, replace(GOOD, signature_cert_present=False), "R27.no_sign_cert",
     Outcome.BLOCK, "municipal_office"),
    ("R18", "signature password one try", PORTAL, replace(GOOD, pin_tries=PinTries(3, 1, 3)),
     "R18.sign_password_one_try", Outcome.WARN, "municipal_office"),
    ("R4", "on the plastic card today", replace(RENEW_BOTH, plastic_path=True), None, "R4.plastic_path_today",
     Outcome.WARN, "municipal_office"),
    ("R6", "an old card brought to re-record", Answers(procedure=Procedure.RE_RECORD, current=H.MYNA_ONLY,
     moved=MovedAnswer.NO), GOOD, "R6.old_card_void", Outcome.BLOCK, "municipal_office"),
    ("R8", "plastic IC licence shows its expiry", ADD_MYNA, CardFacts(kind=CardKind.LEGACY_LICENSE,
     legacy_licence_expiry=TODAY + timedelta(days=400)), "R8.licence_expiry", Outcome.WARN, None),
    ("R8", "plastic IC licence in its renewal window", ADD_MYNA, CardFacts(kind=CardKind.LEGACY_LICENSE,
     legacy_licence_expiry=TODAY + timedelta(days=20)), "R8.licence_in_renewal_window", Outcome.WARN, None),
    ("R8", "plastic IC licence expired", ADD_MYNA, CardFacts(kind=CardKind.LEGACY_LICENSE,
     legacy_licence_expiry=TODAY - timedelta(days=1)), "R8.licence_expired", Outcome.WARN, "staff"),
    ("R13", "moved and updated the card: notify the licence too", replace(RENEW_BOTH,
     moved=MovedAnswer.YES_CARD_UPDATED), GOOD, "R13.record_change_needed", Outcome.WARN, "staff"),
    ("R13", "one-stop users need not notify", Answers(procedure=Procedure.RECORD_CHANGE, current=H.MYNA_ONLY,
     moved=MovedAnswer.NO), GOOD, "R13.onestop_users_need_not", Outcome.WARN, "staff"),
    ("R19", "moved, certificates not reissued", replace(PORTAL, moved=MovedAnswer.YES_CARD_UPDATED,
     cert_reissued=CertReissued.NO), GOOD, "R19.cert_not_reissued_after_move", Outcome.BLOCK, "municipal_office"),
    ("R27", "moved, not sure the signature certificate was reissued", replace(PORTAL,
     moved=MovedAnswer.YES_CARD_UPDATED, cert_reissued=CertReissued.NOT_SURE), GOOD, "R27.cert_reissue_unknown",
     Outcome.UNKNOWN, "staff"),
    ("R21", "one-stop conditions told", replace(PORTAL, service=ServiceKind.ADDRESS_ONESTOP), GOOD,
     "R21.onestop_conditions", Outcome.WARN, None),
    ("R22", "online lecture is optional and not faster", replace(PORTAL, service=ServiceKind.ONLINE_LECTURE,
     current=H.BOTH), GOOD, "R22.online_lecture_optional", Outcome.WARN, None),
    ("R23", "本籍 one-stop in the portal", Answers(procedure=Procedure.RECORD_CHANGE, current=H.BOTH,
     moved=MovedAnswer.NO), GOOD, "R23.honseki_in_portal", Outcome.WARN, None),
    ("R24", "via renewal, licence card only: by the birthday, posted later", Answers(
     procedure=Procedure.RENEWAL_VIA, current=H.LICENSE_ONLY, lecture_class=LectureClass.GENERAL), None,
     "R24.via_until_birthday_card_posted", Outcome.WARN, None),
    ("R24", "via renewal, Myna only: until expiry, recorded today", Answers(procedure=Procedure.RENEWAL_VIA,
     current=H.MYNA_ONLY, lecture_class=LectureClass.EXCELLENT, moved=MovedAnswer.NO), GOOD,
     "R24.via_until_expiry_recorded_today", Outcome.WARN, None),
    ("R24", "via renewal, both: recorded today, card posted", Answers(procedure=Procedure.RENEWAL_VIA,
     current=H.BOTH, lecture_class=LectureClass.EXCELLENT, moved=MovedAnswer.NO), GOOD,
     "R24.via_until_expiry_card_posted", Outcome.WARN, None),
    ("R28", "recording on a card about to expire", ADD_MYNA, replace(FRESH, card_expiry=TODAY + timedelta(days=10)),
     "R28.wait_for_new_card", Outcome.WARN, "municipal_office"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "case", "answers", "facts", "reason", "outcome", "remedy"),
    RULE_ROWS,
    ids=[f"{row[0]}-{row[1]}" for row in RULE_ROWS],
)
def test_rule_table(rule, case, answers, facts, reason, outcome, remedy):
    found = reasons(answers, facts)
    assert reason in found, f"{reason} not among {sorted(found)}"
    assert reason.startswith(f"{rule}.")
    assert found[reason][0] is outcome
    assert found[reason][2] == remedy


def test_every_reason_and_remedy_has_words_in_the_catalog():
    for row in RULE_ROWS:
        for result in run_prechecks(row[2], row[3], TODAY):
            assert has(f"reason.{result.reason}"), result.reason
            assert has(f"check.{result.check}"), result.check
            if result.remedy:
                assert has(f"remedy.{result.remedy}"), result.remedy


def test_rows_cover_every_rule_the_table_decides():
    decided = {rule for row in RULES for rule in row.rules}
    tested = {row[0] for row in RULE_ROWS}
    assert decided <= tested, f"rules without a test row: {sorted(decided - tested)}"


def test_healthy_portal_link_has_only_ok_lines_besides_the_permanence_warning():
    results = run_prechecks(PORTAL, GOOD, TODAY)
    not_ok = {r.reason for r in results if r.outcome is not Outcome.OK}
    assert not_ok == {"R17.submission_permanent"}


def test_a_card_that_is_not_a_mynumber_card_gives_no_verdict_on_dates_or_pins():
    results = run_prechecks(PORTAL, CardFacts(kind=CardKind.SMARTPHONE_JPKI), TODAY)
    assert [r.check for r in results if r.check.startswith("card.")] == ["card.kind"]


def test_missing_facts_are_unknown_never_ok():
    bare = CardFacts(kind=CardKind.MYNUMBER_CARD)
    results = run_prechecks(PORTAL, bare, TODAY)
    card_lines = [r for r in results if r.check.startswith("card.") and r.check != "card.kind"]
    assert card_lines, "a bare My Number card still produces card lines"
    assert all(r.outcome is Outcome.UNKNOWN for r in card_lines), card_lines


def test_licence_card_only_renewal_needs_no_card():
    answers = Answers(procedure=Procedure.RENEWAL, current=H.LICENSE_ONLY, wanted=H.LICENSE_ONLY)
    assert not needs_card(answers)
    assert not involves_myna(answers)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (Answers(procedure=Procedure.RENEWAL, current=H.LICENSE_ONLY, wanted=H.BOTH), True),
        (Answers(procedure=Procedure.RE_RECORD, current=H.MYNA_ONLY), True),
        (Answers(procedure=Procedure.MYNA_SERVICE, current=H.MYNA_ONLY), True),
        (Answers(procedure=Procedure.ENQUIRY), False),
        (Answers(procedure=Procedure.REISSUE, current=H.MYNA_ONLY, lost=LostItem.MYNA_CARD), False),
        (Answers(procedure=Procedure.INTERNATIONAL_PERMIT, current=H.BOTH), True),
    ],
)
def test_needs_card(answers, expected):
    assert needs_card(answers) is expected


def test_r5_free_area_matters_only_when_licence_data_is_written():
    assert writes_licence_data(ADD_MYNA)
    keep = Answers(procedure=Procedure.RENEWAL, current=H.MYNA_ONLY, wanted=H.MYNA_ONLY)
    assert not writes_licence_data(keep)
    full = replace(GOOD, free_area=FreeArea.INSUFFICIENT)
    assert "R5.free_area_insufficient" not in reasons(keep, full)


def test_r7_card_and_licence_expiry_are_separate_and_the_card_date_is_shown():
    expired = replace(GOOD, card_expiry=TODAY - timedelta(days=3))
    line = next(r for r in run_prechecks(RENEW_BOTH, expired, TODAY) if r.reason == "R4.card_expired")
    assert dict(line.dates) == {"card_expiry": (TODAY - timedelta(days=3)).isoformat()}
    words = text("reason.R4.card_expired", "ja")
    assert "運転はできます" in words and "別" in words  # driving stays allowed: the two expiries differ
    valid = next(r for r in run_prechecks(RENEW_BOTH, GOOD, TODAY) if r.check == "card.expiry")
    assert dict(valid.dates)["card_expiry"] == GOOD.card_expiry.isoformat()


def test_r8_renewal_window_starts_two_months_before_the_expiry():
    facts = CardFacts(kind=CardKind.LEGACY_LICENSE, legacy_licence_expiry=date(2027, 3, 31))
    line = next(r for r in run_prechecks(ADD_MYNA, facts, TODAY) if r.rule == "R8")
    assert dict(line.dates) == {"licence_expiry": "2027-03-31", "renewal_from": "2027-01-31"}
    facts = CardFacts(kind=CardKind.LEGACY_LICENSE, legacy_licence_expiry=date(2027, 4, 30))
    line = next(r for r in run_prechecks(ADD_MYNA, facts, TODAY) if r.rule == "R8")
    assert dict(line.dates)["renewal_from"] == "2027-02-28"  # no 30 February: its last day


@pytest.mark.parametrize(
    ("answers", "facts", "offered"),
    [
        (RENEW_BOTH, replace(GOOD, card_expiry=TODAY - timedelta(days=1)), True),  # 2枚持ち: the plastic card
        (replace(RENEW_BOTH, current=H.MYNA_ONLY, wanted=H.MYNA_ONLY), replace(GOOD, card_expiry=TODAY - timedelta(
            days=1)), False),  # nothing plastic to fall back on
        (replace(ADD_MYNA, wanted=H.BOTH), replace(FRESH, card_expiry=TODAY - timedelta(days=1)), False),
        (Answers(procedure=Procedure.REISSUE, current=H.MYNA_ONLY, lost=LostItem.MYNA_CARD, wanted=H.MYNA_ONLY),
         None, True),  # a plastic licence can be issued today
        (replace(RENEW_BOTH, moved=MovedAnswer.YES_CARD_NOT_UPDATED), replace(GOOD, card_expiry=TODAY - timedelta(
            days=1)), False),  # another block: the plastic card would not help
    ],
)  # fmt: skip
def test_r4_an_unusable_card_offers_the_plastic_path_where_there_is_one(answers, facts, offered):
    checks = run_prechecks(answers, facts, TODAY)
    assert plastic_path_offer(answers, checks) is offered
    if offered:
        after = on_plastic(answers)
        assert not needs_card(after)
        assert all(c.outcome is not Outcome.BLOCK for c in run_prechecks(after, None, TODAY))


def test_r6_a_void_card_is_never_decided_from_an_ordinary_read():
    for name in ("licence-present", "valid"):
        facts = PROFILES[name].facts(TODAY)
        assert not [r for r in run_prechecks(ADD_MYNA, facts, TODAY) if r.rule == "R6"]


def test_r11_a_card_not_updated_after_a_move_sends_to_the_municipal_office_first():
    moved = replace(ADD_MYNA, moved=MovedAnswer.YES_CARD_NOT_UPDATED)
    found = reasons(moved, FRESH)["R11.card_not_updated"]
    assert found == (Outcome.BLOCK, "answers.card_up_to_date", "municipal_office")
    plastic = Answers(procedure=Procedure.RENEWAL, current=H.LICENSE_ONLY, wanted=H.LICENSE_ONLY)
    assert not [r for r in run_prechecks(plastic, None, TODAY) if r.rule == "R11"]  # no card, no question


def test_r13_a_move_is_notified_to_the_licence_too_unless_the_one_stop_service_does_it():
    moved = replace(RENEW_BOTH, moved=MovedAnswer.YES_CARD_UPDATED)
    assert "R13.record_change_needed" in reasons(moved, GOOD)
    assert "ワンストップ" in text("reason.R13.record_change_needed", "ja")
    assert "R13.record_change_needed" not in reasons(RENEW_BOTH, GOOD)  # nothing moved


def test_r17_portal_link_warns_that_submission_is_permanent_and_needs_the_password():
    assert reasons(PORTAL, GOOD)["R17.submission_permanent"][0] is Outcome.WARN
    assert "取り消せません" in text("reason.R17.submission_permanent", "ja")


def test_r21_one_stop_is_for_myna_only_holders_and_says_its_conditions():
    onestop = replace(PORTAL, service=ServiceKind.ADDRESS_ONESTOP)
    assert "R21.onestop_conditions" in reasons(onestop, GOOD)
    words = text("reason.R21.onestop_conditions", "ja")
    assert "同意" in words and "失効" in words  # consent step; stops when the certificate lapses
    assert reasons(replace(onestop, current=H.BOTH), GOOD)["R21.onestop_myna_only"][0] is Outcome.BLOCK


def test_r22_online_lecture_is_optional_and_not_faster():
    lecture = replace(PORTAL, service=ServiceKind.ONLINE_LECTURE)
    assert "R22.online_lecture_optional" in reasons(lecture, GOOD)
    words = text("reason.R22.online_lecture_optional", "ja")
    assert "任意" in words and "早く終わる制度ではなく" in words and "窓口で更新手続" in words


def test_r23_honseki_change_is_information_with_no_counter_needed():
    change = Answers(procedure=Procedure.RECORD_CHANGE, current=H.MYNA_ONLY, moved=MovedAnswer.NO)
    assert reasons(change, GOOD)["R23.honseki_in_portal"] == (Outcome.WARN, "info.onestop", None)
    assert "窓口は不要" in text("reason.R23.honseki_in_portal", "ja")
    plastic = Answers(procedure=Procedure.RECORD_CHANGE, current=H.LICENSE_ONLY)
    assert "R23.honseki_in_portal" not in reasons(plastic, None)  # needs the portal link, so a マイナ免許証


def test_r27_no_signature_certificate_or_a_move_sends_to_the_municipal_office():
    assert reasons(PORTAL, replace(GOOD, signature_cert_present=False))["R27.no_sign_cert"][2] == "municipal_office"
    moved = replace(PORTAL, moved=MovedAnswer.YES_CARD_UPDATED, cert_reissued=CertReissued.YES)
    assert reasons(moved, GOOD)["R27.cert_reissued_after_move"][0] is Outcome.OK


def test_r28_a_card_about_to_expire_is_told_the_data_is_not_carried_over():
    soon = replace(FRESH, card_expiry=TODAY + timedelta(days=10))
    assert "R28.wait_for_new_card" in reasons(ADD_MYNA, soon)
    assert "引き継がれません" in text("reason.R28.wait_for_new_card", "ja")
    keep = Answers(procedure=Procedure.RENEWAL, current=H.MYNA_ONLY, wanted=H.MYNA_ONLY)
    assert "R28.wait_for_new_card" not in reasons(keep, replace(GOOD, card_expiry=TODAY + timedelta(days=10)))
