"""Calendar rules around the recurrence: dates that open nothing, hours that allow dialing.

Exclusions suppress openings on whole local dates: listed dates, date ranges
and public holidays (the `holidays` package, by country and subdivision).
Allowed hours clip every window: the operator never dials outside them.
"""

from datetime import date

import holidays
from pydantic import Field, field_validator, model_validator

from outbound_scheduler.models.common import ApiModel
from outbound_scheduler.models.fields import LocalDate, TimeOfDay


class DateRange(ApiModel):
    """Local dates from one day to another, both included."""

    from_: LocalDate = Field(alias="from", description="First excluded date, YYYY-MM-DD.")
    to: LocalDate = Field(description="Last excluded date, YYYY-MM-DD (included).")

    @model_validator(mode="after")
    def _ordered(self) -> "DateRange":
        if date.fromisoformat(self.to) < date.fromisoformat(self.from_):
            raise ValueError(f"the range ends ({self.to}) before it begins ({self.from_})")
        return self


class HolidayCalendar(ApiModel):
    """Public holidays of one country, or one of its subdivisions."""

    country: str = Field(
        pattern=r"^[A-Z]{2,3}$", description="ISO 3166 country code, e.g. GB, US, DE."
    )
    subdivision: str | None = Field(
        default=None, description="Subdivision code within the country, e.g. ENG, CA, BY."
    )

    @model_validator(mode="after")
    def _known(self) -> "HolidayCalendar":
        supported = holidays.list_supported_countries()
        if self.country not in supported:
            raise ValueError(
                f"no holiday calendar for country {self.country!r}; "
                "use an ISO 3166 code such as GB, US or DE"
            )
        if self.subdivision is not None and self.subdivision not in supported[self.country]:
            known = ", ".join(supported[self.country][:12])
            raise ValueError(
                f"country {self.country} has no subdivision {self.subdivision!r}; "
                f"use one of {known}{', ...' if len(supported[self.country]) > 12 else ''}"
            )
        return self


class Exclusions(ApiModel):
    """Local dates on which no window opens."""

    dates: list[LocalDate] = Field(default_factory=list, description="Single dates, YYYY-MM-DD.")
    ranges: list[DateRange] = Field(
        default_factory=list, description="Date ranges, both ends included."
    )
    holidays: list[HolidayCalendar] = Field(
        default_factory=list, description="Public-holiday calendars by country and subdivision."
    )


class AllowedHours(ApiModel):
    """The hours of the day dialing is allowed; windows are cut to them."""

    from_: TimeOfDay = Field(alias="from", description="Dialing may start at this time of day.")
    to: TimeOfDay = Field(
        description="Dialing must stop at this time of day; earlier than `from` means the next day."
    )

    @field_validator("to")
    @classmethod
    def _not_empty(cls, to: str, info) -> str:
        if info.data.get("from_") == to:
            raise ValueError("allowed hours from and to are the same time; the range is empty")
        return to
