"""The metrics themselves: a reconcile pass counted by outcome with each start's lag, every
OCS request counted and timed by result, and the standing numbers read from the store."""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from outbound_scheduler import ocs
from outbound_scheduler.handlers import metrics
from outbound_scheduler.handlers.executor import Executor
from outbound_scheduler.models import CampaignGroupStatus, ScheduleState, ScheduleStatus
from outbound_scheduler.ocs.simulator import Simulator
from outbound_scheduler.planning import Command, CommandKind, Decision, Notice, Outcome
from outbound_scheduler.settings import Settings
from outbound_scheduler.timing import Window

OPENING = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
WINDOW = Window(OPENING, OPENING + timedelta(hours=8))


def sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0.0


def runs(namespace, outcome):
    return sample("outbound_scheduler_runs_total", namespace=namespace, outcome=outcome)


def lag_count():
    return sample("outbound_scheduler_activation_lag_seconds_count")


def lag_sum():
    return sample("outbound_scheduler_activation_lag_seconds_sum")


def outcome(kind, seconds_late, **result):
    command = Command(kind=kind, entry="cg", ocs="default", dbid=1, run_id=WINDOW.opening)
    return Outcome(command, OPENING + timedelta(seconds=seconds_late), **result)


def notice(reason):
    return Notice("Normal", reason, f"{reason} for the test")


def test_notices_count_runs_by_outcome_in_their_namespace():
    """Started, Adopted, Missed, Skipped, Stopped, Released, OcsError and the one-time
    actions count as runs of that outcome in the Schedule's namespace; other notices
    (Suspended, RunNow) count nothing."""
    namespace = f"ns-{uuid.uuid4().hex[:6]}"
    reasons = ["Started", "Started", "Adopted", "Missed", "Skipped", "Stopped", "Released",
               "OcsError", "Stop", "ForceStop", "SetDialingMode",
               "Suspended", "RunNow"]  # fmt: skip
    metrics.observe_pass(namespace, Decision((), None), [], [notice(r) for r in reasons])

    counted = {o: runs(namespace, o) for o in set(metrics.OUTCOMES.values())}
    assert counted == {"started": 2, "adopted": 1, "missed": 1, "skipped": 1, "stopped": 1,
                       "released": 1, "failed": 1, "done": 3}  # fmt: skip
    assert runs("elsewhere", "started") == 0


def test_a_namespaces_first_pass_creates_every_outcome_at_zero():
    """Each outcome's series exists from the first pass, so increase() sees the first run."""
    namespace = f"ns-{uuid.uuid4().hex[:6]}"
    metrics.observe_pass(namespace, Decision((), None), [], [])
    for name in set(metrics.OUTCOMES.values()):
        assert REGISTRY.get_sample_value(
            "outbound_scheduler_runs_total", {"namespace": namespace, "outcome": name}
        ) == 0.0  # fmt: skip


def test_activation_lag_is_measured_from_the_opening_for_confirmed_starts_only():
    """A start OCS confirmed adds its lag from the window's opening; an adopted group, a
    failed start and a stop add nothing."""
    before = lag_count(), lag_sum()
    outcomes = [
        outcome(CommandKind.START, 0.25, ocs_state="Running"),
        outcome(CommandKind.START, 3, adopted=True),
        outcome(CommandKind.START, 4, error="OCS said no"),
        outcome(CommandKind.STOP, 5),
    ]
    metrics.observe_pass("lag", Decision((), WINDOW), outcomes, [])
    assert lag_count() - before[0] == 1
    assert lag_sum() - before[1] == pytest.approx(0.25)


def test_no_lag_without_an_open_window():
    before = lag_count()
    metrics.observe_pass("lag", Decision((), None), [outcome(CommandKind.START, 1)], [])
    assert lag_count() == before


