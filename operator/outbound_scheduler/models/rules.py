"""Per-entry rules driven by OCS statistics: when a run stops early, and when it may begin.

A stop rule ends an entry's run before its window closes: after a duration,
or when the group's penetration or completion reaches a percentage. A
sequence makes an entry wait, within its window, until another entry's group
reaches a percentage or completes. Both read what OCS reports; the window's
own end still bounds every run, so a statistic that never arrives cannot keep
a group dialing.
"""

from datetime import timedelta
from functools import cached_property

from pydantic import Field, model_validator

from outbound_scheduler.models.common import ApiModel
from outbound_scheduler.models.fields import NAME_PATTERN, Duration, parse_duration

Percent = float


def percent(description: str) -> object:
    return Field(default=None, ge=0, le=100, description=description)


class StopRule(ApiModel):
    """Ends the entry's run early, at whichever rule is met first."""

    after: Duration | None = Field(
        default=None, description="Run for this long after the start at most, e.g. 4h or 90m."
    )
    penetration: Percent | None = percent(
        "Stop once this percentage of records has been attempted at least once, e.g. 90."
    )
    completion: Percent | None = percent(
        "Stop once this percentage of records is finalized; 100 stops when the group completes."
    )

    @model_validator(mode="after")
    def _something(self) -> "StopRule":
        if self.after is None and self.penetration is None and self.completion is None:
            raise ValueError("stopWhen needs after, penetration or completion")
        if self.after is not None and self.length <= timedelta(0):
            raise ValueError("stopWhen.after must be longer than zero")
        return self

    @cached_property
    def length(self) -> timedelta | None:
        return parse_duration(self.after) if self.after is not None else None


class Sequence(ApiModel):
    """Starts the entry, within its window, once another entry's group gets far enough."""

    model_config = ApiModel.model_config | {
        "json_schema_extra": {
            "x-kubernetes-validations": [
                {
                    "rule": "(has(self.penetration) ? 1 : 0) + (has(self.completion) ? 1 : 0) "
                    "+ (has(self.completed) && self.completed ? 1 : 0) == 1",
                    "message": "set exactly one of penetration, completion or completed: true",
                }
            ]
        }
    }

    campaign_group: str = Field(
        pattern=NAME_PATTERN,
        max_length=253,
        description="Name of another entry of this Schedule whose group leads.",
    )
    penetration: Percent | None = percent(
        "Start once the leading group's penetration reaches this percentage, e.g. 90."
    )
    completion: Percent | None = percent(
        "Start once the leading group's completion reaches this percentage."
    )
    completed: bool | None = Field(
        default=None,
        description="true: start once the leading group's run ends because it completed.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> "Sequence":
        chosen = [self.penetration is not None, self.completion is not None, bool(self.completed)]
        if sum(chosen) != 1:
            raise ValueError("set exactly one of penetration, completion or completed: true")
        return self

    @property
    def words(self) -> str:
        """The condition for people, e.g. "ivr-east penetration ≥ 90%"."""
        if self.penetration is not None:
            return f"{self.campaign_group} penetration ≥ {self.penetration:g}%"
        if self.completion is not None:
            return f"{self.campaign_group} completion ≥ {self.completion:g}%"
        return f"{self.campaign_group} completed"
