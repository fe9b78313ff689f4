"""A bad Schedule is reported with the field to fix, and nothing reaches OCS."""

from tests.e2e.support import campaign_group, opening_in, schedule, wait_for


def error_status(namespace, name):
    def probe():
        status = namespace.status("schedule", name)
        return status if status.get("state") == "Error" else None

    return wait_for(f"{name} in Error", probe)


def test_bad_cron_and_zone_are_reported_and_send_nothing(namespace, ocs, dbid):
    """A cron the API accepts but croniter cannot read, and an unknown zone: Error, no OCS call."""
    group = dbid()
    ocs.register(group)
    opening = opening_in(2)
    namespace.apply(
        campaign_group("blast", group),
        schedule("bad-cron", ["blast"], cron="61 8 * * *", end={"after": "1m"}),
        schedule(
            "bad-zone",
            ["blast"],
            timeZone="Mars/Olympus",
            daily={"at": opening.strftime("%H:%M:%S")},
            end={"after": "1m"},
        ),
    )
    for name, field in (("bad-cron", "spec.cron"), ("bad-zone", "spec.timeZone")):
        ready = error_status(namespace, name)["conditions"][0]
        assert (ready["type"], ready["status"], ready["reason"]) == (
            "Ready",
            "False",
            "InvalidSpec",
        )
        assert ready["message"].startswith(field)
    events = namespace.kubectl("get", "events", "--field-selector", "reason=InvalidSpec")
    assert "bad-zone" in events
    assert ocs.requests(group) == []


def test_missing_campaign_group_recovers_when_it_appears(namespace, ocs, dbid):
    """A Schedule naming an absent CampaignGroup is in Error until the group is created."""
    group = dbid()
    ocs.register(group)
    namespace.apply(schedule("waiting", ["later"], daily={"at": "03:00"}, end={"at": "04:00"}))
    ready = error_status(namespace, "waiting")["conditions"][0]
    assert ready["reason"] == "CampaignGroupMissing"
    assert ready["message"].startswith("spec.campaignGroups[0].name: CampaignGroup 'later'")

    namespace.apply(campaign_group("later", group))
    recovered = wait_for(
        "recovery",
        lambda: (s := namespace.status("schedule", "waiting")).get("state") == "Idle" and s,
    )
    assert recovered["conditions"][0]["status"] == "True"
    assert ocs.requests(group) == []


def test_window_that_never_ends_is_refused(namespace):
    """A daily Start with no end is reported, naming the fields that can end it."""
    namespace.apply(schedule("forever", ["blast"], daily={"at": "08:00"}))
    ready = error_status(namespace, "forever")["conditions"][0]
    assert "set end.at" in ready["message"]


def test_group_on_an_unknown_ocs_shows_its_state_as_unknown(namespace, ocs, dbid):
    """`kubectl get campaigngroups` shows Unknown, not a blank STATE, beside the condition
    that names spec.ocs, for a group on an OCS endpoint the operator was not given."""
    group = dbid()
    namespace.apply(campaign_group("elsewhere", group, ocs="nowhere"))
    status = wait_for(
        "the group's status",
        lambda: (s := namespace.status("campaigngroup", "elsewhere")).get("conditions") and s,
    )
    ready = status["conditions"][0]
    assert (ready["status"], ready["reason"]) == ("False", "InvalidSpec")
    assert ready["message"].startswith("spec.ocs: no OCS endpoint named 'nowhere'")
    assert status["ocsState"] == "Unknown"
    header, row = namespace.kubectl("get", "campaigngroup", "elsewhere").splitlines()
    assert row[header.index("OCS STATE") :].split()[0] == "Unknown", (header, row)
