"""The simulated printer keeps the printer's contract: numbered tickets, faults on demand, no half prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from drivers.interfaces import HealthState, PaperState, TicketPrinter
from drivers.printer.sim import SimTicketPrinter
from kiosk.errors import PaperOut, PrinterError, PrinterOffline
from kiosk.ticket.document import Align, QrBlock, RuleBlock, Size, TextBlock, TicketDocument


def ticket(label: str = "M-001", width: int = 576) -> TicketDocument:
    return TicketDocument(
        label=label,
        lang="ja",
        width_dots=width,
        blocks=(
            TextBlock(label, Size.HUGE, bold=True, align=Align.CENTER),
            RuleBlock(),
            TextBlock("1F　13番窓口"),
            QrBlock(f"gunma-traffic-center/20261125/{label}"),
        ),
    )


@pytest.fixture
def printer(tmp_path: Path) -> SimTicketPrinter:
    return SimTicketPrinter(tmp_path / "tickets")


def files(printer: SimTicketPrinter) -> list[str]:
    return sorted(p.name for p in printer.out_dir.iterdir())


def test_it_is_a_ticket_printer(printer):
    device: TicketPrinter = printer  # mypy checks the Protocol; the calls check behaviour
    assert device.status().can_print
    device.print_ticket(ticket())
    device.close()


def test_tickets_are_numbered_png_files_in_print_order(printer):
    for n in range(1, 4):
        printer.print_ticket(ticket(f"M-00{n}"))
    assert files(printer) == ["0001.png", "0002.png", "0003.png"]
    assert printer.printed == [printer.out_dir / f"000{n}.png" for n in range(1, 4)]


def test_each_file_is_the_rendered_ticket(printer):
    printer.print_ticket(ticket(width=384))
    with Image.open(printer.printed[0]) as image:
        assert image.format == "PNG"
        assert image.mode == "1"
        assert image.width == 384


def test_numbering_continues_after_an_earlier_run(tmp_path):
    first = SimTicketPrinter(tmp_path)
    first.print_ticket(ticket())
    first.print_ticket(ticket())
    (tmp_path / "notes.txt").write_text("not a ticket")
    second = SimTicketPrinter(tmp_path)
    second.print_ticket(ticket())
    assert second.printed == [tmp_path / "0003.png"]
    assert (tmp_path / "0001.png").stat().st_size > 0  # the earlier run is kept


def test_paper_runs_out_after_n_more_tickets(printer):
    printer.print_ticket(ticket())
    printer.paper_out_after(2)
    printer.print_ticket(ticket())
    printer.print_ticket(ticket())
    assert printer.status().paper is PaperState.END
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket())
    assert files(printer) == ["0001.png", "0002.png", "0003.png"]
    assert len(printer.printed) == 3
    assert printer.health().state is HealthState.DOWN


def test_paper_out_after_zero_means_now(printer):
    printer.paper_out_after(0)
    assert not printer.status().can_print
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket())
    assert files(printer) == []


def test_a_new_roll_prints_again_with_the_next_number(printer):
    printer.print_ticket(ticket())
    printer.paper_out_after(0)
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket())
    printer.set_paper(PaperState.OK)
    printer.print_ticket(ticket())
    assert files(printer) == ["0001.png", "0002.png"]


def test_negative_paper_count_is_refused(printer):
    with pytest.raises(ValueError):
        printer.paper_out_after(-1)


def test_paper_near_end_still_prints_and_warns_staff(printer):
    printer.set_paper(PaperState.NEAR_END)
    printer.print_ticket(ticket())
    assert files(printer) == ["0001.png"]
    health = printer.health()
    assert health.state is HealthState.DEGRADED
    assert "near end" in health.detail


def test_paper_end_raises_paper_out_and_writes_nothing(printer):
    printer.set_paper(PaperState.END)
    with pytest.raises(PaperOut):
        printer.print_ticket(ticket())
    assert files(printer) == []
    assert printer.printed == []


def test_cover_open_raises_printer_offline_and_writes_nothing(printer):
    printer.set_cover_open(True)
    status = printer.status()
    assert status.cover_open is True and not status.can_print
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket())
    assert files(printer) == []
    assert printer.health().state is HealthState.DOWN
    printer.set_cover_open(False)
    printer.print_ticket(ticket())
    assert files(printer) == ["0001.png"]


def test_offline_raises_printer_offline_and_writes_nothing(printer):
    printer.set_offline(True)
    assert printer.status().online is False
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket())
    assert files(printer) == []
    assert printer.health().state is HealthState.DOWN
    printer.set_offline(False)
    assert printer.status().can_print


def test_no_reply_is_unknown_never_ok(printer):
    printer.set_no_reply(True)
    status = printer.status()
    assert status.online is None
    assert status.paper is PaperState.UNKNOWN
    assert status.cover_open is None
    assert not status.can_print
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket())
    assert files(printer) == []
    health = printer.health()
    assert health.state is HealthState.DOWN
    assert "does not answer" in health.detail


def test_unknown_paper_does_not_print(printer):
    printer.set_paper(PaperState.UNKNOWN)
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket())
    assert files(printer) == []


def test_every_fault_is_a_printer_error(printer):
    printer.set_offline(True)
    with pytest.raises(PrinterError):
        printer.print_ticket(ticket())


def test_health_is_simulated_and_ok_when_ready(printer):
    health = printer.health()
    assert (health.device, health.state, health.simulated) == ("printer", HealthState.OK, True)


def test_a_closed_printer_does_not_print(printer):
    printer.close()
    with pytest.raises(PrinterOffline):
        printer.print_ticket(ticket())
    assert files(printer) == []


def test_a_ticket_that_cannot_be_rendered_writes_nothing(printer):
    with pytest.raises(ValueError):
        printer.print_ticket(ticket(width=10))
    assert files(printer) == []
    assert printer.printed == []


def test_a_disk_error_is_a_printer_error_and_leaves_no_partial_file(printer, monkeypatch):
    def full_disk(*args: object, **kwargs: object) -> None:
        partial = args[1]
        assert isinstance(partial, Path)
        partial.write_bytes(b"\x89PNG half")  # what a full disk leaves behind
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", full_disk)
    with pytest.raises(PrinterError, match="No space left"):
        printer.print_ticket(ticket())
    assert files(printer) == []
    assert printer.printed == []
