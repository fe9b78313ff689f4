"""Every action of CX Contact's schedules, carried out against the simulator."""

from tests.e2e.support import campaign_group, opening_in, schedule, start_a_run, wait_for


def at(opening):
    return {"at": opening.strftime("%H:%M:%S")}


def test_start_paused_then_stop(namespace, ocs, dbid):
    """StartPaused loads without dialing; a Stop action later unloads the group, once."""
    group = dbid()
    ocs.register(group)
    load_at, stop_at = opening_in(2), opening_in(5)
    namespace.apply(
        campaign_group("paused", group),
        schedule(
            "load",
            [{"name": "paused", "action": "StartPaused"}],
            daily=at(load_at),
            end={"after": "10m"},
        ),
        schedule(
            "unload", [{"name": "paused", "action": "Stop"}], daily=at(stop_at), end={"after": "1m"}
        ),
    )
    wait_for("Active (loaded)", lambda: ocs.state(group) == "Active", timeout=20)
    wait_for("NotLoaded", lambda: ocs.state(group) == "NotLoaded", timeout=20)
    assert [r["req"] for r in ocs.requests(group, "LoadCampaign", "UnloadCampaign")] == [
        "LoadCampaign",
        "UnloadCampaign",
    ]
    assert ocs.requests(group, "StartDialing") == []
    done = wait_for("Stop done", lambda: namespace.status("schedule", "unload").get("history"))
    assert (done[0]["stopReason"], done[0]["note"]) == ("Done", "action Stop")


def test_force_stop_unloads_a_dialing_group_at_once(namespace, ocs, dbid):
    """A ForceStop action sends ForceUnloadCampaign to a group another Schedule is running."""
    group = dbid()
    opening = start_a_run(namespace, ocs, group, "busy", "10m")
    force_at = opening_in(2)
    assert force_at > opening
    namespace.apply(
        schedule(
            "halt",
            [{"name": "busy", "action": "ForceStop"}],
            daily=at(force_at),
            end={"after": "1m"},
        )
    )
    wait_for("ForceUnloadCampaign", lambda: ocs.requests(group, "ForceUnloadCampaign"), timeout=20)
    assert ocs.state(group) == "NotLoaded"
    assert "ForceStop" in namespace.kubectl("get", "events", "--field-selector", "reason=ForceStop")


def test_set_dialing_mode_changes_a_running_group(namespace, ocs, dbid):
    """A SetDialingMode action sends the new mode and optimization to a running group."""
    group = dbid()
    start_a_run(namespace, ocs, group, "tuned", "10m")
    change_at = opening_in(2)
    entry = {
        "name": "tuned",
        "action": "SetDialingMode",
        "dialingMode": "Preview",
        "optimization": {"method": "OverdialRate", "goal": 3},
    }
    namespace.apply(schedule("retune", [entry], daily=at(change_at), end={"after": "1m"}))
    changed = wait_for("SetDialingMode", lambda: ocs.requests(group, "SetDialingMode"), timeout=20)
    assert changed[0]["body"]["GSW_DIAL_MODE"] == 3  # Preview
    assert ocs.state(group) == "Running"


def test_two_schedules_share_a_group_until_the_last_window_closes(namespace, ocs, dbid):
    """Overlapping windows of two Schedules start the group once; the first closing only
    releases it, the last one stops it."""
    group = dbid()
    ocs.register(group)
    opening = opening_in(2)
    namespace.apply(
        campaign_group("shared", group),
        schedule("short", ["shared"], daily=at(opening), end={"after": "4s"}),
        schedule("long", ["shared"], daily=at(opening), end={"after": "9s"}),
    )
    released = wait_for(
        "Released",
        lambda: (
            "Released" in namespace.kubectl("get", "events", "--field-selector", "reason=Released")
        ),
        timeout=20,
    )
    assert released
    assert ocs.requests(group, "StopDialing") == []
    assert ocs.state(group) == "Running"
    wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"), timeout=20)
    assert len(ocs.requests(group, "StartDialing")) == 1
    assert len(ocs.requests(group, "StopDialing")) == 1
