"""When the demo's orders were placed: the last DAYS days up to now, oldest first.

Volume grows over the period (a shop that is doing well), dips on Fridays and peaks on Sundays and
in the evening. Today only runs up to now, and always holds at least `minimum_today` orders so the
"today" figures of the dashboard are never empty, whatever the hour.
"""

from __future__ import annotations

import random
from bisect import bisect
from datetime import datetime, timedelta
from itertools import accumulate
from typing import NamedTuple

DAYS = 90
GROWTH = 0.8  # the last day sees 80% more orders than the first
WEEKDAY_WEIGHTS = (1.1, 1.0, 1.0, 1.0, 0.85, 0.9, 1.15)  # Monday .. Sunday
# Orders per UTC hour (Morocco is UTC+1): quiet nights, a late-morning bump, busy evenings.
HOUR_WEIGHTS = (
    0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.3, 1.5, 1.5,
    1.4, 1.3, 1.2, 1.2, 1.3, 1.5, 1.8, 2.0, 2.0, 1.6, 1.0, 0.6,
)  # fmt: skip
_HOUR_CUM = list(accumulate(HOUR_WEIGHTS))


class Day(NamedTuple):
    start: float  # epoch seconds
    end: float  # the next midnight, or now for today
    count: int
    is_today: bool


def plan(total: int, now: datetime, minimum_today: int, days: int = DAYS) -> list[Day]:
    """Split `total` orders over the days, oldest first; the counts add up to `total` exactly."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = [midnight - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    weights = [
        (1 + GROWTH * index / max(days - 1, 1)) * WEEKDAY_WEIGHTS[start.weekday()] for index, start in enumerate(starts)
    ]
    weights[-1] *= (now - midnight).total_seconds() / 86400
    today = min(total, max(minimum_today, round(total * weights[-1] / sum(weights))))
    counts = [*_split(total - today, weights[:-1]), today]
    ends = [*(start.timestamp() + 86400 for start in starts[:-1]), now.timestamp()]
    return [
        Day(start.timestamp(), end, count, index == days - 1)
        for index, (start, end, count) in enumerate(zip(starts, ends, counts, strict=True))
    ]


def _split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder apportionment of `total` in proportion to `weights`."""
    scale = total / sum(weights)
    exact = [weight * scale for weight in weights]
    counts = [int(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def times(rng: random.Random, day: Day) -> list[float]:
    """The day's order timestamps, sorted, so order numbers follow creation time."""
    if day.is_today:
        # Spread evenly over the hours elapsed so far: the profile would leave an early morning empty.
        moments = [day.start + rng.random() * (day.end - day.start) for _ in range(day.count)]
    else:
        moments = [
            day.start + (min(bisect(_HOUR_CUM, rng.random() * _HOUR_CUM[-1]), 23) + rng.random()) * 3600
            for _ in range(day.count)
        ]
    return sorted(moments)
