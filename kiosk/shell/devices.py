"""Which device backends the appliance runs with: the seam where real drivers plug in.

`build_devices` turns the site config into `Devices`. Until a driver for a device exists (the
PC/SC card reader, the ESC/POS printer and the serial display come with their own issues) it
answers with that device's simulator, and `Devices.simulated` makes the screens show the
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
from drivers.printer.sim import SimTicketPrinter
from kiosk.shell.runtime import Devices
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)


def build_devices(config: SiteConfig, today: Callable[[], date]) -> Devices:
    """The devices the config names, opened; simulators where no driver exists yet."""
    printed = Path(config.storage.data_dir) / "printed"
    log.warning("no card reader, printer or display driver configured: running with simulators")
    return Devices(
        reader=SimCardReader(today=today),
        printer=SimTicketPrinter(printed),
        display=SimQueueDisplay(),
        simulated=True,
    )
