"""The day's statistics: counts, median and 90th percentile of waits and service, CSV, the SVG chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.health.stats import CSV_HEADER, day_stats, hourly_chart_svg, percentile, stats_csv
from kiosk.queue.health import TicketTimes

NINE = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def ticket(minute: int, wait: int | None, service: int | None = None, state: str = "done", counter: str = "c13"):
    issued = NINE + timedelta(minutes=minute)
    called = None if wait is None else issued + timedelta(minutes=wait)
    done = None if called is None or service is None else called + timedelta(minutes=service)
    return TicketTimes("renewal", counter, state, issued, called, None, done)


def test_nearest_rank_percentiles() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 90) == 5.0
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == 5.0 and percentile(values, 90) == 9.0


def test_counts_waits_and_service_per_procedure_and_counter() -> None:
    tickets = [
        ticket(0, 10, 5),
        ticket(5, 20, 7),
        ticket(10, 30, None, state="no_show"),
        ticket(15, None, state="waiting"),
        ticket(20, 2, 3, counter="c14"),
    ]
    rows = {(r.procedure, r.counter): r for r in day_stats(tickets)}
    c13 = rows[("renewal", "c13")]
    assert (c13.issued, c13.called, c13.no_shows) == (4, 3, 1)
    assert c13.wait_median_s == 20 * 60 and c13.wait_p90_s == 30 * 60
    assert c13.service_median_s == 5 * 60 and c13.service_p90_s == 7 * 60
    assert rows[("renewal", "c14")].issued == 1


def test_csv_has_a_header_and_one_line_a_row_in_minutes() -> None:
    text = stats_csv("2026-11-26", day_stats([ticket(0, 10, 5)]))
    lines = text.split("\r\n")
    assert lines[0] == CSV_HEADER
    assert lines[1] == "2026-11-26,renewal,c13,1,1,0,10.0,10.0,5.0,5.0"


def test_the_chart_is_valid_svg_with_a_bar_per_hour_for_arrivals_and_calls() -> None:
    tickets = [ticket(0, 10), ticket(30, 45), ticket(65, None)]  # two arrivals at 9, one at 10; calls at 9 and 10
    svg = ET.fromstring(hourly_chart_svg(tickets, title="<day>"))
    bars = {
        (r.get("class"), r.get("data-hour")): int(r.get("data-count") or 0)
        for r in svg.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("class")
    }
    assert bars[("arrivals", "9")] == 2 and bars[("arrivals", "10")] == 1
    assert bars[("calls", "9")] == 1 and bars[("calls", "10")] == 1
    assert bars[("arrivals", "12")] == 0
