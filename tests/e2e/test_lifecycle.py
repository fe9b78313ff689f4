"""Runs across operator restarts, deletions and edits."""

from datetime import timedelta

from tests.e2e.support import received_at, schedule, start_a_run, wait_for


def test_operator_restart_mid_window_does_not_start_again(namespace, ocs, dbid, operator):
    """Restarted while its window is open, the operator neither starts the group again nor
    forgets to stop it at the close."""
    group = dbid()
    opening = start_a_run(namespace, ocs, group, "long", "15s", lead=4)

    operator.stop()
    operator.start()

    closing = opening + timedelta(seconds=15)
    unloaded = wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"), timeout=30)
    assert received_at(unloaded[0]) >= closing
    assert len(ocs.requests(group, "LoadCampaign")) == 1
    assert len(ocs.requests(group, "StartDialing")) == 1


def test_deleting_a_schedule_mid_window_stops_its_groups(namespace, ocs, dbid):
    """Deleting the Schedule while its window is open stops and unloads what it started."""
    group = dbid()
    start_a_run(namespace, ocs, group, "doomed", "10m")
    namespace.kubectl("delete", "schedule", "doomed")
    wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    assert [r["req"] for r in ocs.requests(group, "StopDialing", "UnloadCampaign")] == [
        "StopDialing",
        "UnloadCampaign",
    ]


def test_edit_that_closes_the_window_stops_the_run(namespace, ocs, dbid):
    """Moving the start time so the open window no longer exists stops the group."""
    group = dbid()
    opening = start_a_run(namespace, ocs, group, "edited", "10m")

    later = opening + timedelta(hours=2)
    namespace.apply(
        schedule(
            "edited", ["edited"], daily={"at": later.strftime("%H:%M:%S")}, end={"after": "10m"}
        )
    )
    wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    status = wait_for(
        "history closed",
        lambda: (s := namespace.status("schedule", "edited"))["history"][0].get("stopReason") and s,
    )
    assert status["history"][0]["stopReason"] == "ScheduleChanged"
