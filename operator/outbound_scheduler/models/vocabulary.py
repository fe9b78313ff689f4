"""Names shared by the API and the words: weekdays, dialing modes, optimization methods.

Dialing modes and optimization methods carry OCS's own names; the numeric
codes that travel on the wire belong to the ocs layer.
"""

from enum import StrEnum


class Weekday(StrEnum):
    MONDAY = "Monday"
    TUESDAY = "Tuesday"
    WEDNESDAY = "Wednesday"
    THURSDAY = "Thursday"
    FRIDAY = "Friday"
    SATURDAY = "Saturday"
    SUNDAY = "Sunday"

    @property
    def index(self) -> int:
        """Monday is 0, as in `datetime.weekday()`."""
        return list(Weekday).index(self)


class DialingMode(StrEnum):
    PREDICT = "Predict"
    PROGRESS = "Progress"
    PREVIEW = "Preview"
    PROGRESS_AND_SEIZE = "ProgressAndSeize"
    PREDICT_AND_SEIZE = "PredictAndSeize"
    POWER = "Power"
    POWER_AND_SEIZE = "PowerAndSeize"
    PUSH_PREVIEW = "PushPreview"
    PROGRESS_GVP = "ProgressGVP"
    PREDICT_GVP = "PredictGVP"
    POWER_GVP = "PowerGVP"


class OptimizationMethod(StrEnum):
    BUSY_FACTOR = "BusyFactor"
    OVERDIAL_RATE = "OverdialRate"
    WAIT_TIME = "WaitTime"
