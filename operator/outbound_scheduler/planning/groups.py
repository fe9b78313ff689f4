"""The status a CampaignGroup should show: its spec's health and what OCS last said."""

from datetime import datetime

from outbound_scheduler.models import CampaignGroupStatus, Condition, Optimization
from outbound_scheduler.planning.observed import Observation


def group_status(
    previous: CampaignGroupStatus,
    problem: str | None,
    generation: int | None,
    now: datetime,
    seen: Observation | None = None,
) -> CampaignGroupStatus:
    """Fold a spec problem and, when given, what OCS said into the previous status."""
    ready, reason, message = ("False", "InvalidSpec", problem) if problem else ("True", "Valid", "")
    if not problem and seen is not None and seen.error:
        ready, reason, message = "False", "OcsError", f"{seen.error}; retrying"
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
    if problem and seen is None:
        update["ocs_state"] = "Unknown"  # nobody asks OCS about a group its spec cannot name
    if seen is not None and not seen.error:
        optimization = seen.optimization
        update |= {
            "ocs_state": seen.state,
            "dialing_mode": seen.dialing_mode,
            "optimization": Optimization(method=optimization[0], goal=optimization[1])
            if optimization
            else None,
            "penetration": seen.penetration,
            "completion": seen.completion,
            "hit_ratio": seen.hit_ratio,
            "busy_factor": seen.busy_factor,
            "overdial_rate": seen.overdial_rate,
            "time_to_complete_seconds": seen.time_to_complete,
            "last_sync": seen.synced,
        }
    return previous.model_copy(update=update)
