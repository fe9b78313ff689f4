"""The Argo CD health scripts of docs/argocd-health.md, run in Lua 5.1 as Argo CD runs
them, on Schedules and CampaignGroups whose statuses come from the operator's models."""

from datetime import UTC, datetime
from typing import Any

import pytest

from outbound_scheduler.models import CampaignGroupStatus, Condition
from outbound_scheduler.models.status import ScheduleState, ScheduleStatus
from tests.install.support import argocd_health, argocd_health_scripts

pytest.importorskip("lupa", reason="the Lua runtime comes from PyPI's lupa")

NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def ready(status: str, reason: str, message: str = "", kind: str = "Ready") -> Condition:
    return Condition(
        type=kind, status=status, reason=reason, message=message, last_transition_time=NOW
    )


def obj(kind: str, status: Any = None, generation: int = 1) -> dict[str, Any]:
    """An object as Argo CD hands it to the script; `status` as the operator writes it."""
    body = {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": kind,
        "metadata": {"name": "sample", "namespace": "ops", "generation": generation},
        "spec": {},
    }
    if status is not None:
        body["status"] = status.model_dump(mode="json", by_alias=True, exclude_none=True)
    return body


def schedule_status(state: ScheduleState, *conditions: Condition, **fields) -> ScheduleStatus:
    ok = ready("True", "Scheduled", "windows are computed and enforced")
    return ScheduleStatus(
        state=state, conditions=list(conditions) or [ok], observed_generation=1, **fields
    )


def test_the_doc_has_a_script_for_each_kind():
    assert set(argocd_health_scripts()) == {"Schedule", "CampaignGroup"}


@pytest.mark.parametrize(
    ("status", "generation", "health", "message"),
    [
        (None, 1, "Progressing", "Waiting for the operator to read the Schedule"),
        (
            schedule_status(ScheduleState.IDLE, next_run_local="2026-12-07 09:00 GMT"),
            2,
            "Progressing",
            "Waiting for the operator to read generation 2",
        ),
        (
            schedule_status(ScheduleState.IDLE, next_run_local="2026-12-07 09:00 GMT"),
            1,
            "Healthy",
            "Idle; next run 2026-12-07 09:00 GMT",
        ),
        (schedule_status(ScheduleState.IDLE), 1, "Healthy", "Idle; no run ahead"),
        (schedule_status(ScheduleState.ACTIVE), 1, "Healthy", "Active: a window is open"),
        (
            schedule_status(
                ScheduleState.ACTIVE,
                ready("True", "Scheduled"),
                ready("True", "Conflict", "dialing mode Power lost to schedule-02", "Conflict"),
            ),
            1,
            "Healthy",
            "Active: a window is open; conflict: dialing mode Power lost to schedule-02",
        ),
        (
            schedule_status(
                ScheduleState.ERROR,
                ready("False", "InvalidSpec", "spec.timeZone: unknown time zone 'Mars/Olympus'"),
            ),
            1,
            "Degraded",
            "spec.timeZone: unknown time zone 'Mars/Olympus'",
        ),
        (
            schedule_status(
                ScheduleState.ACTIVE,
                ready("False", "OcsError", "campaign group blast: OCS unreachable; retrying"),
            ),
            1,
            "Degraded",
            "campaign group blast: OCS unreachable; retrying",
        ),
        (
            schedule_status(ScheduleState.SUSPENDED, suspend_reason="Christmas"),
            1,
            "Suspended",
            "Suspended: Christmas",
        ),
        (schedule_status(ScheduleState.SUSPENDED), 1, "Suspended", "Suspended: no reason given"),
    ],
    ids=[
        "no-status",
        "stale",
        "idle",
        "idle-no-next",
        "active",
        "conflict",
        "error",
        "ocs-error",
        "suspended",
        "suspended-no-reason",
    ],
)
def test_schedule_health(status, generation, health, message):
    """Each status the operator writes maps to the Argo CD health the doc's table gives."""
    assert argocd_health("Schedule", obj("Schedule", status, generation)) == {
        "status": health,
        "message": message,
    }


def group_status(*conditions: Condition, **fields) -> CampaignGroupStatus:
    return CampaignGroupStatus(
        conditions=list(conditions) or [ready("True", "Valid")], observed_generation=1, **fields
    )


@pytest.mark.parametrize(
    ("status", "generation", "health", "message"),
    [
        (None, 1, "Progressing", "Waiting for the operator to read the CampaignGroup"),
        (group_status(), 3, "Progressing", "Waiting for the operator to read generation 3"),
        (group_status(), 1, "Healthy", "Valid; OCS has not reported a state yet"),
        (
            group_status(ocs_state="Running", dialing_mode="Power", last_sync=NOW),
            1,
            "Healthy",
            "OCS state Running, dialing mode Power",
        ),
        (group_status(ocs_state="NotLoaded"), 1, "Healthy", "OCS state NotLoaded"),
        (
            group_status(ready("False", "InvalidSpec", "spec.ocs: no OCS endpoint named east")),
            1,
            "Degraded",
            "spec.ocs: no OCS endpoint named east",
        ),
    ],
    ids=["no-status", "stale", "valid", "running", "not-loaded", "invalid"],
)
def test_campaign_group_health(status, generation, health, message):
    """Each CampaignGroup status maps to the Argo CD health the doc's table gives."""
    assert argocd_health("CampaignGroup", obj("CampaignGroup", status, generation)) == {
        "status": health,
        "message": message,
    }
