"""A counter's buttons on gpiozero's mock pins: pressed and released as a clerk's finger would."""

from __future__ import annotations

import time

import pytest

from drivers.gpio.buttons import ButtonAction, CounterButtons
from drivers.gpio.mock_pins import mock_factory
from drivers.gpio.settings import ButtonPins


@pytest.fixture
def wired():
    factory = mock_factory()
    actions: list[tuple[str, ButtonAction]] = []
    buttons = CounterButtons(ButtonPins("c13", 5, 6, hold_s=0.2), factory, lambda c, a: actions.append((c, a)))
    yield factory, buttons, actions
    buttons.close()
    factory.close()


def wait_for(condition, timeout_s: float = 2.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.005)


def test_a_short_press_calls_the_next_number_on_release(wired):
    factory, buttons, actions = wired
    factory.pin(5).drive_low()
    time.sleep(0.05)
    assert actions == []  # not yet: it might become a long press
    factory.pin(5).drive_high()
    wait_for(lambda: actions == [("c13", ButtonAction.CALL_NEXT)])
    assert "call-next" in buttons.health().detail


def test_a_long_press_recalls_and_its_release_calls_nobody(wired):
    factory, _buttons, actions = wired
    factory.pin(5).drive_low()
    wait_for(lambda: actions == [("c13", ButtonAction.RECALL)])
    factory.pin(5).drive_high()
    time.sleep(0.1)
    assert actions == [("c13", ButtonAction.RECALL)]


def test_the_no_show_button_marks_no_show_when_pressed(wired):
    factory, _buttons, actions = wired
    factory.pin(6).drive_low()
    wait_for(lambda: actions == [("c13", ButtonAction.NO_SHOW)])
    factory.pin(6).drive_high()
