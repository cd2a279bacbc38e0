"""Green, yellow, red and the words staff read; alerts raised, acknowledged and cleared."""

from __future__ import annotations

from drivers.interfaces import Health, HealthState
from kiosk.health.alerts import AlertBoard
from kiosk.health.judge import Light, judge, judge_device, worst
from kiosk.health.model import UNDER_VOLTAGE_NOW, Beat, Role, SystemReadings, tickets_left

NOW = 1_800_000_000.0


def beat(*devices: Health, at: float = NOW, **more: object) -> Beat:
    return Beat("kiosk-1", Role.KIOSK, at, at - 60, "0.1.0", devices=devices, loop_at=at, **more)  # type: ignore[arg-type]


PAPER_END = Health("printer", HealthState.DOWN, "paper end: load a new roll", False)
READER_GONE = Health("card_reader", HealthState.DOWN, "reader unplugged", True)
READY = Health("printer", HealthState.OK, "ready", False)


def test_paper_end_is_red_in_plain_japanese_and_english() -> None:
    finding = judge_device("kiosk-1", PAPER_END)
    assert finding.light is Light.RED
    assert finding.ja == "用紙切れです。ロール紙を交換してください。"
    assert finding.en.startswith("Paper end")


def test_an_unknown_detail_is_shown_as_the_driver_said_it() -> None:
    finding = judge_device("kiosk-1", Health("printer", HealthState.DEGRADED, "smells of toast", False))
    assert finding.light is Light.YELLOW
    assert "smells of toast" in finding.ja


def test_a_kiosk_silent_for_30_s_is_red_and_its_devices_are_not_vouched_for() -> None:
    findings = judge(beat(READY, at=NOW - 31), "kiosk-1", NOW)
    assert [f.part for f in findings] == ["process"]
    assert findings[0].light is Light.RED and "31秒間応答がありません" in findings[0].ja
    assert worst(judge(beat(READY, at=NOW - 29), "kiosk-1", NOW)) is Light.GREEN


def test_a_kiosk_never_heard_from_and_a_stopped_one_are_red() -> None:
    assert judge(None, "kiosk-2", NOW)[0].light is Light.RED
    assert judge(beat(READY, stopped=True), "kiosk-1", NOW)[0].ja == "停止しています。"


def test_a_frozen_screen_loop_is_red_although_the_heartbeat_comes() -> None:
    frozen = Beat("kiosk-1", Role.KIOSK, NOW, NOW - 600, "0.1.0", devices=(READY,), loop_at=NOW - 11)
    assert judge(frozen, "kiosk-1", NOW)[0].light is Light.RED


def test_under_voltage_is_yellow_and_no_readings_are_unknown_never_ok() -> None:
    low = beat(READY, system=SystemReadings(throttled=UNDER_VOLTAGE_NOW | (1 << 16)))
    assert judge(low, "kiosk-1", NOW)[0].light is Light.YELLOW
    assert SystemReadings().flags() == ["unknown"]
    assert SystemReadings(throttled=0).flags() == []
    assert low.system.flags() == ["under_voltage_now", "under_voltage_since_boot"]


def test_a_beat_survives_its_json_round_trip() -> None:
    original = beat(PAPER_END, READER_GONE, paper_left_mm=1234.5, paper_tickets_left=12, out_of_service=True)
    assert Beat.from_json(original.to_json()) == original
    assert "OUT OF SERVICE" in original.summary() and "paper end" in original.summary()


def test_tickets_left_counts_whole_tickets() -> None:
    assert tickets_left(1000.0, 95.0) == 10
    assert tickets_left(None, 95.0) is None


def test_an_alert_sounds_until_acknowledged_and_goes_when_the_problem_does() -> None:
    board = AlertBoard()
    assert board.update(judge(beat(PAPER_END), "kiosk-1", NOW), NOW)
    assert board.sounding and len(board.alerts) == 1
    assert not board.update(judge(beat(PAPER_END), "kiosk-1", NOW + 1), NOW + 1)  # the same problem: no new alert
    alert = board.acknowledge(board.alerts[0].id, "sato", NOW + 2)
    assert alert is not None and alert.acked_by == "sato"
    assert not board.sounding and len(board.alerts) == 1  # silent, still shown while the roll is empty
    assert board.update(judge(beat(READY), "kiosk-1", NOW + 3), NOW + 3)
    assert board.alerts == []
    assert board.acknowledge(999, "sato", NOW) is None
