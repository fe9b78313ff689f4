"""Carries out the planner's commands against OCS and reports what came of each.

Commands for one Campaign Group run one at a time (two Schedules may share a
group); commands for different groups run concurrently. OCS errors become
outcomes to record and retry, never exceptions that lose a run.
"""

import asyncio
import logging
from collections import defaultdict
from datetime import UTC, datetime

from outbound_scheduler import ocs
from outbound_scheduler.handlers import metrics
from outbound_scheduler.models import Action
from outbound_scheduler.planning import Command, CommandKind, Outcome
from outbound_scheduler.planning.decide import GroupId
from outbound_scheduler.settings import Settings

logger = logging.getLogger(__name__)
DRAIN_TIMEOUT = 10.0  # seconds a stop waits for OCS to finish unloading, to report NotLoaded


class Executor:
    def __init__(self, settings: Settings) -> None:
        self._dialects = {
            name: ocs.GenesysHttpDialect(
                str(endpoint.url),
                timeout=endpoint.timeout,
                authorization=secret.get_secret_value()
                if (secret := endpoint.authorization)
                else None,
            )
            for name, endpoint in settings.ocs_endpoints.items()
        }
        # Every OCS request is counted and timed on its way (handlers.metrics).
        self._dialects = {name: metrics.metered(name, d) for name, d in self._dialects.items()}
        self._locks: defaultdict[GroupId, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def close(self) -> None:
        for dialect in self._dialects.values():
            await dialect.close()

    async def prepare(self, requests: int) -> None:
        """Get every OCS ready for `requests` requests at once: Schedules are about to open."""
        await asyncio.gather(*(dialect.prepare(requests) for dialect in self._dialects.values()))

    async def run_all(self, commands: tuple[Command, ...]) -> list[Outcome]:
        if len(commands) == 1:  # most passes: no task to spawn for one command
            return [await self.run(commands[0])]
        return list(await asyncio.gather(*(self.run(command) for command in commands)))

    async def run(self, command: Command) -> Outcome:
        dialect = self._dialects.get(command.ocs)
        if dialect is None:
            error = f"no OCS endpoint named {command.ocs!r} in the operator settings"
            return Outcome(command, now(), error=error)
        async with self._locks[(command.ocs, command.dbid)]:
            try:
                return await self._carry_out(dialect, command)
            except ocs.OcsError as error:
                logger.warning("ocs command failed: run=%s %s", command.run_id, error)
                unreachable = isinstance(error, ocs.OcsUnavailable)
                return Outcome(command, now(), error=str(error), unreachable=unreachable)

    async def status(self, group: GroupId) -> tuple[datetime, ocs.CampaignGroupStatus]:
        """Ask OCS about a group between commands: (when it was asked, the answer)."""
        dialect = self._dialects.get(group[0])
        if dialect is None:
            raise ocs.OcsError(f"no OCS endpoint named {group[0]!r} in the operator settings")
        async with self._locks[group]:
            asked = now()
            return asked, await dialect.get_status(group[1])

    async def _carry_out(self, dialect: ocs.OcsDialect, command: Command) -> Outcome:
        if command.kind in (CommandKind.RELEASE, CommandKind.RECORD):
            return Outcome(command, now())
        if command.kind is CommandKind.STOP:
            try:
                result = await ocs.ensure_stopped(
                    dialect, command.dbid, drain_timeout=DRAIN_TIMEOUT
                )
            except ocs.OcsNotFound:  # OCS does not know the group: it is not dialing it either
                return Outcome(command, now(), ocs_state="Unknown")
            return Outcome(command, now(), ocs_state=result.state, dialing_mode=mode_of(result))
        paused = command.action is Action.START_PAUSED
        if command.kind is CommandKind.ADOPT:
            status = await dialect.get_status(command.dbid)
            there = status.loaded if paused else status.dialing
            return Outcome(
                command, now(), ocs_state=status.state, dialing_mode=status.dialing_mode,
                adopted=there, missed=not there,
            )  # fmt: skip
        if command.kind is CommandKind.START and command.stop_at != (None, None):
            reached = stop_rule_reached(await dialect.get_status(command.dbid), command.stop_at)
            if reached is not None:  # starting would only dial past what the rule allows
                return Outcome(command, now(), skipped=reached[0], detail=reached[1])
        result = await self._bring(dialect, command, paused)
        if command.action is Action.SET_DIALING_MODE and result.status and not result.status.loaded:
            detail = f"the group is {result.state} in OCS, not loaded: no mode to change"
            return Outcome(
                command, now(), ocs_state=result.state, skipped="NotLoaded", detail=detail
            )
        return Outcome(
            command, now(), ocs_state=result.state, dialing_mode=mode_of(result),
            adopted=result.adopted and command.kind is CommandKind.START,
        )  # fmt: skip

    async def _bring(self, dialect: ocs.OcsDialect, command: Command, paused: bool) -> ocs.Outcome:
        """The opening's action: start, load paused, stop, force stop, or set the mode."""
        dbid, completion = command.dbid, command.auto_completion
        mode = str(command.dialing_mode) if command.dialing_mode else "Predict"
        optimization = None
        if command.optimization is not None:
            optimization = ocs.Optimization(
                str(command.optimization.method), command.optimization.goal
            )
        if command.action is Action.STOP:
            return await ocs.ensure_stopped(dialect, dbid, drain_timeout=DRAIN_TIMEOUT)
        if command.action is Action.FORCE_STOP:
            return await ocs.force_stop(dialect, dbid)
        if command.action is Action.SET_DIALING_MODE:
            return await ocs.set_mode(dialect, dbid, mode, optimization, auto_completion=completion)
        if paused:
            return await ocs.ensure_loaded(dialect, dbid, auto_completion=completion)
        return await ocs.ensure_running(
            dialect, dbid, mode, optimization, auto_completion=completion
        )


def stop_rule_reached(
    status: ocs.CampaignGroupStatus, stop_at: tuple[float | None, float | None]
) -> tuple[str, str] | None:
    """(reason, words) when the group already meets its stop rule, before it starts."""
    for reason, limit, fraction in (
        ("Penetration", stop_at[0], status.penetration),
        ("Completion", stop_at[1], status.completion),
    ):
        if limit is not None and fraction is not None and fraction * 100 >= limit:
            return reason, f"{reason.lower()} {fraction * 100:.1f}% ≥ {limit:g}%"
    return None


def now() -> datetime:
    return datetime.now(UTC)


def mode_of(result: ocs.Outcome) -> str | None:
    return result.status.dialing_mode if result.status is not None else None
