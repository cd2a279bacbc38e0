"""A simulated queue-number display that records every frame it was asked to show.

Stands in for the serial number board (a pty-backed simulator speaking the board's protocol
comes with the serial driver). Tests and the demo read `shown`.
"""

from __future__ import annotations

from drivers.interfaces import DisplayFrame, Health, HealthState


class SimQueueDisplay:
    def __init__(self) -> None:
        self.shown: list[DisplayFrame] = []

    def show(self, frame: DisplayFrame) -> None:
        self.shown.append(frame)

    def health(self) -> Health:
        return Health("queue_display", HealthState.OK, "simulated display", simulated=True)

    def close(self) -> None:
        pass
