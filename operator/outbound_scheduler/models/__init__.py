"""The API: Schedule and CampaignGroup specs and statuses, and their validation.

Everything a user writes in YAML is parsed here into typed models; every
rule that can be checked from one object alone is checked here, with a
message that names the field and says how to fix it.
"""

from outbound_scheduler.models.campaign_group import (
    CampaignGroupSpec,
    CampaignGroupStatus,
    Optimization,
)
from outbound_scheduler.models.common import Condition, SpecError, parse_spec
from outbound_scheduler.models.schedule import (
    Action,
    CampaignGroupEntry,
    DailyRecurrence,
    EntryStatus,
    RunRecord,
    ScheduleSpec,
    ScheduleState,
    ScheduleStatus,
    WeeklyRecurrence,
    WindowEnd,
)
from outbound_scheduler.models.vocabulary import DialingMode, OptimizationMethod, Weekday

__all__ = [
    "Action",
    "CampaignGroupEntry",
    "CampaignGroupSpec",
    "CampaignGroupStatus",
    "Condition",
    "DailyRecurrence",
    "DialingMode",
    "EntryStatus",
    "Optimization",
    "OptimizationMethod",
    "RunRecord",
    "ScheduleSpec",
    "ScheduleState",
    "ScheduleStatus",
    "SpecError",
    "Weekday",
    "WeeklyRecurrence",
    "WindowEnd",
    "parse_spec",
]
