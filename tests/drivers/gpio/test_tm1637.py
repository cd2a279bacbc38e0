"""The TM1637 display driver on gpiozero's mock pins, read back by a chip emulator that decodes the
waveform (start, bits on CLK's rising edge, ACK clocks, stop): what is checked is what the module
would light, never what the driver meant to send."""

from __future__ import annotations

import pytest

from drivers.gpio.mock_pins import mock_factory
from drivers.gpio.tm1637 import Tm1637Display
from drivers.gpio.tm1637_chip import Tm1637Chip
from drivers.gpio.tm1637_codec import counter_text, segments, transactions
from drivers.interfaces import HealthState


@pytest.fixture
def pins():
    factory = mock_factory()
    yield factory.pin(23), factory.pin(24)
    factory.close()


@pytest.mark.parametrize(
    ("label", "shown"),
    [("M-012", " 012"), ("R-1234", "1234"), ("G-12345", "2345"), ("M-7", "   7"), (None, "    "), ("ABC", "----")],
)
def test_a_counter_display_shows_the_number_right_aligned_without_the_prefix(label, shown):
    assert counter_text(label) == shown


def test_the_segment_bytes_are_the_datasheet_digits():
    assert segments("0123").hex(" ") == "3f 06 5b 4f"
    assert segments("-89 ").hex(" ") == "40 7f 6f 00"
    assert transactions(" 012", 7) == [b"\x40", b"\xc0\x00\x3f\x06\x5b", b"\x8f"]
    with pytest.raises(ValueError):
        segments("M012")


def test_the_digits_decoded_from_the_waveform_are_the_label_s_number(pins):
    clk, dio = pins
    chip = Tm1637Chip(clk, dio)
    display = Tm1637Display("display c13", clk, dio, brightness=3, half_period_s=0)
    display.show_label("M-012")
    assert chip.text() == " 012"
    assert chip.on and chip.brightness == 3
    assert chip.transactions == [b"\x40", b"\xc0\x00\x3f\x06\x5b", b"\x8b"]
    assert chip.errors == []
    display.show_label("M-013")
    display.show_label(None)
    assert chip.text() == "    "
    assert display.health().state is HealthState.OK


def test_the_waveform_changes_dio_only_while_clk_is_low_except_for_start_and_stop(pins):
    clk, dio = pins
    Tm1637Chip(clk, dio)
    display = Tm1637Display("display c13", clk, dio, half_period_s=0)
    events: list[tuple[str, bool]] = []
    clk.watchers.append(lambda pin, level: events.append(("clk", level)))
    dio.watchers.append(lambda pin, level: events.append(("dio", level)))
    display.show("1234")
    clk_high = True
    starts = stops = 0
    for name, level in events:
        if name == "clk":
            clk_high = level
        elif clk_high:
            starts += not level
            stops += level
    assert starts == stops == 3  # one start ... stop per transaction, nothing else while CLK is high
    rising_edges = sum(1 for name, level in events if name == "clk" and level)
    assert rising_edges == 9 * (1 + 5 + 1) + 3  # 9 clocks a byte (8 bits + ACK), one more for each stop


def test_a_display_nobody_acks_is_down(pins):
    clk, dio = pins  # no chip on the wires: the pull-up keeps DIO high through every ACK clock
    display = Tm1637Display("display c12", clk, dio, half_period_s=0)
    display.show_label("M-001")
    health = display.health()
    assert health.state is HealthState.DOWN and "no ACK" in health.detail
    assert display.shown is None
