"""One kiosk's running parts, wired: the devices the config names, the ticket store, the runtime.

Every shell over the core opens a `KioskApp` and drives its runtime: the touch UI (`kiosk run`,
kiosk/commands/run.py hands it to kiosk/ui/app.py) and, later, the lobby service (`kiosk lobby`).
So this module knows nothing of pygame or of screens; the UI declares what it needs of the app
as protocols (`kiosk.ui.app.OpenKiosk`, `kiosk.ui.loop.FlowRunner`) and never imports the shell.

The devices, the store and the runtime are imported when `open_kiosk` is called, not with this
module: the printer library alone takes about half a second to import, and `kiosk run` draws its
welcome screen before it opens anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kiosk.site.model import SiteConfig

if TYPE_CHECKING:
    from drivers.interfaces import Health
    from kiosk.health.mqtt import MqttTelemetry
    from kiosk.health.sdnotify import SystemdNotify
    from kiosk.queue.lifecycle import CallingStore
    from kiosk.queue.model import TicketStore
    from kiosk.shell.control import ControlServer
    from kiosk.shell.runtime import Devices, Runtime
    from kiosk.shell.staff_link import StaffLink

Clock = Callable[[], datetime]


def site_clock(config: SiteConfig) -> Clock:
    """The wall clock in the site's time zone (aware datetimes, as the flow and the store expect)."""
    zone = ZoneInfo(config.site.timezone)

    def clock() -> datetime:
        return datetime.now(zone)

    return clock


@dataclass
class KioskApp:
    config: SiteConfig
    clock: Clock
    devices: Devices
    store: TicketStore  # on a shared database: issues from its offline blocks while it is away
    calling: CallingStore  # the same queue, read for the wait the screens and the ticket tell
    runtime: Runtime
    control: ControlServer | None = None  # staff ask this kiosk to use its printer (kiosk/shell/control.py)
    link: StaffLink | None = None  # heartbeats and the staff page's commands (kiosk/shell/staff_link.py)
    systemd: SystemdNotify | None = None  # READY, WATCHDOG from the loop, STATUS (kiosk/health/sdnotify.py)
    mqtt: MqttTelemetry | None = None  # [health] mqtt_url: each heartbeat, retained (kiosk/health/mqtt.py)

    @property
    def simulated(self) -> bool:
        """Any simulator active: the screens show the SIMULATION sign."""
        return self.devices.simulated

    def seen(self) -> dict[str, object]:
        """The printer as the kiosk last saw it (the control socket's `status`; the staff page)."""
        status, health = self.runtime.printer_status, self.runtime.printer_health
        return {
            "url": self.config.printer.connection.url,
            "online": None if status is None else status.online,
            "paper": None if status is None else status.paper.value,
            "cover_open": None if status is None else status.cover_open,
            "error": None if status is None else status.error,
            "health": None if health is None else health.state.value,
            "detail": None if health is None else health.detail,
            "store": self.store_health(),
        }

    def store_health(self) -> dict[str, str] | None:
        """The shared database as this kiosk sees it (offline: DEGRADED); None for the SQLite file."""
        health: Health | None = getattr(self.store, "health", lambda: None)()
        return None if health is None else {"health": health.state.value, "detail": health.detail}

    def close(self) -> None:
        """The control socket first (no more staff jobs), the printer's thread (its job under way
        finishes), the store (its last write is the one that matters), then every device."""
        if self.systemd is not None:
            self.systemd.stopping()
        if self.link is not None:
            self.link.close()  # its last beat ("stopped") reaches MQTT too
        if self.mqtt is not None:
            self.mqtt.close()
        if self.control is not None:
            self.control.close()
        self.runtime.close()
        self.store.close()
        self.calling.close()
        for device in (self.devices.reader, self.devices.printer, self.devices.display):
            device.close()
        if self.devices.lamp is not None:
            self.devices.lamp.close()
        if self.systemd is not None:
            self.systemd.close()


def open_kiosk(config: SiteConfig, clock: Clock) -> KioskApp:
    """Open the devices the config names and the ticket store in its data folder, take the printer's
    port (its lock, on the printer's thread) and serve the control socket; the caller closes."""
    from kiosk.health.sdnotify import SystemdNotify
    from kiosk.queue.stores import open_calling, open_kiosk_tickets
    from kiosk.shell.control import ControlServer, KioskControl, control_path
    from kiosk.shell.devices import build_devices
    from kiosk.shell.port_lock import PortLock
    from kiosk.shell.runtime import Runtime

    devices = build_devices(config, today=lambda: clock().date())
    store = open_kiosk_tickets(config, clock)
    calling: CallingStore | None = None
    app = None
    try:
        calling = open_calling(config)  # after the ticket store: it made or migrated the SQLite file
        lock = PortLock(config.printer, config.storage.data_dir)
        runtime = Runtime(config=config, devices=devices, store=store, clock=clock, calling=calling, port_lock=lock)
        app = KioskApp(config=config, clock=clock, devices=devices, store=store, calling=calling, runtime=runtime)
        handle = KioskControl(config, clock, runtime.printer_jobs, app.seen).handle
        control = ControlServer(control_path(config), handle)
        control.start()
        app.control = control
        systemd = app.systemd = SystemdNotify()
        # READY once the loop turns with the devices open; WATCHDOG=1 only from the loop's turns.
        runtime.turned = systemd.turned
        link = app.link = _staff_link(app, handle)
        if link is not None:
            link.listeners.append(lambda beat: systemd.status(beat.summary()))
            if config.health.mqtt_url:
                from kiosk.health.mqtt import MqttTelemetry

                app.mqtt = MqttTelemetry(config.health.mqtt_url, config.site.id, config.site.kiosk_id)
                link.listeners.append(app.mqtt.publish)
            link.start()
    except BaseException:
        if app is not None:
            app.close()
        else:
            store.close()
            if calling is not None:
                calling.close()
            for device in (devices.reader, devices.printer, devices.display):
                device.close()
        raise
    return app


def _staff_link(app: KioskApp, handle: Callable[[dict[str, Any]], dict[str, Any]]) -> StaffLink | None:
    """The heartbeat and command thread over the same store, with connections of its own; None
    where the store has no HealthStore yet (kiosk/queue/stores.py `health_opener`)."""
    from kiosk.queue import stores
    from kiosk.shell.staff_link import SWEEP_S, StaffLink

    config = app.config
    open_health = stores.health_opener(config)
    if open_health is None:
        return None
    return StaffLink(
        config,
        app.runtime,
        open_health,
        lambda: stores.open_notifier(config, poll_interval_s=SWEEP_S),  # one look a sweep: idle CPU
        handle,
        app.clock,
    )
