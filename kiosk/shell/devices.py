"""Which device backends the appliance runs with: the seam where real drivers plug in.

`build_devices` turns the site config into `Devices`. The ticket printer is the ESC/POS driver
at the config's `[printer] url` (a lobby printer, or the emulator `kiosk printer-sim`). The card
reader is the PC/SC driver when `[reader] backend = "pcsc"` (a reader through pcscd, or the card
emulator `kiosk card-sim` in a vpcd reader), the simulated reader when "sim". Until a driver for
another device exists (the serial display comes with its own issue) it answers with that device's
simulator, and `Devices.simulated` makes the screens show the SIMULATION sign: a simulator is never
chosen silently. A driver's issue replaces one line here with "the real backend when the config
names one".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from drivers.card.settings import ReaderBackend
from drivers.card.sim import SimCardReader
from drivers.display.sim import SimQueueDisplay
from drivers.interfaces import CardReader
from drivers.printer.escpos_printer import EscposTicketPrinter
from kiosk.errors import DriverError
from kiosk.shell.runtime import Devices
from kiosk.shell.signal_lamp import LampControl, LobbyBoards
from kiosk.site.model import SiteConfig

log = logging.getLogger(__name__)


def build_devices(config: SiteConfig, today: Callable[[], date]) -> Devices:
    """The devices the config names, opened; simulators where no driver exists yet."""
    reader: CardReader
    if config.reader.backend is ReaderBackend.PCSC:
        from drivers.card.pcsc import PcscCardReader  # pyscard loads only when a PC/SC reader is configured

        reader = PcscCardReader(config.reader)
    else:
        log.warning("[reader] backend = sim: the simulated card reader")
        reader = SimCardReader(today=today)
    log.warning("no display driver configured: running with its simulator")
    return Devices(
        reader=reader,
        printer=EscposTicketPrinter.from_config(config.printer, Path(config.storage.data_dir)),
        display=SimQueueDisplay(),
        simulated=True,
        lamp=_lamp(config),
    )


def _lamp(config: SiteConfig) -> LampControl | None:
    """The signal tower of `[gpio.lamp]`, or None. A pin factory that cannot start (not a Pi) is
    logged and the kiosk serves without its lamp."""
    pins = config.gpio.lamp
    if pins is None:
        return None
    from drivers.gpio.lamp import GpioLamp
    from drivers.gpio.pins import pin_factory
    from drivers.gpio.settings import PinFactoryName

    try:
        factory = pin_factory(config.gpio.pin_factory)
    except DriverError as exc:
        log.error("kiosk lamp: %s", exc)
        return None
    lamp = GpioLamp(pins, factory, simulated=config.gpio.pin_factory is PinFactoryName.MOCK)
    return LampControl(lamp, LobbyBoards(config.storage.data_dir))
