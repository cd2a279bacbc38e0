"""The software roll counter: paper used by tickets, kept across restarts, reset by a new roll."""

from __future__ import annotations

import logging

from drivers.printer.roll import CUT_FEED_MM, DOTS_PER_MM, RollCounter


def test_each_ticket_uses_its_length_and_the_cut_feed(tmp_path):
    roll = RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200)
    roll.add_ticket(800)  # 100 mm of ticket
    assert roll.used_mm == 800 / DOTS_PER_MM + CUT_FEED_MM
    assert roll.left_mm == 1000 - roll.used_mm and not roll.low


def test_the_count_survives_a_restart_and_warns_when_low(tmp_path):
    first = RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200)
    for _ in range(7):
        first.add_ticket(800)  # 7 x 115 mm = 805 mm
    again = RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200)
    assert again.used_mm == first.used_mm and again.low


def test_a_new_roll_starts_from_full(tmp_path):
    roll = RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200)
    roll.add_ticket(8000)
    roll.new_roll()
    assert roll.used_mm == 0 and RollCounter(tmp_path / "roll.json", 1000, 200).used_mm == 0


def test_a_broken_counter_file_is_said_and_counting_starts_again(tmp_path, caplog):
    (tmp_path / "roll.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        roll = RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200)
    assert roll.used_mm == 0
    assert "unreadable" in caplog.text


def test_a_new_roll_set_by_staff_is_not_undone_by_the_running_kiosk(tmp_path):
    kiosk = RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200)
    kiosk.add_ticket(800)  # 100 mm of print
    RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200).new_roll()  # `kiosk new-roll`
    kiosk.add_ticket(800)
    assert kiosk.used_mm == 800 / DOTS_PER_MM + CUT_FEED_MM  # one ticket on the new roll, not two


def test_a_counter_file_saying_nan_or_negative_is_unreadable_so_the_low_warning_stays_on(tmp_path, caplog):
    for bad in ("NaN", "Infinity", "-5"):
        (tmp_path / "roll.json").write_text(f'{{"used_mm": {bad}}}', encoding="utf-8")
        with caplog.at_level(logging.ERROR):
            roll = RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200)
        assert roll.used_mm == 0, bad
        roll.add_ticket(8 * 900)  # 900 mm of print on a 1000 mm roll
        assert roll.low, bad
    assert "unreadable" in caplog.text


def test_a_new_roll_that_cannot_be_written_says_so(tmp_path):
    (tmp_path / "data").write_text("a file where the data folder should be", encoding="utf-8")
    roll = RollCounter(tmp_path / "data" / "roll.json", length_mm=1000, low_mm=200)
    assert roll.new_roll() is False
    assert RollCounter(tmp_path / "roll.json", length_mm=1000, low_mm=200).new_roll() is True
