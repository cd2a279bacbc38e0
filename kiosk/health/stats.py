"""The day's statistics per procedure and counter, as numbers, CSV and an SVG chart. Pure.

From the tickets' own times (kiosk/queue/health.py `TicketTimes`): issued, called (first call),
no-shows, the wait (issued -> first call) and the service (start -> done, or call -> done when the
clerk never pressed start). Median and 90th percentile by the nearest-rank method (a value that
really occurred). No label and no person: a row is a procedure, a counter and counts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from kiosk.queue.health import TicketTimes


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile (0 < p <= 100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class StatRow:
    procedure: str
    counter: str
    issued: int
    called: int
    no_shows: int
    wait_median_s: float | None
    wait_p90_s: float | None
    service_median_s: float | None
    service_p90_s: float | None


def _service_s(t: TicketTimes) -> float | None:
    start = t.serving_at or t.called_at
    if t.done_at is None or start is None:
        return None
    return (t.done_at - start).total_seconds()


def day_stats(tickets: Iterable[TicketTimes]) -> list[StatRow]:
    groups: dict[tuple[str, str], list[TicketTimes]] = {}
    for t in tickets:
        groups.setdefault((t.procedure, t.counter or ""), []).append(t)
    rows = []
    for (procedure, counter), items in sorted(groups.items()):
        waits = [(t.called_at - t.issued_at).total_seconds() for t in items if t.called_at is not None]
        services = [s for t in items if (s := _service_s(t)) is not None]
        rows.append(
            StatRow(
                procedure=procedure,
                counter=counter,
                issued=len(items),
                called=len(waits),
                no_shows=sum(1 for t in items if t.state == "no_show"),
                wait_median_s=percentile(waits, 50),
                wait_p90_s=percentile(waits, 90),
                service_median_s=percentile(services, 50),
                service_p90_s=percentile(services, 90),
            )
        )
    return rows


CSV_HEADER = (
    "date,procedure,counter,issued,called,no_shows,wait_median_min,wait_p90_min,service_median_min,service_p90_min"
)


def stats_csv(day: str, rows: Iterable[StatRow]) -> str:
    def minutes(s: float | None) -> str:
        return "" if s is None else f"{s / 60:.1f}"

    lines = [CSV_HEADER]
    for r in rows:
        lines.append(
            f"{day},{r.procedure},{r.counter},{r.issued},{r.called},{r.no_shows},"
            f"{minutes(r.wait_median_s)},{minutes(r.wait_p90_s)},{minutes(r.service_median_s)},{minutes(r.service_p90_s)}"
        )
    return "\r\n".join(lines) + "\r\n"  # RFC 4180 line ends: what spreadsheet programs expect


def per_hour(times: Iterable[datetime], first: int, last: int) -> list[int]:
    counts = [0] * (last - first + 1)
    for t in times:
        if first <= t.hour <= last:
            counts[t.hour - first] += 1
    return counts


def hourly_chart_svg(tickets: Sequence[TicketTimes], *, first: int = 8, last: int = 17, title: str = "") -> str:
    """Arrivals (tickets issued) and calls per hour as grouped bars; plain SVG, no script."""
    arrivals = per_hour((t.issued_at for t in tickets), first, last)
    calls = per_hour((t.called_at for t in tickets if t.called_at is not None), first, last)
    width, height, left, bottom, top = 640, 260, 40, 30, 30
    top_value = max([1, *arrivals, *calls])
    step = (width - left - 10) / len(arrivals)
    bar = step * 0.38
    scale = (height - bottom - top) / top_value
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        ' role="img" aria-label="arrivals and calls per hour" font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="16" font-size="13">{escape(title)}</text>',
        f'<rect x="{width - 190}" y="6" width="10" height="10" fill="#3b6fb6"/>'
        f'<text x="{width - 176}" y="15">発券 arrivals</text>',
        f'<rect x="{width - 95}" y="6" width="10" height="10" fill="#e08a1e"/>'
        f'<text x="{width - 81}" y="15">呼出 calls</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#444"/>',
    ]
    for tick in range(0, top_value + 1, max(1, math.ceil(top_value / 5))):
        y = height - bottom - tick * scale
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>')
    for i, (a, c) in enumerate(zip(arrivals, calls, strict=True)):
        x = left + i * step + step * 0.1
        for j, (value, colour) in enumerate(((a, "#3b6fb6"), (c, "#e08a1e"))):
            h = value * scale
            parts.append(
                f'<rect class="{("arrivals", "calls")[j]}" data-hour="{first + i}" data-count="{value}"'
                f' x="{x + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}"'
                f' fill="{colour}"/>'
            )
        parts.append(f'<text x="{x + bar:.1f}" y="{height - bottom + 14}" text-anchor="middle">{first + i}時</text>')
    parts.append("</svg>")
    return "\n".join(parts)
