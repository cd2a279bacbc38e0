"""Card reads on a worker thread: the caller never waits, failures become events, late answers are dropped."""

from __future__ import annotations

import threading
from datetime import date

from drivers.card.sim import SimCardReader
from drivers.interfaces import CardPresence, Health, HealthState
from kiosk.domain.flow import CardFailed, CardProblem, CardRead
from kiosk.domain.model import CardFacts, CardKind
from kiosk.shell.card_reads import CardReads


class GatedReader:
    """A reader whose reads finish only when the test lets them (the PC/SC read of a slow chip)."""

    def __init__(self) -> None:
        self.gates: list[threading.Event] = []
        self.kinds = [CardKind.JUKI_CARD, CardKind.MYNUMBER_CARD]

    def poll(self) -> CardPresence:
        return CardPresence.PRESENT

    def read_facts(self) -> CardFacts:
        gate = threading.Event()
        kind = self.kinds[len(self.gates)]
        self.gates.append(gate)
        gate.wait(5)
        return CardFacts(kind=kind)

    def health(self) -> Health:
        return Health("card_reader", HealthState.OK, "gated", simulated=True)

    def close(self) -> None:
        pass


def test_a_read_answers_later_with_the_facts() -> None:
    reader = SimCardReader(today=lambda: date(2026, 11, 26))
    reader.place("sign-locked")
    reads = CardReads(reader)

    reads.start()
    answer = reads.wait(5)

    assert isinstance(answer, CardRead) and answer.facts.pin_tries.signature == 0
    assert reads.take() is None  # delivered once


def test_a_card_pulled_mid_read_answers_removed() -> None:
    reader = SimCardReader(today=lambda: date(2026, 11, 26))
    reader.place("valid")
    reader.pull_during_next_read()
    reads = CardReads(reader)

    reads.start()

    assert reads.wait(5) == CardFailed(CardProblem.REMOVED)


def test_starting_a_read_does_not_wait_for_the_card_and_a_late_answer_is_dropped() -> None:
    reader = GatedReader()
    reads = CardReads(reader)

    reads.start()  # returns at once although the read is still waiting on the chip
    assert reads.take() is None
    reads.start()  # the card was placed again: a newer read
    while len(reader.gates) < 2:
        threading.Event().wait(0.01)
    reader.gates[0].set()  # the first read finishes late
    threading.Event().wait(0.05)
    assert reads.take() is None
    reader.gates[1].set()

    answer = reads.wait(5)
    assert isinstance(answer, CardRead) and answer.facts.kind is CardKind.MYNUMBER_CARD
