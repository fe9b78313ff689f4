"""What the operator may ask of OCS, independent of how it travels on the wire.

`OcsDialect` is the one interface every wire dialect implements (today the HTTP dialect of
`genesys_http`; another, such as Genesys Web Services routes, would be one more module).
Answers come back as `CampaignGroupStatus` with names, never wire codes, and failures as the
`OcsError` family so callers can tell "unknown CG" from "wrong state" from "OCS is down".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from outbound_scheduler.ocs.codes import (
    LOADED_STATES,
    CampaignGroupState,
    DialingMode,
    optimization_method,
)


class OcsError(Exception):
    """OCS refused or could not answer a request; the message names the CG and request."""

    def __init__(
        self,
        message: str,
        *,
        dbid: int | None = None,
        request: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.dbid = dbid
        self.request = request
        self.status = status


class OcsNotFound(OcsError):
    """OCS does not know the campaign group's DBID (HTTP 404)."""


class OcsConflict(OcsError):
    """The CG's current state does not allow the request (HTTP 409)."""

    def __init__(
        self,
        message: str,
        *,
        dbid: int,
        request: str,
        state: str,
        state_code: int,
        status: int = 409,
    ) -> None:
        super().__init__(message, dbid=dbid, request=request, status=status)
        self.state = state
        self.state_code = state_code


class OcsUnavailable(OcsError):
    """OCS kept failing (5xx, timeouts, connection errors) until the retries ran out."""


@dataclass(frozen=True, slots=True)
class Optimization:
    """What a dialing mode optimizes for: a method name (BusyFactor, ...) and its goal."""

    method: str
    goal: int

    def __post_init__(self) -> None:
        # Accept a member or a wire code too, but always hold the OCS name.
        object.__setattr__(self, "method", optimization_method(self.method).name)


@dataclass(slots=True)  # made for every start: a frozen one's __init__ costs 6x
class CampaignGroupStatus:
    """One answer about a CG: its state, mode and statistics; None where OCS said nothing.

    Penetration and completion are fractions 0..1. The statistics are those OCS reports
    (busy factor, hit ratio and overdial rate in percent, time to complete in seconds).
    """

    dbid: int
    state: str
    state_code: int
    dialing_mode: str | None = None
    optimization: Optimization | None = None
    penetration: float | None = None
    completion: float | None = None
    busy_factor: float | None = None
    hit_ratio: float | None = None
    overdial_rate: float | None = None
    time_to_complete: float | None = None
    already: bool = False  # the answer to a request that found the CG already so (HTTP 409)

    @property
    def state_enum(self) -> CampaignGroupState:
        return CampaignGroupState.from_code(self.state_code)

    @property
    def loaded(self) -> bool:
        return self.state_enum in LOADED_STATES

    @property
    def dialing(self) -> bool:
        return self.state_enum is CampaignGroupState.Running


ModeLike = DialingMode | str


class OcsDialect(Protocol):
    """The campaign-group requests of OCS, one coroutine each.

    Actions are idempotent: asking for the state a CG is already in succeeds and returns its
    status. Each raises `OcsNotFound`, `OcsConflict`, `OcsUnavailable` or another `OcsError`.
    """

    async def get_status(self, dbid: int) -> CampaignGroupStatus: ...

    async def load(self, dbid: int, *, auto_completion: bool = False) -> CampaignGroupStatus: ...

    async def start_dialing(
        self,
        dbid: int,
        mode: ModeLike,
        optimization: Optimization | None = None,
        *,
        auto_completion: bool = False,
    ) -> CampaignGroupStatus: ...

    async def stop_dialing(self, dbid: int) -> CampaignGroupStatus: ...

    async def unload(self, dbid: int) -> CampaignGroupStatus: ...

    async def force_unload(self, dbid: int) -> CampaignGroupStatus: ...

    async def set_dialing_mode(
        self,
        dbid: int,
        mode: ModeLike,
        optimization: Optimization | None = None,
        *,
        auto_completion: bool = False,
    ) -> CampaignGroupStatus: ...

    async def prepare(self, requests: int) -> None:
        """Get ready to send `requests` requests at once (a burst of openings is due)."""
        ...

    async def close(self) -> None: ...
