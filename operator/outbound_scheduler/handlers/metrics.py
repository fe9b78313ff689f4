"""Prometheus metrics: what ran, how late, what OCS answered, and what stands now.

Events are counted where they happen: the reconciler reports each pass (runs by outcome,
activation lag) and every OCS request goes through a metered dialect (count, result,
latency). What stands now — Schedules by state, Campaign Groups by OCS state, the next
opening, penetration — is read from the in-memory store at scrape time, so it always says
what the operator believes and needs no bookkeeping of its own.

The operator's HTTP server (handlers.server) serves them on its own event loop, so a scrape
reads the store between two steps of the reconciler, never in the middle of one. Labels stay
bounded: namespaces, outcomes,
states, OCS endpoint and request names; never a Schedule's name.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

import prometheus_client
from prometheus_client import Counter, Histogram
from prometheus_client.core import (
    REGISTRY,
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from outbound_scheduler import ocs
from outbound_scheduler.models import CampaignGroupStatus, ScheduleState, ScheduleStatus
from outbound_scheduler.planning import CommandKind, Decision, Notice, Outcome

logger = logging.getLogger(__name__)

# A _created sample per series doubles the output and tells Prometheus nothing it uses.
prometheus_client.disable_created_metrics()

# Event reasons (see planning.record) that end or begin a run, by the outcome they count as.
OUTCOMES = {
    "Started": "started",
    "Adopted": "adopted",
    "Missed": "missed",
    "Skipped": "skipped",
    "Stopped": "stopped",
    "Released": "released",
    "OcsError": "failed",
    # A one-time action at the opening, recorded as Done: Stop, ForceStop, SetDialingMode.
    "Stop": "done",
    "ForceStop": "done",
    "SetDialingMode": "done",
}
LAG_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
OCS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# The dialect's coroutines, by the name OCS gives the request.
OCS_REQUESTS = {
    "get_status": "GetCampaignStatus",
    "load": "LoadCampaign",
    "start_dialing": "StartDialing",
    "stop_dialing": "StopDialing",
    "unload": "UnloadCampaign",
    "force_unload": "ForceUnloadCampaign",
    "set_dialing_mode": "SetDialingMode",
}

RUNS = Counter(
    "outbound_scheduler_runs",
    "Runs (one window of one Campaign Group) by what came of them: started (or loaded, for "
    "StartPaused), adopted, missed, skipped, stopped, released (another window keeps the "
    "group), done (a one-time Stop, ForceStop or SetDialingMode), failed (an OCS command "
    "failed; counted once per distinct error, retries are quiet).",
    ["namespace", "outcome"],
)
ACTIVATION_LAG = Histogram(
    "outbound_scheduler_activation_lag_seconds",
    "Seconds from a window's opening to the completion of the start (or paused load) that "
    "OCS confirmed.",
    buckets=LAG_BUCKETS,
)
_COUNTED: set[str] = set()  # namespaces whose runs series exist


def observe_pass(
    namespace: str, decision: Decision, outcomes: Sequence[Outcome], notices: Iterable[Notice]
) -> None:
    """Count one reconcile pass of a Schedule: its runs' outcomes and each start's lag.

    Outcomes are counted from the pass's notices, which say each thing once: a failure
    retried with the same error is not announced, nor counted, again."""
    if namespace not in _COUNTED:
        # Every outcome's series from zero: increase() cannot see a series' first sample.
        for outcome in OUTCOMES.values():
            RUNS.labels(namespace=namespace, outcome=outcome)
        _COUNTED.add(namespace)
    for notice in notices:
        outcome = OUTCOMES.get(notice.reason)
        if outcome is not None:
            RUNS.labels(namespace=namespace, outcome=outcome).inc()
    if decision.window is None:
        return
    for done in outcomes:
        if done.command.kind is CommandKind.START and done.ok and not done.adopted:
            lag = (done.at - decision.window.start).total_seconds()
            ACTIVATION_LAG.observe(max(lag, 0.0))


def result_of(error: Exception) -> str:
    if isinstance(error, ocs.OcsNotFound):
        return "not_found"
    if isinstance(error, ocs.OcsConflict):
        return "conflict"
    if isinstance(error, ocs.OcsUnavailable):
        return "unavailable"
    return "rejected" if isinstance(error, ocs.OcsError) else "error"


class OcsRequests(Collector):
    """Every request to OCS, counted by result and timed. Two go out per start and thousands
    of starts at 08:00 sharp, so each is noted in plain numbers (about 1 us, where the
    client library's locked counter and histogram took 5); a scrape reads them."""

    def __init__(self) -> None:
        self._results: dict[tuple[str, str, str], int] = {}  # (ocs, request, result) → count
        # (ocs, request) → observations per bucket (the last one +Inf), then their sum
        self._times: dict[tuple[str, str], list[float]] = {}

    def observe(self, endpoint: str, request: str, result: str, seconds: float) -> None:
        key = (endpoint, request, result)
        self._results[key] = self._results.get(key, 0) + 1
        times = self._times.get(key[:2])
        if times is None:
            times = self._times[key[:2]] = [0] * (len(OCS_BUCKETS) + 1) + [0.0]
        times[bisect.bisect_left(OCS_BUCKETS, seconds)] += 1
        times[-1] += seconds

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        requests, durations = self._families()
        for labels, count in sorted(self._results.items()):
            requests.add_metric(list(labels), count)
        bounds = [*map(floatToGoString, OCS_BUCKETS), "+Inf"]
        for labels, times in sorted(self._times.items()):
            counts = itertools.accumulate(times[:-1])
            durations.add_metric(list(labels), list(zip(bounds, counts, strict=True)), times[-1])
        return iter([requests, durations])

    @staticmethod
    def _families() -> tuple[CounterMetricFamily, HistogramMetricFamily]:
        return (
            CounterMetricFamily(
                "outbound_scheduler_ocs_requests",
                "Requests sent to OCS, by endpoint, request and result: ok, not_found, "
                "conflict, unavailable (5xx or no answer after retries), rejected (another "
                "4xx), error.",
                labels=["ocs", "request", "result"],
            ),
            HistogramMetricFamily(
                "outbound_scheduler_ocs_request_duration_seconds",
                "Seconds one OCS request took, retries included, by endpoint and request.",
                labels=["ocs", "request"],
            ),
        )


OCS_METRICS = OcsRequests()
REGISTRY.register(OCS_METRICS)


class MeteredDialect:
    """An OCS dialect that counts and times each request on its way to the real one.

    The requests are the coroutines `OCS_REQUESTS` names; everything else passes through."""

    def __init__(self, endpoint: str, dialect: ocs.OcsDialect) -> None:
        self.endpoint = endpoint
        self.dialect = dialect
        # Wrapped once: an instance attribute is found before __getattr__ is asked.
        for name, request in OCS_REQUESTS.items():
            setattr(self, name, self._metered(request, getattr(dialect, name)))

    def __repr__(self) -> str:
        return f"MeteredDialect({self.endpoint!r}, {self.dialect!r})"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dialect, name)

    def _metered(self, request: str, call: Callable[..., Any]) -> Callable[..., Any]:
        async def metered(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = None  # stays None when cancelled: neither a success nor a failure
            try:
                answer = await call(*args, **kwargs)
                result = "ok"
                return answer
            except Exception as error:
                result = result_of(error)
                raise
            finally:
                if result is not None:
                    seconds = time.perf_counter() - started
                    OCS_METRICS.observe(self.endpoint, request, result, seconds)

        return metered


def metered(endpoint: str, dialect: ocs.OcsDialect) -> ocs.OcsDialect:
    return MeteredDialect(endpoint, dialect)


class Known(Protocol):
    """What the scrape reads of the store: Schedules' and CampaignGroups' records by key."""

    schedules: dict[tuple[str, str], Any]  # records with a ScheduleStatus `status`
    groups: dict[tuple[str, str], Any]  # records with a CampaignGroupStatus `status`


def schedules_by_state(statuses: Iterable[tuple[str, ScheduleStatus]]) -> dict[tuple, int]:
    """(namespace, state) → Schedules; every state of a namespace seen, zero included."""
    tally = Tally((ns, str(status.state)) for ns, status in statuses if status.state is not None)
    for namespace in {ns for ns, _ in tally}:
        for state in ScheduleState:
            tally.setdefault((namespace, str(state)), 0)
    return dict(tally)


def next_runs(statuses: Iterable[tuple[str, ScheduleStatus]]) -> dict[str, float]:
    """namespace → the earliest next opening among its Schedules, as a Unix time."""
    earliest: dict[str, float] = {}
    for namespace, status in statuses:
        if status.next_run is not None:
            at = status.next_run.timestamp()
            earliest[namespace] = min(at, earliest.get(namespace, at))
    return earliest


def groups_by_state(statuses: Iterable[tuple[str, CampaignGroupStatus]]) -> dict[tuple, int]:
    """(namespace, OCS state) → CampaignGroups; one OCS has not told of yet counts Unknown."""
    return dict(Tally((ns, status.ocs_state or "Unknown") for ns, status in statuses))


class StandingCollector(Collector):
    """The numbers that describe now, computed from the store at each scrape."""

    def __init__(self) -> None:
        self.store: Known | None = None

    def describe(self) -> Iterator[Metric]:
        return iter(self._families())

    def collect(self) -> Iterator[Metric]:
        families = self._families()
        if self.store is not None:
            fill(families, self.store)
        return iter(families)

    @staticmethod
    def _families() -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(
                "outbound_scheduler_schedules",
                "Schedules by state: Active (a window is open), Idle, Suspended, Error.",
                labels=["namespace", "state"],
            ),
            GaugeMetricFamily(
                "outbound_scheduler_next_run_timestamp_seconds",
                "The earliest next opening among the namespace's Schedules, as a Unix time.",
                labels=["namespace"],
            ),
            GaugeMetricFamily(
                "outbound_scheduler_campaign_groups",
                "CampaignGroups by the state OCS last reported (Unknown: not reported yet).",
                labels=["namespace", "state"],
            ),
            GaugeMetricFamily(
                "outbound_scheduler_campaign_group_penetration_percent",
                "Records attempted at least once, in percent, where the CampaignGroup's status "
                "has it.",
                labels=["namespace", "campaigngroup"],
            ),
        ]


def fill(families: list[GaugeMetricFamily], store: Known) -> None:
    schedules_family, next_run_family, groups_family, penetration_family = families
    # Copied first: a scrape must not see the dicts change under it.
    schedules = [(ns, record.status) for (ns, _), record in list(store.schedules.items())]
    groups = [(key, record.status) for key, record in list(store.groups.items())]

    for (namespace, state), count in sorted(schedules_by_state(schedules).items()):
        schedules_family.add_metric([namespace, state], count)
    for namespace, at in sorted(next_runs(schedules).items()):
        next_run_family.add_metric([namespace], at)
    group_states = groups_by_state((ns, status) for (ns, _), status in groups)
    for (namespace, state), count in sorted(group_states.items()):
        groups_family.add_metric([namespace, state], count)
    for (namespace, name), status in sorted(groups):
        if status.penetration is not None:
            penetration_family.add_metric([namespace, name], status.penetration)


STANDING = StandingCollector()
REGISTRY.register(STANDING)
