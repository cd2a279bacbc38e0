"""Which device backends the appliance runs with: the seam where real drivers plug in.

`build_devices` turns the site config into `Devices`. The ticket printer is the ESC/POS driver
at the config's `[printer] url` (a lobby printer, or the emulator `kiosk printer-sim`). Until a
driver for another device exists (the PC/SC card reader and the serial display come with their
own issues) it answers with that device's simulator, and `Devices.simulated` makes the screens show the
SIMULATION sign: a simulator is never chosen silently. A driver's issue replaces one line here
with "the real backend when the config names one".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from drivers.card.sim import SimCardReader
from drivers.display.sim import SimQueueDisplay
from drivers.printer.escpos_printer import EscposTicketPrinter
from kiosk.shell.runtime import Devices
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)


def build_devices(config: SiteConfig, today: Callable[[], date]) -> Devices:
    """The devices the config names, opened; simulators where no driver exists yet."""
    log.warning("no card reader or display driver configured: running with simulators")
    return Devices(
        reader=SimCardReader(today=today),
        printer=EscposTicketPrinter.from_config(config.printer, Path(config.storage.data_dir)),
        display=SimQueueDisplay(),
        simulated=True,
    )