class FakeDialect:
    """An OCS that answers each request its own way."""

    closed = False

    async def get_status(self, dbid):
        return ocs.CampaignGroupStatus(dbid=dbid, state="Running", state_code=4)

    async def load(self, dbid, *, auto_completion=False):
        raise ocs.OcsNotFound("unknown CG", dbid=dbid, request="LoadCampaign", status=404)

    async def start_dialing(self, dbid, mode, optimization=None, *, auto_completion=False):
        raise ocs.OcsUnavailable("down", dbid=dbid, request="StartDialing")

    async def stop_dialing(self, dbid):
        raise ocs.OcsConflict("no", dbid=dbid, request="StopDialing", state="Active",
                              state_code=3)  # fmt: skip

    async def unload(self, dbid):
        raise ocs.OcsError("HTTP 400", dbid=dbid, request="UnloadCampaign", status=400)

    async def force_unload(self, dbid):
        raise RuntimeError("a bug")

    async def set_dialing_mode(self, dbid, mode, optimization=None, *, auto_completion=False):
        raise asyncio.CancelledError

    async def close(self):
        self.closed = True


def requests(endpoint, request, result):
    return sample("outbound_scheduler_ocs_requests_total", ocs=endpoint, request=request,
                  result=result)  # fmt: skip


def timed(endpoint, request):
    return sample("outbound_scheduler_ocs_request_duration_seconds_count", ocs=endpoint,
                  request=request)  # fmt: skip


async def test_every_ocs_request_is_counted_by_result_and_timed():
    """Each request counts under OCS's name for it and its result (ok, not_found,
    unavailable, conflict, rejected, error) and is timed; errors still reach the caller; a
    cancelled request counts nothing; close passes through."""
    endpoint = f"ocs-{uuid.uuid4().hex[:6]}"
    fake = FakeDialect()
    dialect = metrics.metered(endpoint, fake)
    assert (await dialect.get_status(7)).state == "Running"
    for call, error in [
        (dialect.load(7), ocs.OcsNotFound),
        (dialect.start_dialing(7, "Power"), ocs.OcsUnavailable),
        (dialect.stop_dialing(7), ocs.OcsConflict),
        (dialect.unload(7), ocs.OcsError),
        (dialect.force_unload(7), RuntimeError),
        (dialect.set_dialing_mode(7, "Power"), asyncio.CancelledError),
    ]:
        with pytest.raises(error):
            await call
    await dialect.close()

    assert fake.closed
    expected = [("GetCampaignStatus", "ok"), ("LoadCampaign", "not_found"),
                ("StartDialing", "unavailable"), ("StopDialing", "conflict"),
                ("UnloadCampaign", "rejected"), ("ForceUnloadCampaign", "error")]  # fmt: skip
    for request, result in expected:
        assert requests(endpoint, request, result) == 1, (request, result)
        assert timed(endpoint, request) == 1, request
    assert timed(endpoint, "SetDialingMode") == 0


async def test_the_executor_meters_the_requests_it_sends_to_a_real_simulator():
    """A start against the simulator counts LoadCampaign, the status reads while it loads and
    StartDialing as ok under the endpoint's name; a stop of a group OCS does not know counts
    its StopDialing as not_found."""
    sim = Simulator([{"dbid": 7, "records": 100, "dialingRate": 1}], load_delay=0.02,
                    unload_delay=0.02)  # fmt: skip
    await sim.start()
    endpoint = f"ocs-{uuid.uuid4().hex[:6]}"
    executor = Executor(Settings(ocs_endpoints={endpoint: {"url": sim.base_url, "timeout": 2}}))
    try:
        start = Command(kind=CommandKind.START, entry="cg", ocs=endpoint, dbid=7, run_id="r")
        assert (await executor.run(start)).ok
        stop = Command(kind=CommandKind.STOP, entry="cg", ocs=endpoint, dbid=999, run_id="r")
        assert (await executor.run(stop)).ok
    finally:
        await executor.close()
        await sim.stop()
    for request in ("GetCampaignStatus", "LoadCampaign", "StartDialing"):
        assert requests(endpoint, request, "ok") >= 1, request
    assert requests(endpoint, "StopDialing", "not_found") == 1


