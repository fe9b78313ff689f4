"""The CampaignGroup kind: one Genesys Campaign Group, named by its DBID in one OCS."""

from datetime import datetime

from pydantic import Field

from outbound_scheduler.models.common import ApiModel, Condition, StatusModel
from outbound_scheduler.models.vocabulary import DialingMode, OptimizationMethod


class Optimization(ApiModel):
    """What OCS optimizes the dialing pace for."""

    method: OptimizationMethod = Field(description="BusyFactor, OverdialRate or WaitTime.")
    goal: int = Field(ge=0, le=100, description="Target value of the method, e.g. 80.")


class CampaignGroupSpec(ApiModel):
    """Where the Campaign Group lives and how it dials by default."""

    ocs: str = Field(
        default="default",
        pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        description="Name of an OCS endpoint from the operator settings.",
    )
    dbid: int = Field(ge=1, description="The Campaign Group's DBID in Genesys configuration.")
    campaign: str = Field(default="", description="Campaign name, for people.")
    group: str = Field(default="", description="Agent group name, for people.")
    dialing_mode: DialingMode = Field(
        default=DialingMode.PREDICT, description="Dialing mode used when a Schedule sets none."
    )
    optimization: Optimization | None = Field(
        default=None, description="Optimization method and goal sent with StartDialing."
    )


class CampaignGroupStatus(StatusModel):
    """What OCS last said about the Campaign Group."""

    ocs_state: str | None = Field(default=None, description="OCS state name, e.g. Running.")
    dialing_mode: str | None = Field(default=None, description="Dialing mode OCS reports.")
    optimization: Optimization | None = Field(
        default=None, description="Optimization method and goal OCS reports."
    )
    penetration: float | None = Field(
        default=None, description="Records attempted at least once, in percent."
    )
    completion: float | None = Field(default=None, description="Records finalized, in percent.")
    hit_ratio: float | None = Field(default=None, description="Hit ratio OCS reports, percent.")
    busy_factor: float | None = Field(default=None, description="Busy factor OCS reports, percent.")
    overdial_rate: float | None = Field(
        default=None, description="Overdial rate OCS reports, percent."
    )
    time_to_complete_seconds: float | None = Field(
        default=None, description="OCS's estimate of the time left to finish the records."
    )
    last_sync: datetime | None = Field(
        default=None, description="When OCS last reported something new about the group."
    )
    conditions: list[Condition] = Field(
        default_factory=list, description="Standard conditions: Ready."
    )
    observed_generation: int | None = Field(
        default=None, description="The spec generation this status was computed from."
    )
