"""Every shipped scenario, run headless through the real flow, shell, store, screens and simulated devices.

The expectations live here, not in the scenarios: a scenario cannot pass by describing itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.demo.runner import run_scenario
from kiosk.demo.scenarios import SCENARIOS

REPO = Path(__file__).resolve().parents[2]

# scenario -> (counter of the ticket or None, refusal reason code or None)
EXPECTED: dict[str, tuple[str | None, str | None]] = {
    "renewal-license-only": ("1", None),
    "renewal-myna-valid": ("1", None),
    "renewal-online-lecture": ("1", None),
    "renewal-via-violation": (None, "R24.via_class_not_eligible"),
    "service-registration-ok": ("13", None),
    "service-registration-sign-locked": (None, "R18.sign_password_locked"),
    "service-user-pin-one-try": ("13", None),
    "service-cert-expired": (None, "R19.cert_expired"),
    "service-no-sign-cert": (None, "R27.no_sign_cert"),
    "service-onestop-not-eligible": (None, "R21.onestop_myna_only"),
    "holding-change-ok": ("12", None),
    "holding-change-card-expired": (None, "R4.card_expired"),
    "holding-change-free-area-unknown": ("12", None),
    "holding-change-card-not-updated": (None, "R11.card_not_updated"),
    "re-record-new-card": ("12", None),
    "reissue-lost-myna": (None, "R3.myna_card_lost"),
    "reissue-lost-licence-card": ("6", None),
    "not-a-mynumber-card": (None, "R3.not_a_mynumber_card"),
    "legacy-licence-card": (None, "R3.licence_card_not_mynumber"),
    "smartphone-jpki": (None, "R3.smartphone_jpki"),
    "unreadable-chip": (None, "R5.chip_unreadable"),
    "card-pulled-mid-read": ("12", None),
    "counter-closed": (None, "R15.closed_now"),
    "daily-cap-reached": (None, "R15.daily_cap_reached"),
    "enquiry": ("20", None),
    "renewal-told-the-wait": ("1", None),
    "idle-timeout": (None, None),
    "renewal-card-expired-two-cards": ("1", "R4.card_expired"),  # blocked on the card, served on the plastic
    "lost-myna-only": ("6", "R3.myna_card_lost"),
    "voided-card": (None, "R6.old_card_void"),
    "service-moved-cert-not-reissued": (None, "R19.cert_not_reissued_after_move"),
    "online-lecture-application": ("13", None),
    "record-change-myna-only": ("5", None),
    "renewal-via-two-cards": ("2", None),
}


@pytest.fixture(scope="module")
def results(site_config, tmp_path_factory):
    out = tmp_path_factory.mktemp("scenarios")
    return {name: (run_scenario(site_config, SCENARIOS[name], out / name), out / name) for name in SCENARIOS}


def test_every_scenario_has_an_expectation():
    assert set(EXPECTED) == set(SCENARIOS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario_outcome(results, name):
    result, folder = results[name]
    counter, refusal = EXPECTED[name]
    assert result["refusal"] == refusal
    if counter is None:
        assert result["ticket"] is None
        assert not (folder / "ticket.png").exists()
    else:
        assert result["ticket"]["counter"] == counter
        assert result["ticket"]["printed"] is True
        assert (folder / "ticket.png").stat().st_size > 0
    assert result["final_screen"] == "welcome", "every visit ends back at the welcome screen"
    assert json.loads((folder / "result.json").read_text()) == result
    shots = sorted((folder / "screens").glob("*.png"))
    assert [p.stem for p in shots] == result["screens"]
    assert shots[0].stem == "01-welcome"


def test_sign_locked_names_the_municipal_office(results):
    result, _ = results["service-registration-sign-locked"]
    assert result["refusal_remedy"]["code"] == "municipal_office"
    assert "office" in result["refusal_remedy"]["text"]
    line = next(c for c in result["checks"] if c["reason"] == "R18.sign_password_locked")
    assert line["outcome"] == "block"
    assert "cannot unlock" in line["explanation"]


def test_card_expired_blocks_with_r4_and_explains_driving_is_still_allowed(results):
    result, _ = results["holding-change-card-expired"]
    line = next(c for c in result["checks"] if c["id"] == "card.expiry")
    assert (line["outcome"], line["reason"]) == ("block", "R4.card_expired")
    assert "still drive" in line["explanation"]  # R7


def test_warnings_travel_on_the_ticket_for_the_clerk(results):
    assert "R17.submission_permanent" in results["service-registration-ok"][0]["ticket"]["reasons"]
    assert "R18.user_pin_one_try" in results["service-user-pin-one-try"][0]["ticket"]["reasons"]
    assert "R5.free_area_unknown" in results["holding-change-free-area-unknown"][0]["ticket"]["reasons"]


def test_card_pulled_mid_read_asks_again_before_any_verdict(results):
    screens = results["card-pulled-mid-read"][0]["screens"]
    again = next(i for i, s in enumerate(screens) if s.endswith("card-place_again"))
    verdict = next(i for i, s in enumerate(screens) if s.endswith("verdict"))
    assert again < verdict


def test_idle_timeout_shows_and_then_wipes(results):
    result, _ = results["idle-timeout"]
    assert result["screens"][-1].endswith("welcome")
    assert result["ticket"] is None


def test_checks_of_a_healthy_card_are_all_ok(results):
    result, _ = results["holding-change-ok"]
    assert result["checks"] and all(c["outcome"] == "ok" for c in result["checks"])


@pytest.mark.slow
def test_after_a_busy_morning_the_ticket_says_how_many_are_ahead(results):
    result, _ = results["renewal-told-the-wait"]
    assert result["ticket"]["ahead"] == 6  # ten served, six waiting before this visitor
    # Every other scenario's lobby has called nobody today: no ticket claims a place in line.
    others = [r["ticket"] for name, (r, _) in results.items() if name != "renewal-told-the-wait" and r["ticket"]]
    assert others and all(t["ahead"] is None for t in others)


def test_cli_runs_a_scenario_and_lists_them(tmp_path):
    listed = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--list-scenarios"], cwd=REPO, capture_output=True, text=True
    )
    assert listed.returncode == 0
    assert set(SCENARIOS) <= {line.split()[0] for line in listed.stdout.splitlines()}
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--headless", "--scenario", "counter-closed", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "result.json").read_text())["refusal"] == "R15.closed_now"


def test_cli_unknown_scenario_lists_the_valid_names(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "demo", "--headless", "--scenario", "nope", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "unknown scenario 'nope'" in run.stderr and "counter-closed" in run.stderr


def test_the_ticket_keeps_the_visitors_language_for_the_call(site_config, tmp_path):
    from kiosk.queue.sqlite_calling import SqliteCallingStore

    result = run_scenario(site_config, SCENARIOS["enquiry"], tmp_path / "out", lang="vi", data_dir=tmp_path)
    store = SqliteCallingStore.for_site(site_config, data_dir=tmp_path)
    try:
        issued = [e for e in store.events_after(0) if e.kind.value == "issued"]
    finally:
        store.close()
    assert [(e.label, e.lang) for e in issued] == [(result["ticket"]["number"], "vi")]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_refusal_and_block_prints_a_slip_and_never_takes_a_number(results, name):
    result, folder = results[name]
    refused = result["refusal"] is not None
    assert (folder / "slip.png").exists() is refused
    assert result["slip"] == ("slip.png" if refused else None)
    if refused and result["ticket"] is None:
        assert result["path_forward"]["ask"]


def test_r4_an_expired_card_of_a_two_card_holder_leads_on_to_a_renewal_on_the_plastic_card(results):
    result, _ = results["renewal-card-expired-two-cards"]
    assert result["path_forward"]["offered"] == ["plastic_path"]
    assert result["path_forward"]["taken_to_ticket"] is True
    assert result["ticket"]["procedure"] == "renewal"
    assert result["ticket"]["reasons"] == ["R4.plastic_path_today"]


def test_r3_a_lost_myna_only_card_leads_to_a_plastic_licence_today(results):
    result, _ = results["lost-myna-only"]
    assert result["path_forward"]["offered"] == ["plastic_path"]
    assert result["ticket"]["counter"] == "6"
    assert "R3.myna_card_lost_licence_card_today" in result["ticket"]["reasons"]


def test_r6_a_void_card_is_sent_to_the_municipal_office(results):
    result, _ = results["voided-card"]
    assert result["refusal_remedy"]["code"] == "municipal_office"
    assert "municipal office" in result["path_forward"]["ask"]


def test_the_sign_locked_slip_says_what_to_ask_for_where(results):
    result, folder = results["service-registration-sign-locked"]
    ask = result["path_forward"]["ask"]
    assert "reset" in ask and "署名用電子証明書のパスワードの初期化" in ask
    assert (folder / "slip.png").stat().st_size > 0
