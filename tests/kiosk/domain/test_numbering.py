from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from kiosk.domain.numbering import business_date

TOKYO = "Asia/Tokyo"  # UTC+9 all year, no DST
MIDNIGHT = time(0, 0)
FIVE_AM = time(5, 0)


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "reset", "expected"),
    [
        # Reset at midnight: the business date is the Tokyo calendar date.
        (utc(2025, 3, 31, 14, 59, 59), MIDNIGHT, date(2025, 3, 31)),  # 23:59:59 JST
        (utc(2025, 3, 31, 15, 0, 0), MIDNIGHT, date(2025, 4, 1)),  # 00:00:00 JST next day
        (utc(2025, 4, 1, 0, 0, 0), MIDNIGHT, date(2025, 4, 1)),  # 09:00 JST, UTC date agrees
        (utc(2024, 12, 31, 15, 0, 0), MIDNIGHT, date(2025, 1, 1)),  # UTC still in the old year
        # Reset at 05:00: the small hours still belong to the day before.
        (utc(2025, 3, 31, 15, 30, 0), FIVE_AM, date(2025, 3, 31)),  # 00:30 JST
        (utc(2025, 3, 31, 19, 59, 59), FIVE_AM, date(2025, 3, 31)),  # 04:59:59 JST
        (utc(2025, 3, 31, 20, 0, 0), FIVE_AM, date(2025, 4, 1)),  # 05:00:00 JST
        (utc(2024, 12, 31, 19, 0, 0), FIVE_AM, date(2024, 12, 31)),  # 04:00 JST on 1 Jan
        (utc(2024, 2, 29, 19, 0, 0), FIVE_AM, date(2024, 2, 29)),  # 04:00 JST on 1 Mar, leap year
    ],
)
def test_business_date_in_tokyo_from_utc_inputs(now: datetime, reset: time, expected: date) -> None:
    assert business_date(now, TOKYO, reset) == expected


def test_business_date_does_not_depend_on_the_offset_the_time_comes_in() -> None:
    moment = utc(2025, 3, 31, 16, 0, 0)  # 01:00 JST on 1 April
    new_york = timezone(timedelta(hours=-4))
    tokyo = timezone(timedelta(hours=9))
    for same in (moment, moment.astimezone(new_york), moment.astimezone(tokyo)):
        assert business_date(same, TOKYO, MIDNIGHT) == date(2025, 4, 1)
        assert business_date(same, TOKYO, FIVE_AM) == date(2025, 3, 31)


def test_business_date_uses_the_site_zone_not_utc() -> None:
    # 23:00 UTC is 08:00 the next day in Tokyo and 16:00 the same day in Los Angeles.
    now = utc(2025, 6, 10, 23, 0, 0)
    assert business_date(now, TOKYO, MIDNIGHT) == date(2025, 6, 11)
    assert business_date(now, "America/Los_Angeles", MIDNIGHT) == date(2025, 6, 10)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        business_date(datetime(2025, 4, 1, 9, 0), TOKYO, MIDNIGHT)


def test_reset_with_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        business_date(utc(2025, 4, 1, 0, 0), TOKYO, time(5, 0, tzinfo=UTC))
