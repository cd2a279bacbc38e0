"""End to end through the real PC/SC stack: pyscard -> libpcsclite -> pcscd -> vpcd -> the card emulator.

The suite starts its own pcscd (`PrivatePcscd`: its own reader.conf folder, its own vpcd port) and
stops it by PID; no system service is assumed. Every test checks the emulator's log of received
commands against card-facts.md's allowlist, written out independently in the tests.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from smartcard import scard
from smartcard.CardConnectionDecorator import CardConnectionDecorator
from smartcard.Exceptions import CardConnectionException
from smartcard.pcsc.PCSCReader import PCSCReader

from drivers.card.emulator.pcscd import PrivatePcscd, VpcdEndpoint
from drivers.card.emulator.vpcd import VirtualCard
from drivers.card.pcsc import PcscCardReader, wait_for
from drivers.card.profiles import PROFILES
from drivers.card.settings import ReaderConfig
from drivers.interfaces import CardPresence, HealthState
from kiosk.domain.model import CardKind
from kiosk.errors import CardRemoved, ReaderUnavailable
from tests.drivers.card.card_facts_allowlist import outside_allowlist
from tests.drivers.card.fake_pyscard import is_extended

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NO_ANSWER = {"unreadable", "chip-garbage"}


def eventually(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Rig:
    def __init__(self) -> None:
        self.endpoint = VpcdEndpoint()  # our own pcscd, or a system one already running
        self.card = VirtualCard(self.endpoint.port)
        self.reader = PcscCardReader(ReaderConfig(name_match=self.endpoint.reader_name, poll_interval_ms=100))

    @property
    def pcscd(self) -> PrivatePcscd:
        if self.endpoint.pcscd is None:
            pytest.skip("a system pcscd is running: stop it (systemctl stop pcscd.socket pcscd) to restart our own")
        return self.endpoint.pcscd

    def place(self, name: str) -> None:
        if self.reader.presence is CardPresence.PRESENT:
            self.remove()  # pcscd must see the old card go, or the new one is no new card to it
        self.card.place(name)
        assert wait_for(self.reader, CardPresence.PRESENT), f"pcscd did not see card {name}"

    def remove(self) -> None:
        self.card.remove()
        assert wait_for(self.reader, CardPresence.ABSENT)

    def close(self) -> None:
        self.reader.close()
        self.card.close()
        self.endpoint.close()


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    rig = Rig()
    yield rig
    rig.close()


@pytest.fixture(autouse=True)
def no_card_left(rig: Rig) -> Iterator[None]:
    yield
    rig.card.remove()
    wait_for(rig.reader, CardPresence.ABSENT)
    rig.card.received.clear()


def test_every_profile_reads_through_pcscd_as_its_facts_and_only_allowed_commands_reach_the_card(rig: Rig) -> None:
    today = date.today()
    wrong = {}
    for name, profile in PROFILES.items():
        rig.place(name)
        facts = rig.reader.read_facts()
        expected = CardKind.UNREADABLE if name in NO_ANSWER else None
        if (expected is not None and facts.kind is not expected) or (
            expected is None and facts != profile.facts(today)
        ):
            wrong[name] = facts
        rig.remove()

    assert wrong == {}
    assert outside_allowlist(rig.card.received) == []
    assert {r.profile for r in rig.card.received} >= set(PROFILES) - {"unknown-card"}  # FeliCa: no APDU at all


def test_card_pulled_in_the_middle_of_a_command_is_card_removed_never_a_verdict(rig: Rig) -> None:
    rig.place("valid")
    rig.card.pull_during_next_read()

    with pytest.raises(CardRemoved):
        rig.reader.read_facts()
    assert wait_for(rig.reader, CardPresence.ABSENT)
    rig.place("valid")
    assert rig.reader.read_facts().kind is CardKind.MYNUMBER_CARD
    assert outside_allowlist(rig.card.received) == []


def test_reader_survives_a_pcscd_restart(rig: Rig) -> None:
    pcscd = rig.pcscd
    rig.place("sign-locked")
    assert rig.reader.read_facts().pin_tries.signature == 0

    pcscd.stop()
    assert wait_for(rig.reader, CardPresence.READER_GONE)
    assert rig.reader.health().state is HealthState.DOWN
    assert "pcscd not reachable" in rig.reader.health().detail
    pcscd.start()

    assert wait_for(rig.reader, CardPresence.PRESENT), rig.reader.health()
    assert rig.reader.read_facts().pin_tries.signature == 0
    assert rig.reader.health().state is HealthState.OK


def test_reader_unplugged_and_plugged_back(rig: Rig) -> None:
    pcscd = rig.pcscd
    rig.place("licence-present")
    pcscd.restart(with_reader=False)  # pcscd up, the reader gone from its list

    assert eventually(lambda: "no card reader" in rig.reader.health().detail), rig.reader.health()
    assert rig.reader.poll() is CardPresence.READER_GONE
    with pytest.raises(ReaderUnavailable):
        rig.reader.read_facts()

    pcscd.restart(with_reader=True)
    assert wait_for(rig.reader, CardPresence.PRESENT)
    assert rig.reader.read_facts().licence_data_present is True


def test_card_sim_and_card_probe_commands_work_with_any_pcsc_client(rig: Rig) -> None:
    command = [sys.executable, "-m", "kiosk"]
    sim = subprocess.Popen(
        [*command, "card-sim", "--profile", "user-pin-one-try", "--port", str(rig.endpoint.port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        probe = subprocess.run(
            [*command, "card-probe", "--json", "--reader", rig.endpoint.reader_name],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        sim.send_signal(signal.SIGINT)  # Ctrl-C
        printed, _ = sim.communicate(timeout=10)

    assert probe.returncode == 0, probe.stderr
    report = json.loads(probe.stdout)
    assert report["kind"] == "mynumber_card"
    assert report["pin_tries"] == {"user_auth": 1, "signature": 5, "input_support": 3}
    assert report["signature_cert_present"] is True and report["licence_data_present"] is True
    assert report["card_expiry"] and report["auth_cert_not_after"] and report["free_area"] == "enough"
    assert len(report["apdus"]) == 16
    assert "jpki/000A: 00 B0 00 00" in printed  # card-sim prints what it received


def _watcher_alive(reader: PcscCardReader) -> bool:
    return any(thread.ident == reader.watcher_ident for thread in threading.enumerate())


def test_close_ends_the_watcher_even_when_it_starts_waiting_just_after_the_cancel(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pcsc-lite's SCardCancel only wakes a wait already in progress. The worst interleaving: the
    # watcher has passed its stop check, close() cancels, then the watcher enters its 60 s wait.
    # pyscard's calls are wrapped (the third-party boundary) only to hold the watcher at that point.
    real_wait, real_cancel = scard.SCardGetStatusChange, scard.SCardCancel
    about_to_wait, cancelled = threading.Event(), threading.Event()
    rig_watcher = rig.reader.watcher_ident

    def wait_after_the_cancel(context: int, timeout: int, states: list[Any]) -> Any:
        # A wait that blocks: the reader's state is known (the first call, all unaware, returns at once).
        blocking = any(state != scard.SCARD_STATE_UNAWARE for _name, state, *_ in states)
        if blocking and threading.get_ident() != rig_watcher and threading.current_thread().name == "pcsc-watch":
            about_to_wait.set()
            cancelled.wait(5)
        return real_wait(context, timeout, states)

    def noted_cancel(context: int) -> Any:
        result = real_cancel(context)
        cancelled.set()
        return result

    monkeypatch.setattr(scard, "SCardGetStatusChange", wait_after_the_cancel)
    monkeypatch.setattr(scard, "SCardCancel", noted_cancel)
    settings = ReaderConfig(name_match=rig.endpoint.reader_name, poll_interval_ms=100)
    for attempt in range(10):
        about_to_wait.clear()
        cancelled.clear()
        reader = PcscCardReader(settings)
        assert about_to_wait.wait(5), "the watcher never went to wait"
        started = time.monotonic()
        reader.close()
        took = time.monotonic() - started
        assert not _watcher_alive(reader), f"attempt {attempt}: the watcher still waits after close()"
        assert took < 1.0, f"attempt {attempt}: close() took {took:.2f} s"


def test_close_right_after_start_or_at_any_moment_of_the_first_waits_is_bounded(rig: Rig) -> None:
    settings = ReaderConfig(name_match=rig.endpoint.reader_name, poll_interval_ms=100)
    slowest = 0.0
    for attempt in range(40):
        reader = PcscCardReader(settings)
        time.sleep((attempt % 10) * 0.002)  # from "at once" to well into the first wait
        started = time.monotonic()
        reader.close()
        slowest = max(slowest, time.monotonic() - started)
        assert not _watcher_alive(reader), f"attempt {attempt}: the watcher still waits after close()"
    assert slowest < 1.0


class _ShortApduDriver(CardConnectionDecorator):  # type: ignore[misc]
    """The reader's driver below pcscd cannot carry extended APDUs: their transmit fails as pyscard
    reports a pcscd error; everything else goes to the emulated card through the real stack."""

    def __init__(self, connection: Any, refused: list[bytes]) -> None:
        super().__init__(connection)
        self.refused = refused

    def transmit(self, command: list[int], protocol: Any = None) -> Any:
        if is_extended(bytes(command)):
            self.refused.append(bytes(command))
            raise CardConnectionException(
                "Failed to transmit with protocol T1. Transaction failed.", hresult=scard.SCARD_E_NOT_TRANSACTED
            )
        return self.component.transmit(command, protocol)


def test_a_reader_that_cannot_carry_extended_apdus_costs_only_its_first_card_one_try(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused: list[bytes] = []
    real_create = PCSCReader.createConnection
    monkeypatch.setattr(PCSCReader, "createConnection", lambda self: _ShortApduDriver(real_create(self), refused))
    reader = PcscCardReader(ReaderConfig(name_match=rig.endpoint.reader_name, poll_interval_ms=100))
    refused_after = []
    try:
        for name in ("valid", "sign-locked", "valid"):
            rig.place(name)
            assert reader.read_facts() == PROFILES[name].facts(date.today()), name
            refused_after.append(len(refused))
            rig.remove()
    finally:
        reader.close()

    assert refused_after == [1, 1, 1]  # the first card paid one try; the reader is remembered
    assert not any(is_extended(received.apdu) for received in rig.card.received)
    assert outside_allowlist(rig.card.received) == []
