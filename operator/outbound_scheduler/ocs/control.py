"""Bring a campaign group to the state a schedule wants, whatever state it is in now.

Each composition sends its first command at once and reads where the CG is from the
answer: OCS answers a request the CG is already past with 409 and its current state, which
the client takes as done. So a start costs two requests when all goes well (LoadCampaign,
StartDialing), calling one twice is harmless, and a CG someone already started is adopted,
not restarted. Loading takes time in OCS, so after LoadCampaign we poll until the CG is
Active before StartDialing; a CG that is draining (WaitingUnload, UnloadInProgress) is
waited for until NotLoaded. Built only on `OcsDialect`, so it works with any wire dialect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Collection
from dataclasses import dataclass, field

from outbound_scheduler.ocs.client import (
    CampaignGroupStatus,
    ModeLike,
    OcsConflict,
    OcsDialect,
    OcsError,
    Optimization,
)
from outbound_scheduler.ocs.codes import (
    DRAINING_STATES,
    CampaignGroupState,
    dialing_mode,
)

logger = logging.getLogger(__name__)

S = CampaignGroupState

POLL_FIRST = 0.02
POLL_CAP = 0.25


@dataclass(slots=True)
class Outcome:
    """What a composition did: commands that changed something, in order (status reads and
    commands OCS answered as already done are not listed)."""

    dbid: int
    sent: list[str] = field(default_factory=list)
    adopted: bool = False
    status: CampaignGroupStatus | None = None

    @property
    def state(self) -> str:
        """The CG's state as last seen, after the last command."""
        return self.status.state if self.status is not None else S.Unknown.name


async def ensure_running(
    dialect: OcsDialect,
    dbid: int,
    mode: ModeLike,
    optimization: Optimization | None = None,
    *,
    auto_completion: bool = False,
    load_timeout: float = 10.0,
) -> Outcome:
    """Make the CG dial in `mode`; a CG already Running is adopted as it is."""
    outcome = Outcome(dbid)
    status = await _bring_loaded(dialect, outcome, auto_completion, load_timeout)
    if status.dialing:
        # Running before our LoadCampaign, or started by someone else while it loaded.
        outcome.adopted = not outcome.sent
        return outcome

    start = dialect.start_dialing(dbid, mode, optimization, auto_completion=auto_completion)
    await _send(outcome, "StartDialing", start)
    return outcome


async def ensure_loaded(
    dialect: OcsDialect,
    dbid: int,
    *,
    auto_completion: bool = False,
    load_timeout: float = 10.0,
) -> Outcome:
    """Start Paused: have the CG loaded without dialing; a CG already loaded is adopted."""
    outcome = Outcome(dbid)
    await _bring_loaded(dialect, outcome, auto_completion, load_timeout)
    outcome.adopted = not outcome.sent
    return outcome


async def ensure_stopped(dialect: OcsDialect, dbid: int, *, drain_timeout: float = 0.0) -> Outcome:
    """Stop dialing and unload; each answered as already done when the CG is past it.

    With a `drain_timeout`, wait up to that long for the calls to drain (NotLoaded), so the
    state reported is where the CG settles rather than a passing WaitingUnload."""
    outcome = Outcome(dbid)
    await _send(outcome, "StopDialing", dialect.stop_dialing(dbid))
    status = await _send(outcome, "UnloadCampaign", dialect.unload(dbid))
    if drain_timeout and status.state_enum in DRAINING_STATES:
        await _await_state(dialect, outcome, {S.NotLoaded}, drain_timeout)
    return outcome


async def force_stop(dialect: OcsDialect, dbid: int) -> Outcome:
    """Force Stop: drop the CG from OCS at once, calls in progress included."""
    outcome = Outcome(dbid)
    await _send(outcome, "ForceUnloadCampaign", dialect.force_unload(dbid))
    return outcome


async def set_mode(
    dialect: OcsDialect,
    dbid: int,
    mode: ModeLike,
    optimization: Optimization | None = None,
    *,
    auto_completion: bool = False,
) -> Outcome:
    """Change the dialing mode of a loaded CG; a CG not loaded, or already so, is left alone."""
    outcome = Outcome(dbid)
    status = await _observe(dialect, dbid, outcome)
    if not status.loaded:
        logger.info("ocs mode not set, cg not loaded: cg=%s state=%s", dbid, status.state)
        return outcome
    same_mode = status.dialing_mode == dialing_mode(mode).name
    same_optimization = optimization is None or status.optimization == optimization
    if same_mode and same_optimization and not auto_completion:
        return outcome

    change = dialect.set_dialing_mode(dbid, mode, optimization, auto_completion=auto_completion)
    await _send(outcome, "SetDialingMode", change)
    return outcome


async def _observe(
    dialect: OcsDialect, dbid: int, outcome: Outcome, *, allow_unknown: bool = False
) -> CampaignGroupStatus:
    outcome.status = await dialect.get_status(dbid)
    if outcome.status.state_enum is S.Unknown and not allow_unknown:
        raise OcsError(f"CG {dbid} is in state Unknown in OCS; not acting on it", dbid=dbid)
    return outcome.status


async def _send(
    outcome: Outcome, request: str, command: Awaitable[CampaignGroupStatus]
) -> CampaignGroupStatus:
    outcome.status = await command
    if not outcome.status.already:
        outcome.sent.append(request)
    logger.debug("ocs command done: cg=%s req=%s state=%s", outcome.dbid, request, outcome.state)
    return outcome.status


async def _bring_loaded(
    dialect: OcsDialect, outcome: Outcome, auto_completion: bool, within: float
) -> CampaignGroupStatus:
    """Load the CG unless it is loaded, waiting out a drain first; then wait (up to `within`
    seconds per wait) until it is Active."""

    def load() -> Awaitable[CampaignGroupStatus]:
        return dialect.load(outcome.dbid, auto_completion=auto_completion)

    try:
        status = await _send(outcome, "LoadCampaign", load())
    except OcsConflict as refused:
        if CampaignGroupState[refused.state] not in DRAINING_STATES:
            raise
        outcome.status = await dialect.get_status(outcome.dbid)
        await _await_state(dialect, outcome, {S.NotLoaded}, within)
        status = await _send(outcome, "LoadCampaign", load())
    if status.state_enum is S.InActive:
        status = await _await_state(dialect, outcome, {S.Active, S.Running}, within)
    return status


async def _await_state(
    dialect: OcsDialect, outcome: Outcome, wanted: Collection[CampaignGroupState], within: float
) -> CampaignGroupStatus:
    """Poll with growing intervals until the CG is in a wanted state or time runs out.

    On time-out the last status is returned: the next command then fails with a clear
    conflict naming the state OCS reports, which says more than a bare time-out would.
    """
    assert outcome.status is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    interval = POLL_FIRST
    while outcome.status.state_enum not in wanted:
        if loop.time() >= deadline:
            logger.warning(
                "ocs state not reached: cg=%s wanted=%s state=%s within=%s",
                outcome.dbid, sorted(s.name for s in wanted), outcome.state, within,
            )  # fmt: skip
            break
        await asyncio.sleep(min(interval, max(0.0, deadline - loop.time())))
        interval = min(interval * 1.5, POLL_CAP)
        outcome.status = await dialect.get_status(outcome.dbid)
    return outcome.status