@dataclass
class Record:
    status: object


@dataclass
class FakeStore:
    schedules: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)


def collected(store):
    collector = metrics.StandingCollector()
    collector.store = store
    return {family.name: {tuple(s.labels.values()): s.value for s in family.samples}
            for family in collector.collect()}  # fmt: skip


def schedule(state, next_run=None):
    return Record(ScheduleStatus(state=state, next_run=next_run))


def test_standing_numbers_are_read_from_the_store():
    """Schedules by state (every state of a namespace present, zero included), the earliest
    next run per namespace, CampaignGroups by OCS state (Unknown until OCS said) and
    penetration only where a group's status has it."""
    soon, later = OPENING, OPENING + timedelta(days=1)
    store = FakeStore(
        schedules={
            ("east", "a"): schedule(ScheduleState.ACTIVE, later),
            ("east", "b"): schedule(ScheduleState.IDLE, soon),
            ("east", "c"): schedule(ScheduleState.IDLE, later),
            ("west", "d"): schedule(ScheduleState.ERROR),
            ("west", "new"): schedule(None),  # not reconciled yet: no state to count
        },
        groups={
            ("east", "g1"): Record(CampaignGroupStatus(ocs_state="Running", penetration=12.5)),
            ("east", "g2"): Record(CampaignGroupStatus(ocs_state="Running")),
            ("west", "g3"): Record(CampaignGroupStatus()),
        },
    )
    families = collected(store)
    assert families["outbound_scheduler_schedules"] == {
        ("east", "Active"): 1, ("east", "Idle"): 2, ("east", "Suspended"): 0,
        ("east", "Error"): 0, ("west", "Active"): 0, ("west", "Idle"): 0,
        ("west", "Suspended"): 0, ("west", "Error"): 1,
    }  # fmt: skip
    assert families["outbound_scheduler_next_run_timestamp_seconds"] == {
        ("east",): soon.timestamp()
    }
    assert families["outbound_scheduler_campaign_groups"] == {
        ("east", "Running"): 2,
        ("west", "Unknown"): 1,
    }
    assert families["outbound_scheduler_campaign_group_penetration_percent"] == {
        ("east", "g1"): 12.5
    }


def test_before_start_up_the_standing_families_are_declared_but_empty():
    """With no store yet a scrape still names every family, with no samples."""
    families = collected(None)
    assert set(families) == {
        "outbound_scheduler_schedules", "outbound_scheduler_next_run_timestamp_seconds",
        "outbound_scheduler_campaign_groups",
        "outbound_scheduler_campaign_group_penetration_percent",
    }  # fmt: skip
    assert all(samples == {} for samples in families.values())


def test_ocs_request_times_fall_in_the_buckets_prometheus_expects():
    """A time on a bucket's bound counts in that bucket (le is "at most"); buckets are
    cumulative, +Inf counts every request, and the sum adds them up."""
    endpoint = f"ocs-{uuid.uuid4().hex[:6]}"
    for seconds in (0.004, 0.01, 3.0, 12.0):
        metrics.OCS_METRICS.observe(endpoint, "LoadCampaign", "ok", seconds)

    def bucket(le):
        return sample("outbound_scheduler_ocs_request_duration_seconds_bucket", ocs=endpoint,
                      request="LoadCampaign", le=le)  # fmt: skip

    bounds = ("0.005", "0.01", "2.5", "5.0", "10.0", "+Inf")
    assert [bucket(le) for le in bounds] == [1, 2, 2, 3, 3, 4]
    assert sample("outbound_scheduler_ocs_request_duration_seconds_sum", ocs=endpoint,
                  request="LoadCampaign") == pytest.approx(15.014)  # fmt: skip
    assert requests(endpoint, "LoadCampaign", "ok") == 4
