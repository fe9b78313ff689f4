"""Time that passes while the operator is down, and requests made while it is up."""

import json
from datetime import timedelta

from tests.e2e.support import (
    campaign_group,
    opening_in,
    received_at,
    schedule,
    start_a_run,
    wait_for,
    wait_past,
)


def at(opening):
    return {"at": opening.strftime("%H:%M:%S")}


def test_started_inside_the_window_within_the_deadline_starts_once(namespace, ocs, dbid, operator):
    """Down at the opening and back 3 s later (deadline 5 min): the group starts, once."""
    group = dbid()
    ocs.register(group)
    operator.stop()
    opening = opening_in(1)
    namespace.apply(
        campaign_group("late", group),
        schedule("late", ["late"], daily=at(opening), end={"after": "30s"}),
    )
    wait_past(opening + timedelta(seconds=2))
    operator.start()
    started = wait_for("StartDialing", lambda: ocs.requests(group, "StartDialing"))
    assert received_at(started[0]) > opening + timedelta(seconds=2)
    status = wait_for("run recorded", lambda: namespace.status("schedule", "late").get("history"))
    assert status[0]["started"]
    namespace.kubectl("delete", "schedule", "late")
    wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    assert len(ocs.requests(group, "StartDialing")) == 1


def test_beyond_the_deadline_the_run_is_missed(namespace, ocs, dbid, operator):
    """Down at the opening and back after startingDeadlineSeconds: Missed, nothing started."""
    group = dbid()
    ocs.register(group)
    operator.stop()
    opening = opening_in(1)
    namespace.apply(
        campaign_group("late", group),
        schedule(
            "late", ["late"], daily=at(opening), end={"after": "1m"}, startingDeadlineSeconds=1
        ),
    )
    wait_past(opening + timedelta(seconds=3))
    operator.start()
    status = wait_for(
        "Missed",
        lambda: (
            (s := namespace.status("schedule", "late")).get("history")
            and s["history"][0].get("stopReason") == "Missed"
            and s
        ),
    )
    assert status["state"] == "Active"
    assert "Missed" in namespace.kubectl("get", "events", "--field-selector", "reason=Missed")
    assert ocs.requests(group, "LoadCampaign", "StartDialing") == []


def test_window_that_closed_during_downtime_is_stopped_and_recorded(namespace, ocs, dbid, operator):
    """Down from mid-window to after its close: on return the group is stopped (WindowClosed)."""
    group = dbid()
    opening = start_a_run(namespace, ocs, group, "cut", "6s")
    operator.stop()
    closing = opening + timedelta(seconds=6)
    wait_past(closing)
    assert ocs.requests(group, "StopDialing") == []
    assert ocs.state(group) == "Running"

    operator.start()
    unloaded = wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    assert received_at(unloaded[0]) > closing
    status = wait_for(
        "closed run",
        lambda: (s := namespace.status("schedule", "cut"))["history"][0].get("stopReason") and s,
    )
    assert status["history"][0]["stopReason"] == "WindowClosed"
    assert status["state"] == "Idle"


def test_deleted_while_the_operator_is_down_is_stopped_on_its_return(
    namespace, ocs, dbid, operator
):
    """A Schedule deleted mid-window while the operator is down still gets its group stopped:
    the finalizer keeps it until the operator is back, stops the group and lets it go."""
    group = dbid()
    start_a_run(namespace, ocs, group, "orphan", "10m")
    operator.stop()
    namespace.kubectl("delete", "schedule", "orphan", "--wait=false")
    assert namespace.get("schedule", "orphan")["metadata"]["deletionTimestamp"]

    operator.start()
    wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    wait_for(
        "the Schedule to go",
        lambda: "orphan" not in namespace.kubectl("get", "schedules", "-o", "name"),
    )


def test_run_now_annotation_runs_once_and_leaves_the_spec_alone(namespace, ocs, dbid):
    """Annotating run-now opens one window at once with the normal end; the spec is untouched."""
    group = dbid()
    ocs.register(group)
    namespace.apply(
        campaign_group("adhoc", group),
        schedule("adhoc", ["adhoc"], daily={"at": "03:00"}, end={"after": "4s"}),
    )
    wait_for("status", lambda: namespace.status("schedule", "adhoc").get("nextRun"))
    generation = namespace.get("schedule", "adhoc")["metadata"]["generation"]

    namespace.kubectl("annotate", "schedule", "adhoc", "outbound.dev/run-now=first")
    wait_for("StartDialing", lambda: ocs.requests(group, "StartDialing"))
    wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    stopped = ocs.requests(group, "StopDialing")[0]
    started = ocs.requests(group, "StartDialing")[0]
    assert (
        timedelta(seconds=3.5) < received_at(stopped) - received_at(started) < timedelta(seconds=5)
    )

    status = namespace.status("schedule", "adhoc")
    assert status["runNow"]["token"] == "first"
    assert status["history"][0]["note"] == "run now (first)"
    assert namespace.get("schedule", "adhoc")["metadata"]["generation"] == generation
    namespace.kubectl("annotate", "schedule", "adhoc", "unrelated=1")
    assert len(ocs.requests(group, "StartDialing")) == 1


def test_suspend_mid_window_stops_and_shows_the_reason(namespace, ocs, dbid):
    """suspend: true with a reason stops the running group; STATUS shows Suspended."""
    group = dbid()
    start_a_run(namespace, ocs, group, "paused", "10m")
    patch = {"spec": {"suspend": True, "suspendReason": "compliance review"}}
    namespace.kubectl("patch", "schedule", "paused", "--type", "merge", "-p", json.dumps(patch))
    wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    status = wait_for(
        "Suspended",
        lambda: (s := namespace.status("schedule", "paused"))["state"] == "Suspended" and s,
    )
    assert status["suspendReason"] == "compliance review"
    assert status["history"][0]["stopReason"] == "Suspended"
