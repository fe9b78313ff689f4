"""Windows on a real API server: opening starts, closing stops, status tells kubectl."""

from datetime import timedelta

from tests.e2e.support import (
    campaign_group,
    opening_in,
    received_at,
    schedule,
    wait_for,
)

LAG_LIMIT = timedelta(seconds=1)


def test_window_opening_starts_and_closing_stops(namespace, ocs, dbid):
    """Load and StartDialing arrive within 1 s after the opening; Stop and Unload at the close."""
    group = dbid()
    ocs.register(group)
    opening = opening_in(5)
    namespace.apply(
        campaign_group("blast", group, dialingMode="Power"),
        schedule(
            "soon", ["blast"], daily={"at": opening.strftime("%H:%M:%S")}, end={"after": "5s"}
        ),
    )
    started = wait_for("StartDialing", lambda: ocs.requests(group, "StartDialing"), timeout=20)
    load = ocs.requests(group, "LoadCampaign")[0]
    assert opening <= received_at(load) <= opening + LAG_LIMIT
    assert opening <= received_at(started[0]) <= opening + LAG_LIMIT
    assert started[0]["body"]["GSW_DIAL_MODE"] == 6  # Power, the group's own mode

    status = wait_for(
        "Active", lambda: namespace.status("schedule", "soon").get("state") == "Active"
    )
    assert status
    closing = opening + timedelta(seconds=5)
    unloaded = wait_for("UnloadCampaign", lambda: ocs.requests(group, "UnloadCampaign"))
    stopped = ocs.requests(group, "StopDialing")
    assert closing <= received_at(stopped[0]) <= closing + LAG_LIMIT
    assert closing <= received_at(unloaded[0]) <= closing + LAG_LIMIT

    idle = wait_for(
        "Idle with the run closed",
        lambda: (
            (s := namespace.status("schedule", "soon")).get("state") == "Idle"
            and s["history"][0].get("stopReason") == "WindowClosed"
            and s
        ),
    )
    assert idle["history"][0]["campaignGroup"] == "blast"
    assert len(ocs.requests(group, "StartDialing")) == 1


def test_kubectl_shows_the_cx_contact_list(namespace, ocs, dbid):
    """kubectl get schedules shows description, words, status and local next run."""
    group = dbid()
    ocs.register(group)
    namespace.apply(
        campaign_group("ivr-blast-east", group),
        schedule(
            "schedule-03",
            ["ivr-blast-east"],
            description="IVR Blast",
            timeZone="Europe/London",
            weekly={"days": ["Monday", "Tuesday", "Wednesday", "Thursday"], "at": "09:00"},
            end={"at": "17:00"},
        ),
        schedule(
            "schedule-02",
            ["ivr-blast-east"],
            description="Everyday schedule execution",
            daily={"at": "08:00"},
            end={"at": "08:01"},
        ),
    )
    wait_for(
        "status words", lambda: namespace.status("schedule", "schedule-03").get("scheduleText")
    )
    wait_for(
        "status words", lambda: namespace.status("schedule", "schedule-02").get("scheduleText")
    )
    table = namespace.kubectl("get", "schedules")
    header = table.splitlines()[0].split()
    assert header[:3] == ["NAME", "DESCRIPTION", "SCHEDULE"]
    assert "Monday, Tuesday, Wednesday, Thursday at 09:00 AM" in table
    assert "Everyday at 08:00 AM" in table
    assert "IVR Blast" in table
    row = next(line for line in table.splitlines() if line.startswith("schedule-03"))
    assert " GMT" in row or " BST" in row
    listed = namespace.kubectl("get", "outbound", "-o", "name")
    assert "schedule.outbound.dev/schedule-03" in listed
    assert "campaigngroup.outbound.dev/ivr-blast-east" in listed
