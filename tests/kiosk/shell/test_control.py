"""One owner per printer port: staff commands ask the running kiosk through its control socket.

The kiosk is the shell's own `KioskApp` (kiosk/shell/app.py: devices, store, runtime, control
socket; no pygame), printing through the real ESC/POS driver to the emulator. Between them a
`PrinterLine` (kiosk/bench/line.py) counts the connections opened to the printer. Staff commands
run as `kiosk.cli.main` with a config file, as staff type them.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from drivers.printer.emulator import PrinterEmulator
from kiosk.bench.line import PrinterLine
from kiosk.cli import main
from kiosk.domain.flow import ChooseLanguage, ChooseProcedure, Continue, TicketStage, Touch
from kiosk.domain.model import Procedure
from kiosk.queue.model import PrintState
from kiosk.shell.app import KioskApp, open_kiosk
from kiosk.shell.control import MAX_MESSAGE, ControlError, ask, control_path
from kiosk.shell.port_lock import PortLock
from kiosk.shell.staff import roll_of
from kiosk.site.load import load_site_config
from kiosk.site.model import SiteConfig
from kiosk.ticket.render import compose
from tests.kiosk.site.test_load import shipped_text

MORNING = datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))


@dataclass
class Site:
    config_file: Path
    config: SiteConfig
    emulator: PrinterEmulator
    line: PrinterLine

    def run(self, *argv: str) -> int:
        return main([*argv, "--config", str(self.config_file)])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The shipped config, its printer behind a counting line to the emulator, its data in tmp_path."""
    with PrinterEmulator(tmp_path / "printed", draw=compose) as emulator, PrinterLine(emulator.serve_tcp()) as line:
        text = shipped_text()
        text = text.replace('url = "tcp://127.0.0.1:9100"', f'url = "{line.tcp_url}"')
        text = text.replace('data_dir = "../.data"', f'data_dir = "{tmp_path / "data"}"')
        text = text.replace('backend = "pcsc"', 'backend = "sim"')
        path = tmp_path / "config" / "site.toml"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        yield Site(path, load_site_config(path), emulator, line)


@pytest.fixture
def kiosk(site: Site) -> Iterator[KioskApp]:
    """`kiosk run`'s shell, running: it holds the printer and serves the control socket."""
    app = open_kiosk(site.config, lambda: MORNING)
    yield app
    app.close()


def visit(app: KioskApp) -> str:
    """A visitor takes a ticket at the kiosk; its label."""
    for event in (Touch(), ChooseLanguage("ja"), ChooseProcedure(Procedure.ENQUIRY), Continue()):
        app.runtime.dispatch(event)
    app.runtime.settle()
    assert app.runtime.state.visit.ticket_stage is TicketStage.PRINTED
    label = app.runtime.state.visit.ticket_label
    assert label is not None
    app.runtime.dispatch(Continue())
    app.runtime.dispatch(Continue())  # goodbye, then welcome again
    return label


def test_staff_commands_go_through_the_running_kiosk_and_the_printer_sees_one_connection(
    site: Site, kiosk: KioskApp, capsys: pytest.CaptureFixture[str]
) -> None:
    label = visit(kiosk)
    assert site.run("print-test") == 0
    assert "online=True paper=ok" in capsys.readouterr().out
    assert site.run("reprint", label) == 0  # today's business day: the kiosk's own
    assert f"ticket {label} of 2026-11-26 reprinted (was printed)" in capsys.readouterr().out
    assert len(site.emulator.printed) == 3
    assert site.line.connections == 1  # the kiosk's: no command opened the port beside it
    ticket = kiosk.runtime.issued[0].ticket
    stored = kiosk.store.get(ticket.group, ticket.business_date, ticket.number)
    assert stored is not None and stored.print_state is PrintState.REPRINTED
    assert visit(kiosk) != label  # and the kiosk goes on serving
    assert site.line.connections == 1


