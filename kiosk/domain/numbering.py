"""Which business date a moment belongs to: ticket numbers restart once per business date.

Pure: the caller passes the clock reading and the site's zone and reset time (Site.timezone,
Site.business_day_reset). A centre whose staff close late may reset at e.g. 05:00, so a ticket
issued at 00:30 still counts on the day before.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def business_date(now: datetime, timezone: str, reset: time) -> date:
    """The business date of `now` at a site in IANA zone `timezone` whose day starts at `reset`
    (local wall-clock time). Before the reset time the business date is the previous calendar date."""
    # A naive clock reading would be silently taken as the host's zone: refuse it instead.
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"business_date needs a timezone-aware time, got {now!r}")
    if reset.tzinfo is not None:
        raise ValueError(f"reset is a local wall-clock time and must be naive, got {reset!r}")
    local = now.astimezone(ZoneInfo(timezone))
    if local.time() < reset:
        return local.date() - timedelta(days=1)
    return local.date()
