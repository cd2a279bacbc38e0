"""Routing on the shipped Gunma config: counters, reception windows (R15/R26), caps, fees (R14), papers (R10)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain.model import (
    Answers,
    CheckResult,
    HoldingStatus,
    LectureClass,
    LostItem,
    Outcome,
    Procedure,
)
from kiosk.domain.routing import (
    Availability,
    Refusal,
    Route,
    availability,
    bring_list,
    estimate_fee,
    route,
    todays_windows,
)

JST = ZoneInfo("Asia/Tokyo")
THURSDAY_0915 = datetime(2026, 11, 26, 9, 15, tzinfo=JST)
H = HoldingStatus


def at(hour: int, minute: int = 0, day: int = 26) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=JST)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(8, 29), Availability.CLOSED_NOW),
        (at(8, 30), Availability.OPEN),
        (at(9, 59), Availability.OPEN),
        (at(10, 0), Availability.CLOSED_NOW),  # the end of a window is exclusive; 13:00 is still to come
        (at(14, 29), Availability.OPEN),
        (at(14, 30), Availability.CLOSED_TODAY),
        (at(9, 15, day=28), Availability.CLOSED_TODAY),  # a Saturday
    ],
)
def test_r26_myna_service_windows(site_config, moment, expected):
    assert availability(site_config, Procedure.MYNA_SERVICE, moment, {}) is expected


def test_r15_renewal_windows_depend_on_lecture_class(site_config):
    moment = at(8, 45)
    assert availability(site_config, Procedure.RENEWAL, moment, {}, LectureClass.VIOLATION) is Availability.OPEN
    assert availability(site_config, Procedure.RENEWAL, moment, {}, LectureClass.EXCELLENT) is Availability.CLOSED_NOW
    assert availability(site_config, Procedure.RENEWAL, moment, {}) is Availability.OPEN  # some class can come


def test_enquiry_is_always_open(site_config):
    assert availability(site_config, Procedure.ENQUIRY, at(23, 0, day=29), {}) is Availability.OPEN


def test_r15_daily_cap(site_config):
    capped = replace(
        site_config,
        procedures={
            **site_config.procedures,
            Procedure.INTERNATIONAL_PERMIT: replace(
                site_config.procedures[Procedure.INTERNATIONAL_PERMIT], daily_cap=3
            ),
        },
    )
    proc = Procedure.INTERNATIONAL_PERMIT
    assert availability(capped, proc, THURSDAY_0915, {proc: 2}) is Availability.OPEN
    assert availability(capped, proc, THURSDAY_0915, {proc: 3}) is Availability.FULL
    refusal = route(capped, Answers(procedure=proc, current=H.LICENSE_ONLY), (), THURSDAY_0915, {proc: 3})
    assert refusal == Refusal(reason="R15.daily_cap_reached", remedy="another_day")


def test_closed_dates_close_everything_but_enquiry(site_config):
    holiday = replace(site_config, site=replace(site_config.site, closed_dates=(THURSDAY_0915.date(),)))
    assert availability(holiday, Procedure.RENEWAL, THURSDAY_0915, {}) is Availability.CLOSED_TODAY


def test_todays_windows_lists_the_hours(site_config):
    spans = todays_windows(site_config, Procedure.MYNA_SERVICE, THURSDAY_0915)
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in spans] == [
        ("08:30", "10:00"),
        ("13:00", "14:30"),
    ]


def test_service_applications_go_to_counter_13(site_config):
    answers = Answers(procedure=Procedure.MYNA_SERVICE, current=H.MYNA_ONLY)
    result = route(site_config, answers, (), THURSDAY_0915, {})
    assert isinstance(result, Route)
    assert result.counter.number == "13"
    assert result.group.prefix == "M"


def test_a_blocking_check_refuses_with_its_own_reason_and_remedy(site_config):
    block = CheckResult("card.sign_password", Outcome.BLOCK, "R18.sign_password_locked", "municipal_office")
    warn = CheckResult("service.portal_link", Outcome.WARN, "R17.submission_permanent")
    answers = Answers(procedure=Procedure.MYNA_SERVICE, current=H.MYNA_ONLY)
    assert route(site_config, answers, (warn, block), THURSDAY_0915, {}) == Refusal(
        "R18.sign_password_locked", "municipal_office"
    )


def test_route_keeps_the_reasons_worth_telling_the_clerk(site_config):
    ok = CheckResult("card.expiry", Outcome.OK, "R4.card_valid")
    unknown = CheckResult("card.free_area", Outcome.UNKNOWN, "R5.free_area_unknown", "staff")
    answers = Answers(procedure=Procedure.HOLDING_CHANGE, current=H.LICENSE_ONLY, wanted=H.BOTH)
    result = route(site_config, answers, (ok, unknown), THURSDAY_0915, {})
    assert isinstance(result, Route)
    assert result.reasons == ("R5.free_area_unknown",)


@pytest.mark.parametrize(
    ("after", "lecture", "online", "expected_total"),
    [
        (H.MYNA_ONLY, LectureClass.EXCELLENT, True, 2300),  # 2,100 + 200 online
        (H.MYNA_ONLY, LectureClass.EXCELLENT, False, 2600),  # fees.md: confirmed by press
        (H.LICENSE_ONLY, LectureClass.GENERAL, False, 3650),  # 2,850 + 800
        (H.BOTH, LectureClass.VIOLATION, False, None),  # 違反 1,400 is UNCONFIRMED: never shown as a figure
        (H.BOTH, LectureClass.ELDERLY_DONE, False, 2950),
    ],
)
def test_r14_renewal_fee_by_holding_status_after(site_config, after, lecture, online, expected_total):
    answers = Answers(
        procedure=Procedure.RENEWAL,
        current=after,
        wanted=after,
        lecture_class=lecture,
        online_lecture_done=online,
    )
    fee = estimate_fee(site_config, answers)
    assert fee.total_yen == expected_total
    assert all(line.confirmed == (line.yen is not None) for line in fee.lines)


def test_unconfirmed_fee_is_never_a_figure(site_config):
    fee = estimate_fee(site_config, Answers(procedure=Procedure.REISSUE, current=H.LICENSE_ONLY, wanted=H.LICENSE_ONLY))
    assert [line.yen for line in fee.lines] == [None]  # Fukuoka's 2,600 is not Gunma's
    assert fee.total_yen is None


def test_no_fee_information_means_no_lines(site_config):
    assert estimate_fee(site_config, Answers(procedure=Procedure.ENQUIRY)).lines == ()


def _ids(items):
    return [item.id for item in items]


def test_r10_both_cards_holders_bring_both(site_config):
    answers = Answers(procedure=Procedure.RENEWAL, current=H.BOTH, wanted=H.BOTH)
    ids = _ids(bring_list(site_config, answers))
    assert ids[:2] == ["license_card", "myna_card"]
    assert "renewal_notice" in ids


def test_licence_card_only_holders_bring_no_mynumber_card(site_config):
    answers = Answers(procedure=Procedure.RENEWAL, current=H.LICENSE_ONLY, wanted=H.LICENSE_ONLY)
    assert "myna_card" not in _ids(bring_list(site_config, answers))


def test_recording_on_the_card_needs_the_card_even_for_licence_card_holders(site_config):
    answers = Answers(procedure=Procedure.HOLDING_CHANGE, current=H.LICENSE_ONLY, wanted=H.BOTH)
    assert _ids(bring_list(site_config, answers))[:2] == ["license_card", "myna_card"]


def test_a_lost_card_is_not_on_the_bring_list(site_config):
    answers = Answers(procedure=Procedure.REISSUE, current=H.BOTH, lost=LostItem.LICENSE_CARD, wanted=H.BOTH)
    ids = _ids(bring_list(site_config, answers))
    assert "license_card" not in ids
    assert "myna_card" in ids


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (H.LICENSE_ONLY, H.MYNA_ONLY, 1500),  # recording licence data outside renewal (PRESS)
        (H.LICENSE_ONLY, H.BOTH, 1500),
        (H.BOTH, H.MYNA_ONLY, None),  # the same wanted status from another start: no figure found
        (H.MYNA_ONLY, H.BOTH, None),
        (H.MYNA_ONLY, H.LICENSE_ONLY, None),
    ],
)
def test_r14_holding_change_is_priced_by_the_pair_from_to(site_config, current, wanted, expected):
    answers = Answers(procedure=Procedure.HOLDING_CHANGE, current=current, wanted=wanted)
    fee = estimate_fee(site_config, answers)
    assert [line.what for line in fee.lines] == ["fee.procedure"]
    assert fee.total_yen == expected


def test_r14_surrender_has_no_fee_and_the_driving_record_certificate_is_its_own_choice(site_config):
    surrender = estimate_fee(site_config, Answers(procedure=Procedure.SURRENDER, current=H.LICENSE_ONLY))
    assert all(line.yen in (None, 0) for line in surrender.lines)  # never the certificate's 1,100
    record = estimate_fee(site_config, Answers(procedure=Procedure.DRIVING_RECORD, current=H.LICENSE_ONLY))
    assert record.total_yen == 1100
    assert "photo" not in _ids(bring_list(site_config, Answers(procedure=Procedure.SURRENDER, current=H.BOTH)))


def test_r24_renewal_via_estimate_includes_the_renewal_fee(site_config):
    answers = Answers(procedure=Procedure.RENEWAL_VIA, current=H.MYNA_ONLY, lecture_class=LectureClass.EXCELLENT)
    fee = estimate_fee(site_config, answers)
    assert [(line.what, line.yen) for line in fee.lines] == [
        ("fee.procedure", 2100),  # the renewal fee of a マイナ免許証のみ holder
        ("fee.via_extra", None),  # UNCONFIRMED after 2025: ask at the counter
        ("fee.lecture", 500),
    ]
    assert fee.total_yen is None  # a part must be asked, so no total is claimed


def test_r16_counter_and_fee_are_the_site_configs_never_the_codes(site_config):
    answers = Answers(procedure=Procedure.INTERNATIONAL_PERMIT, current=H.LICENSE_ONLY)
    procedures = dict(site_config.procedures)
    procedures[Procedure.INTERNATIONAL_PERMIT] = replace(procedures[Procedure.INTERNATIONAL_PERMIT], counter="c20")
    fees = dict(site_config.fees.procedure)
    fees[Procedure.INTERNATIONAL_PERMIT] = {None: replace(fees[Procedure.INTERNATIONAL_PERMIT][None], yen=9999)}
    other = replace(site_config, procedures=procedures, fees=replace(site_config.fees, procedure=fees))
    result = route(other, answers, (), THURSDAY_0915, {})
    assert isinstance(result, Route)
    assert result.counter.number == "20" and result.fee.total_yen == 9999
