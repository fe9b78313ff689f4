"""The operator's settings: one model, one environment prefix, checked at start-up.

Every field can be set as `OUTBOUND_SCHEDULER_<FIELD>`; nested values such as
the OCS endpoints are JSON, e.g.
`OUTBOUND_SCHEDULER_OCS_ENDPOINTS='{"default": {"url": "http://ocs:8090"}}'`.
"""

from datetime import timedelta

from pydantic import BaseModel, Field, HttpUrl, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from outbound_scheduler.models import AllowedHours

ENV_PREFIX = "OUTBOUND_SCHEDULER_"


class OcsEndpoint(BaseModel):
    """One Outbound Contact Server that CampaignGroups name in `spec.ocs`."""

    url: HttpUrl = Field(description="Base URL of OCS's HTTP port, e.g. http://ocs-east:8090.")
    timeout: float = Field(default=5.0, gt=0, description="Seconds to wait for one answer.")
    authorization: SecretStr | None = Field(
        default=None,
        description='Authorization header value sent to OCS, e.g. "Basic ..."; keep it in a '
        "Secret. Never logged.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    ocs_endpoints: dict[str, OcsEndpoint] = Field(
        default_factory=dict,
        description="Named OCS endpoints; a CampaignGroup's spec.ocs picks one (default: "
        '"default").',
    )
    namespaces: list[str] = Field(
        default_factory=list, description="Namespaces to watch; empty means all of them."
    )
    catch_up_seconds: float = Field(
        default=300,
        ge=0,
        description="How late after a window opened a start is still made, e.g. after "
        "the operator was down; later openings are adopted if running, else Missed.",
    )
    allowed_hours: AllowedHours | None = Field(
        default=None,
        description='Cluster-wide calling hours, e.g. {"from": "08:00", "to": "21:00"}, read '
        "in each Schedule's zone; every window is cut to them, whatever a Schedule says.",
    )
    retry_seconds: float = Field(
        default=10, gt=0, description="Wait before retrying a failed OCS command."
    )
    poll_seconds: float = Field(
        default=10,
        gt=0,
        description="How often OCS is asked for the status of a group a run holds, unless its "
        "status push or a command's answer said something newer.",
    )
    statistics_seconds: float = Field(
        default=30,
        ge=0,
        description="Least time between two CampaignGroup status writes that only bring new "
        "statistics; a new state is written at once. Rules read statistics as they arrive.",
    )
    statistics_writes_per_second: float = Field(
        default=20,
        gt=0,
        description="Most CampaignGroup status writes per second that only bring new "
        "statistics, over all groups: with many groups dialing, each is written less often.",
    )
    workers: int = Field(
        default=256, ge=1, description="Schedules reconciled at the same time (OCS commands)."
    )
    log_format: str = Field(default="plain", description='"plain" or "json".')
    metrics_port: int = Field(
        default=8000,
        ge=0,
        le=65535,
        description="Port of the Prometheus metrics endpoint (/metrics, and /readyz once "
        "start-up is done); 0 turns it off.",
    )
    metrics_address: str = Field(
        default="0.0.0.0",
        description="Address the metrics endpoint listens on, e.g. 127.0.0.1 for this host only.",
    )

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in ("plain", "json"):
            raise ValueError('log_format must be "plain" or "json"')
        return value

    @property
    def catch_up(self) -> timedelta:
        return timedelta(seconds=self.catch_up_seconds)
