"""The CRDs as the API server serves them: refusals at apply time, explain, quiet restarts."""

from pathlib import Path

import pytest

from outbound_scheduler.dev import environment
from outbound_scheduler.dev.kubectl import KubectlError
from tests.e2e.support import campaign_group, schedule, wait_for

EXAMPLES = Path(__file__).parents[2] / "manifests" / "examples"


def test_apiserver_refuses_two_recurrences_with_the_rule_message(namespace):
    """A Schedule with both daily and cron is refused at apply time, saying what to set."""
    with pytest.raises(KubectlError) as refused:
        namespace.apply(
            schedule("twice", ["a"], daily={"at": "08:00"}, cron="0 8 * * *", end={"at": "09:00"})
        )
    assert "set exactly one recurrence: once, daily, weekly, monthly, every or cron" in str(
        refused.value
    )


def test_apiserver_refuses_an_unknown_dialing_mode(namespace):
    """An unknown dialing mode is refused by the schema's enum, listing the allowed ones."""
    with pytest.raises(KubectlError) as refused:
        namespace.apply(campaign_group("cg", 1, dialingMode="Turbo"))
    assert "Unsupported value" in str(refused.value)
    assert "Predict" in str(refused.value)


def test_apiserver_refuses_a_sequence_with_two_conditions(namespace):
    """The CEL rule of `after` asks for exactly one condition, at apply time."""
    entries = [
        {"name": "a"},
        {"name": "b", "after": {"campaignGroup": "a", "penetration": 50, "completion": 10}},
    ]
    with pytest.raises(KubectlError) as refused:
        namespace.apply(schedule("both", entries, daily={"at": "08:00"}, end={"at": "09:00"}))
    assert "set exactly one of penetration, completion or completed: true" in str(refused.value)


def test_the_examples_apply_and_every_schedule_is_ready(namespace, ocs):
    """manifests/examples, as `make run` installs them: accepted by the API server, and
    every Schedule Ready once the operator has looked at it."""
    manifests = environment.load_manifests(EXAMPLES)
    environment.register_groups(ocs.url, manifests)
    namespace.apply(*manifests)
    names = [m["metadata"]["name"] for m in manifests if m["kind"] == "Schedule"]

    def ready():
        statuses = [namespace.status("schedule", name) for name in names]
        return all(
            any(c["type"] == "Ready" and c["status"] == "True" for c in s.get("conditions", []))
            for s in statuses
        )

    wait_for("every example Schedule Ready", ready)


def test_kubectl_explain_teaches_the_fields(namespace):
    """kubectl explain shows each field's description."""
    text = namespace.kubectl("explain", "schedule.spec.end")
    assert "How every window ends" in text
    assert "after" in text
    assert "duration" in text


def test_restart_with_nothing_due_writes_no_status(namespace, ocs, dbid, operator):
    """An operator restarted while nothing is due leaves every status as it was."""
    group = dbid()
    ocs.register(group)
    namespace.apply(
        campaign_group("quiet", group),
        schedule("quiet", ["quiet"], daily={"at": "03:00"}, end={"at": "04:00"}),
    )
    wait_for("first status", lambda: namespace.status("schedule", "quiet").get("nextRun"))
    wait_for("group status", lambda: namespace.status("campaigngroup", "quiet").get("conditions"))
    wait_for("finalizer", lambda: namespace.get("schedule", "quiet")["metadata"].get("finalizers"))
    before = {
        kind: namespace.get(kind, "quiet")["metadata"]["resourceVersion"]
        for kind in ("schedule", "campaigngroup")
    }

    operator.stop()
    operator.start()

    # A Schedule created after the restart gets its status only once the operator has
    # listed and reconciled what was already there.
    namespace.apply(schedule("marker", ["quiet"], daily={"at": "03:00"}, end={"at": "04:00"}))
    wait_for("marker status", lambda: namespace.status("schedule", "marker").get("nextRun"))
    after = {
        kind: namespace.get(kind, "quiet")["metadata"]["resourceVersion"]
        for kind in ("schedule", "campaigngroup")
    }
    assert after == before
