"""Numeric codes OCS uses on the wire, and the names people and CRDs use for them.

OCS speaks in integers (state 5, dialing mode 6, optimization method 1); the rest of the
operator speaks in names (Running, Power, BusyFactor). Each enum member's name is exactly
the OCS name, so `DialingMode.Power.name == "Power"` and `DialingMode(6) is DialingMode.Power`.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TypeVar


class CampaignGroupState(IntEnum):
    """Life-cycle state of a campaign group inside OCS."""

    Unknown = -1
    NotLoaded = 0
    WaitingUnload = 1
    UnloadInProgress = 2
    InActive = 3
    Active = 4
    Running = 5

    @classmethod
    def from_code(cls, code: object) -> CampaignGroupState:
        """Read a wire code; anything OCS did not document becomes Unknown."""
        try:  # a dict first: two answers are read per start, and the enum's call costs 1 us
            known = _BY_CODE[cls].get(code)  # type: ignore[call-overload]
            return known if known is not None else cls(int(code))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return cls.Unknown


class DialingMode(IntEnum):
    """How OCS dials the records of a running campaign group."""

    Predict = 1
    Progress = 2
    Preview = 3
    ProgressAndSeize = 4
    PredictAndSeize = 5
    Power = 6
    PowerAndSeize = 7
    PushPreview = 8
    ProgressGVP = 9
    PredictGVP = 10
    PowerGVP = 11


class OptimizationMethod(IntEnum):
    """The statistic a predictive dialing mode steers towards its goal."""

    BusyFactor = 1
    OverdialRate = 2
    WaitTime = 3


# Every kind's members by wire code: answers are read by the thousand at 08:00.
_BY_CODE: dict[type[IntEnum], dict[int, IntEnum]] = {
    kind: {member.value: member for member in kind}
    for kind in (CampaignGroupState, DialingMode, OptimizationMethod)
}


def code_name(kind: type[DialingMode] | type[OptimizationMethod], code: object) -> str | None:
    """The name of a wire code as OCS sent it; None for a code it did not document, or for
    anything that is not an integer (JSON's true and false included)."""
    member = _BY_CODE[kind].get(code) if type(code) is int else None  # type: ignore[arg-type]
    return member.name if member is not None else None


# Loaded means OCS holds the CG in memory; draining means calls are finishing before unload.
LOADED_STATES = frozenset(
    {CampaignGroupState.InActive, CampaignGroupState.Active, CampaignGroupState.Running}
)
DRAINING_STATES = frozenset({CampaignGroupState.WaitingUnload, CampaignGroupState.UnloadInProgress})


def dialing_mode(value: DialingMode | str | int) -> DialingMode:
    """Return the dialing mode for a member, an OCS name or a wire code."""
    return _member(DialingMode, value)


def optimization_method(value: OptimizationMethod | str | int) -> OptimizationMethod:
    """Return the optimization method for a member, an OCS name or a wire code."""
    return _member(OptimizationMethod, value)


_E = TypeVar("_E", bound=IntEnum)


def _member(kind: type[_E], value: _E | str | int) -> _E:
    if isinstance(value, kind):
        return value
    try:
        if isinstance(value, str):
            return kind[value]
        if isinstance(value, int) and not isinstance(value, bool):
            return kind(value)
    except (KeyError, ValueError):
        pass
    names = ", ".join(member.name for member in kind)
    raise ValueError(f"{value!r} is not a {kind.__name__} (one of: {names})")
