"""What OCS reports drives runs: stop rules, sequences, a person's stop, CampaignGroup
statistics. Simulated groups dial fast (records per second) so thresholds come in seconds."""

from datetime import UTC, datetime, timedelta

from outbound_scheduler.cli import dev
from tests.e2e.support import (
    campaign_group,
    opening_in,
    received_at,
    schedule,
    start_a_run,
    wait_for,
)


def at(opening):
    return {"at": opening.strftime("%H:%M:%S")}


def history_of(namespace, name, group):
    return [
        r
        for r in namespace.status("schedule", name).get("history", [])
        if r["campaignGroup"] == group
    ]


def ended(namespace, name, group):
    runs = history_of(namespace, name, group)
    return runs[0] if runs and runs[0].get("stopReason") else None


def test_stop_at_90_percent_penetration(namespace, ocs, dbid):
    """stopWhen.penetration 90: the group is stopped when OCS reports 90 %, long before the
    window ends; history keeps the reason and the final statistic; the CampaignGroup shows
    penetration and completion from OCS."""
    group = dbid()
    ocs.register(group, records=100, dialing_rate=20)  # 90 % after about 4.5 s of dialing
    opening = opening_in(2)
    entry = {"name": "blast", "stopWhen": {"penetration": 90}}
    namespace.apply(
        campaign_group("blast", group),
        schedule("until-90", [entry], daily=at(opening), end={"after": "10m"}),
    )
    run = wait_for("run ended", lambda: ended(namespace, "until-90", "blast"), timeout=30)
    assert run["stopReason"] == "Penetration"
    assert 90 <= run["penetration"] <= 100
    assert ocs.state(group) == "NotLoaded"
    assert [r["req"] for r in ocs.requests(group, "StartDialing", "StopDialing")] == [
        "StartDialing",
        "StopDialing",
    ]
    shown = namespace.status("campaigngroup", "blast")
    assert shown["penetration"] >= 90
    assert shown["completion"] is not None
    stopped = namespace.kubectl("get", "events", "--field-selector", "reason=Stopped")
    assert "(Penetration)" in stopped


def test_second_group_starts_when_the_first_reaches_its_threshold(namespace, ocs, dbid):
    """A sequence of three: second starts when first reaches 50 % penetration, third when
    second completes (auto-completion unloads it in OCS). None starts early."""
    first, second, third = dbid(), dbid(), dbid()
    ocs.register(first, records=200, dialing_rate=20)  # 50 % after 5 s
    ocs.register(second, records=40, dialing_rate=20)  # done after about 3 s
    ocs.register(third, records=1000, dialing_rate=5)
    opening = opening_in(2)
    entries = [
        {"name": "first"},
        {"name": "second", "autoCompletion": True,
         "after": {"campaignGroup": "first", "penetration": 50}},
        {"name": "third", "after": {"campaignGroup": "second", "completed": True}},
    ]  # fmt: skip
    namespace.apply(
        campaign_group("first", first),
        campaign_group("second", second),
        campaign_group("third", third),
        schedule("chain", entries, daily=at(opening), end={"after": "10m"}),
    )
    waiting = wait_for(
        "second waiting",
        lambda: [e for e in namespace.status("schedule", "chain").get("campaignGroups", [])
                 if e.get("waitingFor") == "first penetration ≥ 50%"],
    )  # fmt: skip
    assert waiting
    started = wait_for("second started", lambda: ocs.requests(second, "StartDialing"), timeout=30)
    first_start = ocs.requests(first, "StartDialing")[0]
    # By then OCS had dialed the first group for at least the 5 s that 50 % takes.
    assert (received_at(started[0]) - received_at(first_start)).total_seconds() >= 4.5
    assert ocs.requests(third, "LoadCampaign") == []

    third_started = wait_for("third", lambda: ocs.requests(third, "StartDialing"), timeout=40)
    assert ocs.state(second) == "NotLoaded"  # completed before the third began
    assert received_at(third_started[0]) > received_at(started[0])
    run = wait_for("second completed", lambda: ended(namespace, "chain", "second"), timeout=20)
    assert run["stopReason"] == "Completed"
    assert run["completion"] == 100
    assert ocs.state(first) == "Running"


def test_run_for_a_duration(namespace, ocs, dbid):
    """stopWhen.after 3s ends the run 3 s after its start although the window lasts 10 min."""
    group = dbid()
    ocs.register(group)
    opening = opening_in(2)
    entry = {"name": "short", "stopWhen": {"after": "3s"}}
    namespace.apply(
        campaign_group("short", group),
        schedule("three-seconds", [entry], daily=at(opening), end={"after": "10m"}),
    )
    run = wait_for("run ended", lambda: ended(namespace, "three-seconds", "short"), timeout=30)
    assert run["stopReason"] == "Duration"
    start = received_at(ocs.requests(group, "StartDialing")[0])
    stop = received_at(ocs.requests(group, "StopDialing")[0])
    assert 3 <= (stop - start).total_seconds() < 5


def test_a_person_stopping_the_group_is_respected_for_the_window(namespace, ocs, dbid):
    """A person stops the group in OCS during the window: the run ends StoppedInOcs with an
    Event, and the operator does not start it again while the window stays open."""
    group = dbid()
    start_a_run(namespace, ocs, group, "respect", "10m")
    ocs.call("POST", f"/admin/campaigngroups/{group}/stop")
    run = wait_for("run ended", lambda: ended(namespace, "respect", "respect"), timeout=20)
    assert run["stopReason"] == "StoppedInOcs"
    events = namespace.kubectl("get", "events", "--field-selector", "reason=StoppedInOcs")
    assert "stopped in OCS" in events
    # A later pass over the Schedule (a spec edit) inside the same window starts nothing.
    namespace.kubectl("patch", "schedule", "respect", "--type=merge", "-p",
                      '{"spec": {"description": "edited"}}')  # fmt: skip
    wait_for(
        "a pass after the edit",
        lambda: namespace.status("schedule", "respect").get("description") == "edited",
    )
    assert len(ocs.requests(group, "LoadCampaign")) == 1
    assert ocs.state(group) == "NotLoaded"


def test_the_make_run_demo_shows_a_sequence(namespace, ocs):
    """The demo `make run` installs, opened now: demo-blast stops at 60 % penetration and
    demo-followup starts after it, as kubectl shows in the Schedule's history."""
    demo = dev.demo_manifests(datetime.now(UTC) - dev.DEMO_LEAD + timedelta(seconds=2))
    for document in demo:
        if document["kind"] == "CampaignGroup":
            ocs.register(document["spec"]["dbid"], **{
                "records": dev.DEMO_PACE["records"],
                "dialing_rate": dev.DEMO_PACE["dialingRate"],
            })  # fmt: skip
    namespace.apply(*demo)
    blast, followup = (d["spec"]["dbid"] for d in demo if d["kind"] == "CampaignGroup")
    wait_for("demo-followup started", lambda: ocs.requests(followup, "StartDialing"), timeout=90)
    run = wait_for("demo-blast ended", lambda: ended(namespace, "demo", "demo-blast"))
    assert run["stopReason"] == "Penetration"
    assert received_at(ocs.requests(blast, "StopDialing")[0]) <= received_at(
        ocs.requests(followup, "StartDialing")[0]
    ) + timedelta(seconds=1)
    assert history_of(namespace, "demo", "demo-followup")[0]["started"]
