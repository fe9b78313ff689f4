"""CampaignGroup status from OCS (push and poll), OCS trouble inside a window, and two
Schedules that want one group dialed two ways."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from outbound_scheduler.dev import environment
from tests.e2e.support import (
    campaign_group,
    opening_in,
    schedule,
    start_a_run,
    wait_for,
    wait_past,
)


def at(opening):
    return {"at": opening.strftime("%H:%M:%S")}


def condition(namespace, kind, name, type_="Ready"):
    conditions = namespace.status(kind, name).get("conditions", [])
    return next((c for c in conditions if c["type"] == type_), None)


def reason(namespace, kind, name, type_="Ready"):
    found = condition(namespace, kind, name, type_)
    return found["reason"] if found else None


@pytest.fixture
def no_push(ocs, operator) -> Iterator[None]:
    """OCS sends no status push during the test: what the operator learns, it polled."""
    ocs.call("POST", "/admin/config", {"statusPushUri": None})
    yield
    environment.push_status(ocs.url, operator, interval=1.0)


@pytest.fixture
def recovered_ocs(ocs) -> Iterator[None]:
    """Whatever the test does to OCS, the next test finds it answering."""
    yield
    ocs.call("POST", "/admin/faults", {})


def test_push_updates_the_campaign_group_status(namespace, ocs, dbid):
    """A group started in OCS by someone else (no Schedule holds it, so it is not polled):
    OCS's status push alone keeps the CampaignGroup's state and penetration current."""
    group = dbid()
    ocs.register(group, records=1000, dialing_rate=20)
    namespace.apply(campaign_group("pushed", group))
    wait_for("Ready", lambda: reason(namespace, "campaigngroup", "pushed") == "Valid")
    ocs.call("POST", f"/campaigngroups/{group}?req=LoadCampaign", {})
    wait_for("Active in OCS", lambda: ocs.state(group) == "Active")
    ocs.call("POST", f"/campaigngroups/{group}?req=StartDialing", {"GSW_DIAL_MODE": 6})

    seen = []

    def rising():
        status = namespace.status("campaigngroup", "pushed")
        if status.get("ocsState") == "Running" and status.get("penetration"):
            seen.append(status["penetration"])
        return len(set(seen)) >= 3

    wait_for("penetration rising from pushes", rising, timeout=20)
    status = namespace.status("campaigngroup", "pushed")
    assert status["dialingMode"] == "Power"
    assert status["hitRatio"] is not None
    assert status["lastSync"]
    # Polls only confirm state changes; the statistics came with the pushes.
    assert len(ocs.requests(group, "GetCampaignStatus")) <= 3
    assert seen == sorted(seen)
    ocs.call("POST", f"/campaigngroups/{group}?req=ForceUnloadCampaign", {})


def test_poll_updates_the_campaign_group_status(namespace, ocs, dbid, no_push):
    """Without push, the group a run holds is polled every poll_seconds (1 s here) and its
    CampaignGroup shows OCS's statistics; kubectl shows the penetration column."""
    group = dbid()
    ocs.register(group, records=1000, dialing_rate=20)
    opening = opening_in(2)
    namespace.apply(
        campaign_group("polled", group),
        schedule("polling", ["polled"], daily=at(opening), end={"after": "10m"}),
    )
    seen = []

    def rising():
        penetration = namespace.status("campaigngroup", "polled").get("penetration")
        seen.extend([penetration] if penetration else [])
        return len(set(seen)) >= 3

    wait_for("penetration rising from polls", rising, timeout=30)
    assert len(ocs.requests(group, "GetCampaignStatus")) >= 3
    listed = namespace.kubectl("get", "campaigngroups")
    assert "PENETRATION" in listed.splitlines()[0]
    assert "Running" in listed


def test_ocs_down_for_a_minute_inside_a_window(namespace, ocs, dbid, recovered_ocs):
    """OCS is down for a minute (503 to every request, no push): the CampaignGroup and the
    Schedule show Ready=False (OcsError) with an Event; when OCS is back both are Ready
    again, the group still dials, and the run is the same one (no second start, one run in
    history)."""
    group = dbid()
    start_a_run(namespace, ocs, group, "steady", "10m")

    outage = datetime.now(UTC)
    ocs.call("POST", "/admin/faults", {"downSeconds": 60})
    wait_for(
        "CampaignGroup not Ready",
        lambda: reason(namespace, "campaigngroup", "steady") == "OcsError",
    )
    wait_for("Schedule not Ready", lambda: reason(namespace, "schedule", "steady") == "OcsError")
    assert "503" in condition(namespace, "schedule", "steady")["message"]
    events = namespace.kubectl("get", "events", "--field-selector", "reason=OcsError")
    assert "campaign group steady" in events

    wait_past(outage + timedelta(minutes=1))
    wait_for("Schedule Ready", lambda: reason(namespace, "schedule", "steady") == "Scheduled")
    wait_for("CampaignGroup Ready", lambda: reason(namespace, "campaigngroup", "steady") == "Valid")
    assert ocs.state(group) == "Running"
    assert len(ocs.requests(group, "StartDialing")) == 1
    history = namespace.status("schedule", "steady")["history"]
    assert len(history) == 1
    assert history[0].get("stopped") is None


def test_ocs_restarted_inside_a_window_is_a_recovery_not_a_new_run(
    namespace, ocs, dbid, recovered_ocs
):
    """OCS restarts (down 3 s, everything NotLoaded): the operator starts the group again
    as the same run, history says recovered, and an Event says Recovered."""
    group = dbid()
    start_a_run(namespace, ocs, group, "phoenix", "10m")

    ocs.call("POST", "/admin/restart", {"downSeconds": 3})
    wait_for("started again", lambda: len(ocs.requests(group, "StartDialing")) == 2, timeout=30)
    assert ocs.state(group) == "Running"
    history = wait_for(
        "recovery in history",
        lambda: [
            run
            for run in namespace.status("schedule", "phoenix")["history"]
            if "recovered" in (run.get("note") or "")
        ],
    )
    assert len(namespace.status("schedule", "phoenix")["history"]) == 1
    assert history[0].get("stopped") is None
    events = namespace.kubectl("get", "events", "--field-selector", "reason=Recovered")
    assert "started it again" in events


def test_conflicting_dialing_modes_resolve_to_the_first_and_the_loser_says_so(namespace, ocs, dbid):
    """Two Schedules open on one group at the same instant, Power and Preview: the tie goes
    to the first by name, the group dials once in Power, the other shows Conflict."""
    group = dbid()
    ocs.register(group)
    opening = opening_in(2)
    namespace.apply(
        campaign_group("shared", group),
        schedule("alpha", [{"name": "shared", "dialingMode": "Power"}],
                 daily=at(opening), end={"after": "10m"}),
        schedule("beta", [{"name": "shared", "dialingMode": "Preview"}],
                 daily=at(opening), end={"after": "10m"}),
    )  # fmt: skip
    lost = wait_for(
        "Conflict on beta", lambda: condition(namespace, "schedule", "beta", "Conflict")
    )
    assert lost["status"] == "True"
    assert f"{namespace.name}/alpha" in lost["message"]
    assert condition(namespace, "schedule", "alpha", "Conflict") is None
    starts = wait_for("StartDialing", lambda: ocs.requests(group, "StartDialing"), timeout=20)
    assert [r["body"]["GSW_DIAL_MODE"] for r in starts] == [6]  # Power, once
    assert ocs.requests(group, "SetDialingMode") == []
    events = namespace.kubectl(
        "get", "events", "--field-selector", "reason=Conflict,involvedObject.name=beta"
    )
    assert "opened its window earlier" in events