def test_staff_mistakes_come_back_from_the_kiosk_as_the_command_would_say_them(
    site: Site, kiosk: KioskApp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert site.run("reprint", "G-999") == 2
    assert "no ticket G-999 on 2026-11-26" in capsys.readouterr().err
    assert site.run("reprint", "X-001") == 2
    assert "not a ticket number of this site" in capsys.readouterr().err
    assert site.emulator.printed == []


def test_new_roll_through_the_kiosk_resets_the_kiosks_own_counter(site: Site, kiosk: KioskApp) -> None:
    visit(kiosk)
    roll = roll_of(kiosk.devices.printer)
    assert roll is not None and roll.used_mm > 0
    assert site.run("new-roll") == 0
    assert roll.used_mm == 0  # the kiosk's own counter, not only the file behind its back


def test_with_no_kiosk_running_the_command_opens_the_port_itself(site: Site) -> None:
    assert not control_path(site.config).exists()
    assert site.run("print-test") == 0
    assert len(site.emulator.printed) == 1 and site.line.connections == 1


def test_a_stale_socket_left_by_a_kiosk_that_died_is_seen_and_the_command_prints_itself(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = control_path(site.config)
    path.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:  # bound, never listened: nobody answers
        monkeypatch.chdir(path.parent)  # a short address however deep tmp_path is
        dead.bind(path.name)
    assert path.exists()
    assert ask(path, {"command": "status"}) is None
    assert site.run("print-test") == 0
    assert len(site.emulator.printed) == 1
    app = open_kiosk(site.config, lambda: MORNING)  # a new kiosk takes the stale socket's place
    try:
        reply = ask(path, {"command": "status"})
        assert reply is not None and reply["ok"] is True
    finally:
        app.close()


def test_a_kiosk_whose_socket_is_gone_still_holds_the_port(site: Site, kiosk: KioskApp) -> None:
    visit(kiosk)  # the kiosk's printer thread holds the port's lock
    control_path(site.config).unlink()
    assert not PortLock(site.config.printer, Path(site.config.storage.data_dir)).try_acquire()
    assert site.run("print-test") == 1  # "in use": never a second connection beside the kiosk's
    assert site.line.connections == 1 and len(site.emulator.printed) == 1


def test_the_control_socket_is_for_the_kiosks_user_only(site: Site, kiosk: KioskApp) -> None:
    mode = os.stat(control_path(site.config)).st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600


def test_a_second_kiosk_on_the_same_data_folder_does_not_start(site: Site, kiosk: KioskApp) -> None:
    with pytest.raises(ControlError, match="another kiosk"):
        open_kiosk(site.config, lambda: MORNING)
    reply = ask(control_path(site.config), {"command": "status"})
    assert reply is not None and reply["printer"]["url"] == site.config.printer.connection.url


def test_a_silent_client_and_a_flooding_one_never_hold_the_kiosk(
    site: Site, kiosk: KioskApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = control_path(site.config)
    monkeypatch.chdir(path.parent)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    flood = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        silent.connect(path.name)  # and says nothing
        flood.connect(path.name)
        flood.settimeout(10)
        with pytest.raises(OSError):  # a megabyte without a newline: the kiosk stops reading and hangs up
            flood.sendall(b"x" * 1_000_000)
        reply = flood.recv(4096)
        assert f"at most {MAX_MESSAGE} bytes".encode() in reply
        # Meanwhile the kiosk serves visitors and staff as ever.
        visit(kiosk)
        status = ask(path, {"command": "status"})
        assert status is not None and status["printer"]["health"] == "ok"
        assert ask(path, {"command": "format the disk"}) == {
            "ok": False,
            "error": "unknown command; known: status, print_test, reprint, new_roll",
        }
        silent.settimeout(10)
        assert silent.recv(1) == b""  # the silent one is hung up on after the read limit
    finally:
        silent.close()
        flood.close()
