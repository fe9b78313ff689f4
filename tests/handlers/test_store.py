"""The in-memory store: what watch events change, and the views the planner gets."""

from datetime import UTC, datetime

from outbound_scheduler.handlers.store import Store
from outbound_scheduler.models import EntryStatus, ScheduleStatus
from outbound_scheduler.settings import Settings

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def settings() -> Settings:
    return Settings(ocs_endpoints={"default": {"url": "http://127.0.0.1:9"}})


def body(kind, name, spec, generation=1, uid=None, status=None, namespace="ns"):
    return {
        "kind": kind,
        "metadata": {
            "namespace": namespace,
            "name": name,
            "uid": uid or f"uid-{name}",
            "generation": generation,
        },
        "spec": spec,
        "status": status or {},
    }


def schedule(name, groups, at="09:00", generation=1, status=None):
    spec = {"daily": {"at": at}, "end": {"at": "17:00"}, "campaignGroups": groups}
    return body("Schedule", name, spec, generation, status=status)


def group(name, dbid, ocs="default", generation=1):
    return body("CampaignGroup", name, {"dbid": dbid, "ocs": ocs}, generation)


def test_only_a_new_generation_counts_as_a_change():
    """A status-only event (same generation) is not a change; a new generation is."""
    store = Store(settings())
    assert store.put_schedule(schedule("s", [{"name": "a"}]))
    assert not store.put_schedule(schedule("s", [{"name": "a"}]))
    assert store.put_schedule(schedule("s", [{"name": "a"}], at="10:00", generation=2))


def test_own_status_wins_over_later_echoes():
    """Once read, the operator's own status copy is kept when events carry an older one."""
    store = Store(settings())
    store.put_schedule(schedule("s", [{"name": "a"}]))
    written = ScheduleStatus(state="Active", campaign_groups=[EntryStatus(name="a", run_id="r")])
    store.schedules[("ns", "s")].status = written
    store.put_schedule(schedule("s", [{"name": "a"}], at="10:00", generation=2, status={}))
    assert store.schedules[("ns", "s")].status == written


def test_invalid_spec_is_kept_with_its_problem():
    """A Schedule whose spec cannot be parsed is remembered with the reason, not dropped."""
    store = Store(settings())
    store.put_schedule(body("Schedule", "bad", {"cron": "nope", "campaignGroups": [{"name": "a"}]}))
    record = store.schedules[("ns", "bad")]
    assert record.spec is None
    assert record.problem is not None
    assert "spec.cron" in record.problem


def test_groups_know_which_schedules_name_them():
    """A CampaignGroup change finds the Schedules that name it, and only those."""
    store = Store(settings())
    store.put_schedule(schedule("one", [{"name": "a"}, {"name": "b"}]))
    store.put_schedule(schedule("two", [{"name": "b"}]))
    assert store.schedules_naming(("ns", "a")) == {("ns", "one")}
    assert store.schedules_naming(("ns", "b")) == {("ns", "one"), ("ns", "two")}
    store.drop_schedule(("ns", "one"))
    assert store.schedules_naming(("ns", "b")) == {("ns", "two")}


def test_unknown_ocs_endpoint_makes_the_group_unusable():
    """A CampaignGroup naming an OCS endpoint the settings lack is invalid, naming spec.ocs."""
    store = Store(settings())
    store.put_group(group("a", 1, ocs="nowhere"))
    store.put_schedule(schedule("s", [{"name": "a"}]))
    view = store.view(("ns", "s"), NOW, store.schedules[("ns", "s")])
    assert "spec.ocs: no OCS endpoint named 'nowhere'" in view.unusable_groups["a"]


def test_wanted_elsewhere_sees_other_open_windows_on_the_same_group():
    """A group held by one Schedule counts as wanted when another's window is open on it,
    even through a different CampaignGroup object with the same OCS and DBID."""
    store = Store(settings())
    store.put_group(group("a", 42))
    store.put_group(group("a-alias", 42))
    held = {"campaignGroups": [{"name": "a", "ocs": "default", "dbid": 42, "runId": "r"}]}
    store.put_schedule(schedule("closing", [{"name": "a"}], at="05:00", status=held))
    store.put_schedule(schedule("open", [{"name": "a-alias"}], at="09:00"))
    closing = store.schedules[("ns", "closing")]
    assert store.view(("ns", "closing"), NOW, closing).wanted_elsewhere == {("default", 42)}
    store.drop_schedule(("ns", "open"))
    assert store.view(("ns", "closing"), NOW, closing).wanted_elsewhere == frozenset()


def test_a_missed_run_elsewhere_does_not_keep_a_group_running():
    """Another open window whose run on the group was Missed does not want it: it holds
    nothing, so the closing Schedule must stop the group."""
    store = Store(settings())
    store.put_group(group("a", 42))
    held = {"campaignGroups": [{"name": "a", "ocs": "default", "dbid": 42, "runId": "r"}]}
    store.put_schedule(schedule("closing", [{"name": "a"}], at="05:00", status=held))
    missed = {
        "campaignGroups": [
            {
                "name": "a",
                "runId": "20261207T090000Z",
                "stopped": "2026-12-07T09:10:00Z",
                "stopReason": "Missed",
            }
        ]
    }
    store.put_schedule(schedule("open", [{"name": "a"}], at="09:00", status=missed))
    closing = store.schedules[("ns", "closing")]
    assert store.view(("ns", "closing"), NOW, closing).wanted_elsewhere == frozenset()


def test_pointing_a_group_elsewhere_forgets_what_ocs_said_of_the_old_one():
    """A CampaignGroup whose DBID changes no longer shows the old group's OCS state."""
    store = Store(settings())
    store.put_group(group("a", 1))
    known = store.groups[("ns", "a")]
    known.status = known.status.model_copy(update={"ocs_state": "Running"})
    store.put_group(group("a", 2, generation=2))
    assert store.groups[("ns", "a")].status.ocs_state is None
    assert store.groups_with_id(("default", 1)) == set()
    assert store.groups_with_id(("default", 2)) == {("ns", "a")}
