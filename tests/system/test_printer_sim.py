"""`kiosk printer-sim`: the emulator as its own process, printed to through the real network class,
its faults typed on standard input."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from drivers.interfaces import PaperState
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.escpos_printer import EscposTicketPrinter
from drivers.printer.settings import PrinterConnection
from kiosk.bench.printer import standard_job
from kiosk.commands.printer import sim_command
from kiosk.ticket.render import compose


def test_printer_sim_prints_what_it_receives_and_takes_faults_on_stdin(site_config, tmp_path):
    out = tmp_path / "printed"
    command = [sys.executable, "-m", "kiosk", "printer-sim", "--port", "0", "--out", str(out)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None and process.stdin is not None
            url = process.stdout.readline().split()[-1]
            assert url.startswith("tcp://127.0.0.1:")
            process.stdout.readline()  # where tickets go, and the fault commands
            config = replace(site_config.printer, connection=PrinterConnection.parse(url))
            printer = EscposTicketPrinter(config)
            printer.print_ticket(standard_job(site_config))
            assert sorted(p.name for p in out.iterdir()) == ["0001.png"]
            process.stdin.write("cover open\n")
            process.stdin.flush()
            assert "cover_open=True" in process.stdout.readline()
            assert printer.status().cover_open is True
            printer.close()
            process.stdin.write("quit\n")
            process.stdin.flush()
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()


@pytest.mark.parametrize(
    ("line", "check"),
    [
        ("paper near", lambda e: e.status().paper is PaperState.NEAR_END),
        ("paper end", lambda e: e.status().paper is PaperState.END),
        ("offline on", lambda e: e.status().online is False),
        ("error on", lambda e: e.status().error is True),
        ("no-reply on", lambda e: e.no_reply),
    ],
)
def test_each_fault_command_sets_the_emulator(tmp_path, line, check):
    with PrinterEmulator(tmp_path, draw=compose) as emulator:
        sim_command(emulator, line)
        assert check(emulator)


def test_an_unknown_fault_command_lists_the_known_ones(tmp_path):
    with PrinterEmulator(tmp_path, draw=compose) as emulator:
        assert "known: paper ok|near|end" in sim_command(emulator, "paper gone")
