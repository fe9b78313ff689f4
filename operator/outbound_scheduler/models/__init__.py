"""The API: Schedule and CampaignGroup specs and statuses, and their validation.

Everything a user writes in YAML is parsed here into typed models; every
rule that can be checked from one object alone is checked here, with a
message that names the field and says how to fix it.
"""

from outbound_scheduler.models.calendar import AllowedHours, DateRange, Exclusions, HolidayCalendar
from outbound_scheduler.models.campaign_group import (
    CampaignGroupSpec,
    CampaignGroupStatus,
    Optimization,
)
from outbound_scheduler.models.common import Condition, SpecError, parse_spec
from outbound_scheduler.models.recurrence import (
    DailyRecurrence,
    EveryRecurrence,
    MonthlyRecurrence,
    OnceRecurrence,
    WeeklyRecurrence,
    WindowEnd,
)
from outbound_scheduler.models.schedule import Action, CampaignGroupEntry, ScheduleSpec
from outbound_scheduler.models.status import (
    EntryStatus,
    RunNow,
    RunRecord,
    ScheduleState,
    ScheduleStatus,
    SkippedOpening,
)
from outbound_scheduler.models.vocabulary import DialingMode, OptimizationMethod, Weekday

__all__ = [
    "Action",
    "AllowedHours",
    "CampaignGroupEntry",
    "CampaignGroupSpec",
    "CampaignGroupStatus",
    "Condition",
    "DailyRecurrence",
    "DateRange",
    "DialingMode",
    "EntryStatus",
    "EveryRecurrence",
    "Exclusions",
    "HolidayCalendar",
    "MonthlyRecurrence",
    "OnceRecurrence",
    "Optimization",
    "OptimizationMethod",
    "RunNow",
    "RunRecord",
    "ScheduleSpec",
    "ScheduleState",
    "ScheduleStatus",
    "SkippedOpening",
    "SpecError",
    "Weekday",
    "WeeklyRecurrence",
    "WindowEnd",
    "parse_spec",
]
