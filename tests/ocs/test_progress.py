"""Dialing progress and statistics of the simulator, as pure arithmetic: no clock, no sleep."""

from __future__ import annotations

import pytest

from outbound_scheduler.ocs.simulator.progress import (
    BUSY_FACTOR,
    Progress,
    dialing_progress,
    dialing_statistics,
    running_time_to_exhaust,
)


def test_nothing_dialed_before_running() -> None:
    """A CG that never ran has attempted and finalized nothing."""
    progress = dialing_progress(records=100, rate=10, dialed_before=0, running_for=0, lag=1)
    assert (progress.attempted, progress.finalized) == (0, 0)
    assert (progress.penetration, progress.completion) == (0.0, 0.0)


def test_attempts_grow_with_running_time() -> None:
    """Attempted records are rate times seconds running."""
    progress = dialing_progress(records=100, rate=10, dialed_before=0, running_for=3.5, lag=1)
    assert progress.attempted == 35
    assert progress.penetration == pytest.approx(0.35)


def test_finalized_lags_attempted_while_running() -> None:
    """Calls take `lag` seconds to finish, so completion trails penetration."""
    progress = dialing_progress(records=100, rate=10, dialed_before=0, running_for=3.5, lag=1)
    assert progress.finalized == 25
    assert progress.completion < progress.penetration


def test_earlier_runs_count_fully_finalized() -> None:
    """After a stop the calls in flight finish: earlier runs add to both counts."""
    progress = dialing_progress(records=100, rate=10, dialed_before=4, running_for=0.5, lag=1)
    assert (progress.attempted, progress.finalized) == (45, 40)


def test_counts_never_exceed_records() -> None:
    """Penetration and completion stop at 1 however long the CG runs."""
    progress = dialing_progress(records=100, rate=10, dialed_before=50, running_for=500, lag=1)
    assert (progress.attempted, progress.finalized) == (100, 100)
    assert progress.exhausted


def test_float_rounding_does_not_lose_a_record() -> None:
    """0.3 s at 10/s is 3 records even though 10 * 0.3 is 2.9999... in floating point."""
    progress = dialing_progress(records=100, rate=10, dialed_before=0.1, running_for=0.2, lag=0)
    assert progress.attempted == 3


def test_zero_rate_dials_nothing() -> None:
    """A CG with dialing rate 0 stays at zero progress."""
    progress = dialing_progress(records=100, rate=0, dialed_before=0, running_for=60, lag=1)
    assert progress == Progress(records=100, attempted=0, finalized=0)


def test_empty_list_counts_as_done() -> None:
    """A CG with no records is fully penetrated and complete."""
    progress = dialing_progress(records=0, rate=10, dialed_before=0, running_for=0, lag=1)
    assert (progress.penetration, progress.completion, progress.exhausted) == (1.0, 1.0, True)


def test_time_to_exhaust_includes_the_finalize_lag() -> None:
    """100 records at 10/s are attempted after 10 s and finalized one lag later."""
    assert running_time_to_exhaust(records=100, rate=10, dialed_before=0, lag=1) == 11


def test_time_to_exhaust_counts_earlier_runs() -> None:
    """What earlier runs dialed shortens the time still needed."""
    assert running_time_to_exhaust(records=100, rate=10, dialed_before=4, lag=1) == 7


def test_time_to_exhaust_agrees_with_progress() -> None:
    """At exactly the returned running time the CG is exhausted, and a moment before it is not."""
    needed = running_time_to_exhaust(records=7, rate=3, dialed_before=0.4, lag=0.25)
    assert needed is not None
    assert dialing_progress(7, 3, 0.4, needed, lag=0.25).exhausted
    assert not dialing_progress(7, 3, 0.4, needed - 0.01, lag=0.25).exhausted


def test_time_to_exhaust_is_none_when_nothing_is_dialed() -> None:
    """A CG that dials nothing never runs out of records."""
    assert running_time_to_exhaust(records=100, rate=0, dialed_before=0, lag=1) is None


def test_time_to_exhaust_is_zero_when_already_done() -> None:
    """A CG whose earlier runs dialed everything is exhausted at once."""
    assert running_time_to_exhaust(records=10, rate=10, dialed_before=5, lag=1) == 0


def test_statistics_while_dialing() -> None:
    """While dialing with records left: busy factor, overdial and time to complete are set."""
    progress = Progress(records=100, attempted=40, finalized=30)
    stats = dialing_statistics(progress, rate=10, running=True)
    assert stats.busy_factor == BUSY_FACTOR
    assert stats.overdial_rate > 0
    assert stats.hit_ratio > 0
    assert stats.time_to_complete == pytest.approx(6.0)


def test_statistics_follow_a_busy_factor_goal() -> None:
    """A CG optimized by busy factor reports its goal as the busy factor."""
    stats = dialing_statistics(Progress(100, 10, 5), rate=10, running=True, busy_goal=75)
    assert stats.busy_factor == 75


def test_statistics_when_not_dialing() -> None:
    """A loaded CG that is not dialing is not busy and has no time to complete."""
    stats = dialing_statistics(Progress(100, 0, 0), rate=10, running=False)
    assert (stats.busy_factor, stats.hit_ratio, stats.overdial_rate) == (0.0, 0.0, 0.0)
    assert stats.time_to_complete is None
