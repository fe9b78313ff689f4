"""Dialing progress and statistics of a simulated campaign group, as pure arithmetic.

A CG dials `rate` records per second while Running. Time spent Running so far is kept as
seconds: what earlier runs dialed (`dialed_before`) plus how long the current run has lasted
(`running_for`). A call takes `lag` seconds to reach a final result, so finalized records
trail attempted ones by `rate * lag` while dialing; when dialing stops the calls in flight
finish, and the two meet again. No clocks here: callers pass the durations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FINALIZE_LAG = 1.0
HIT_RATIO = 32.0
BUSY_FACTOR = 82.0
OVERDIAL_RATE = 2.5

# Guards float rounding so that `rate * seconds` landing a hair under a whole record counts it.
_EPSILON = 1e-9


@dataclass(slots=True)  # one per answer: a frozen one's __init__ costs 6x
class Progress:
    """How far a CG got through its records."""

    records: int
    attempted: int
    finalized: int

    @property
    def penetration(self) -> float:
        """Share of records attempted at least once; an empty list counts as done."""
        return self.attempted / self.records if self.records else 1.0

    @property
    def completion(self) -> float:
        """Share of records with a final result; an empty list counts as done."""
        return self.finalized / self.records if self.records else 1.0

    @property
    def exhausted(self) -> bool:
        """No dialable record remains and every call has finished."""
        return self.finalized >= self.records


@dataclass(slots=True)  # one per answer: a frozen one's __init__ costs 6x
class Statistics:
    """The OCS statistics of a loaded CG (percentages, and seconds for time to complete)."""

    busy_factor: float
    hit_ratio: float
    overdial_rate: float
    time_to_complete: float | None


def dialing_progress(
    records: int, rate: float, dialed_before: float, running_for: float, lag: float = FINALIZE_LAG
) -> Progress:
    """Progress after `dialed_before` seconds of earlier runs and `running_for` of this one."""
    attempted_for = dialed_before + running_for
    finalized_for = dialed_before + max(0.0, running_for - lag)
    return Progress(
        records=records,
        attempted=_records_in(records, rate, attempted_for),
        finalized=_records_in(records, rate, finalized_for),
    )


def running_time_to_exhaust(
    records: int, rate: float, dialed_before: float, lag: float = FINALIZE_LAG
) -> float | None:
    """Seconds of running, from the start of this run, until every record is finalized.

    None when the CG never gets there (it dials nothing); 0 when it already has.
    """
    if records <= _records_in(records, rate, dialed_before):
        return 0.0
    if rate <= 0:
        return None
    return max(0.0, records / rate - dialed_before) + lag


def dialing_statistics(
    progress: Progress, rate: float, running: bool, busy_goal: int | None = None
) -> Statistics:
    """Plausible OCS statistics: busy and overdialing only while dialing has work left."""
    dialing = running and progress.attempted < progress.records and rate > 0
    remaining = progress.records - progress.attempted
    return Statistics(
        busy_factor=float(busy_goal if busy_goal is not None else BUSY_FACTOR) if dialing else 0.0,
        hit_ratio=HIT_RATIO if progress.finalized else 0.0,
        overdial_rate=OVERDIAL_RATE if dialing else 0.0,
        time_to_complete=round(remaining / rate, 3) if dialing else None,
    )


def _records_in(records: int, rate: float, seconds: float) -> int:
    if rate <= 0 or seconds <= 0:
        return 0
    return min(records, math.floor(rate * seconds + _EPSILON))
