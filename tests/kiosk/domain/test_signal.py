"""The kiosk's signal tower: red out of service, amber attention, green serving (issue 15 item 5)."""

from __future__ import annotations

import pytest

from kiosk.domain.signal import KioskCondition, Signal, kiosk_signal

WELL = {"can_print": True, "paper_low": False, "reader_gone": False, "staff_called": False, "boards_down": False}


@pytest.mark.parametrize(
    ("changes", "signal", "reason"),
    [
        ({}, Signal.SERVING, None),
        ({"paper_low": True}, Signal.ATTENTION, "paper near end"),
        ({"staff_called": True}, Signal.ATTENTION, "a visitor called staff"),
        ({"boards_down": True}, Signal.ATTENTION, "a number board is offline"),
        ({"can_print": None}, Signal.ATTENTION, "printer not answered yet"),
        ({"can_print": False}, Signal.OUT_OF_SERVICE, "printer cannot print"),
        ({"reader_gone": True, "paper_low": True}, Signal.OUT_OF_SERVICE, "card reader gone"),
    ],
)
def test_signal(changes, signal, reason):
    shown = kiosk_signal(KioskCondition(**{**WELL, **changes}))
    assert shown.signal is signal
    assert (reason in shown.reasons) if reason else shown.reasons == ()
