"""The status a CampaignGroup should show: its spec's health and what OCS last said."""

from datetime import datetime

from outbound_scheduler.models import CampaignGroupStatus, Condition


def group_status(
    previous: CampaignGroupStatus,
    problem: str | None,
    generation: int | None,
    now: datetime,
    ocs_state: str | None = None,
    dialing_mode: str | None = None,
) -> CampaignGroupStatus:
    """Fold a spec problem and, when given, a fresh OCS state into the previous status."""
    ready, reason, message = ("False", "InvalidSpec", problem) if problem else ("True", "Valid", "")
    before = next((c for c in previous.conditions if c.type == "Ready"), None)
    unchanged = before is not None and (before.status, before.reason) == (ready, reason)
    condition = Condition(
        type="Ready",
        status=ready,
        reason=reason,
        message=message,
        last_transition_time=before.last_transition_time if unchanged and before else now,
        observed_generation=generation,
    )
    update: dict = {"conditions": [condition], "observed_generation": generation}
    if ocs_state is not None:
        update |= {"ocs_state": ocs_state, "dialing_mode": dialing_mode, "last_sync": now}
    return previous.model_copy(update=update)
