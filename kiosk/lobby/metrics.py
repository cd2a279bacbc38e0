"""`GET /metrics`: Prometheus text format (prometheus-client), for sites that scrape.

A custom collector reads what the staff service already holds (its last read of the heartbeats
and today's tickets, the lobby's published state): a scrape costs no store query. No login, as is
usual for a scrape target on the centre's LAN; it carries counts and device states, no tickets'
labels and nothing personal.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from drivers.interfaces import HealthState
from kiosk.health.stats import percentile
from kiosk.lobby.service import LobbyService
from kiosk.lobby.staff_service import StaffService


class LobbyCollector(Collector):
    def __init__(self, lobby: LobbyService, staff: StaffService) -> None:
        self.lobby = lobby
        self.staff = staff

    def collect(self) -> Iterator[Metric]:
        tickets = self.staff.today_tickets
        issued = GaugeMetricFamily("kiosk_tickets_issued_today", "Tickets issued today", labels=["procedure"])
        for procedure, n in sorted(Counter(t.procedure for t in tickets).items()):
            issued.add_metric([procedure], n)
        yield issued
        calls = GaugeMetricFamily("kiosk_calls_today", "Tickets called today", labels=["counter"])
        for counter, n in sorted(Counter(t.counter or "" for t in tickets if t.called_at is not None).items()):
            calls.add_metric([counter], n)
        yield calls
        yield GaugeMetricFamily(
            "kiosk_no_shows_today", "No-shows today", value=sum(1 for t in tickets if t.state == "no_show")
        )
        yield GaugeMetricFamily(
            "kiosk_print_failures_today",
            "Tickets whose print failed today (a number without paper)",
            value=sum(1 for t in tickets if t.print_state == "print_failed"),
        )
        waits = [(t.called_at - t.issued_at).total_seconds() for t in tickets if t.called_at is not None]
        wait = GaugeMetricFamily("kiosk_wait_seconds", "Wait from ticket to first call today", labels=["quantile"])
        for q in (50, 90):
            value = percentile(waits, q)
            if value is not None:
                wait.add_metric([f"0.{q}"], value)
        yield wait
        waiting = GaugeMetricFamily("kiosk_waiting", "Tickets waiting now", labels=["group"])
        for group, n in sorted(self.lobby.published.state.waiting.items()):
            waiting.add_metric([group], n)
        yield waiting
        now = time.time()
        age = GaugeMetricFamily(
            "kiosk_heartbeat_age_seconds", "Seconds since a process last reported", labels=["source"]
        )
        states = GaugeMetricFamily(
            "kiosk_device_state", "1 for the state a device is in", labels=["source", "device", "state"]
        )
        for beat in self.staff.beats:
            age.add_metric([beat.source], now - beat.beat_at)
            for device in beat.devices:
                for state in HealthState:
                    states.add_metric([beat.source, device.device, state.value], float(device.state is state))
        yield age
        yield states
        yield GaugeMetricFamily(
            "kiosk_alerts_unacknowledged",
            "Alerts on the staff page nobody acknowledged yet",
            value=sum(1 for a in self.staff.board.alerts if not a.acked),
        )


def metrics_route(lobby: LobbyService, staff: StaffService) -> Route:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LobbyCollector(lobby, staff))

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics, methods=["GET"])
