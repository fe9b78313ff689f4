"""The executor: the planner's commands carried out against a real simulator on loopback."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from outbound_scheduler.handlers.executor import Executor
from outbound_scheduler.models import Action
from outbound_scheduler.ocs.simulator import Simulator
from outbound_scheduler.planning import Command, CommandKind
from outbound_scheduler.settings import Settings

SECRET = "Basic b3BlcmF0b3I6czNjcjN0"


@pytest.fixture
async def guarded() -> AsyncIterator[Simulator]:
    """A simulator that answers only requests carrying the right Authorization header."""
    sim = Simulator([{"dbid": 7, "records": 100, "dialingRate": 1}], load_delay=0.02,
                    unload_delay=0.02, authorization=SECRET)  # fmt: skip
    await sim.start()
    yield sim
    await sim.stop()


def executor(sim: Simulator, authorization: str | None) -> Executor:
    endpoint = {"url": sim.base_url, "timeout": 2}
    if authorization:
        endpoint["authorization"] = authorization
    return Executor(Settings(ocs_endpoints={"default": endpoint}))


def command(kind: CommandKind, dbid: int = 7) -> Command:
    return Command(kind=kind, entry="cg", ocs="default", dbid=dbid, run_id="r", reason="Test")


async def test_authorization_from_settings_reaches_ocs(guarded):
    """An endpoint's authorization value is sent with every request; without it OCS refuses."""
    allowed = executor(guarded, SECRET)
    started = await allowed.run(command(CommandKind.START))
    assert (started.ok, started.ocs_state) == (True, "Running")
    anonymous = executor(guarded, None)
    refused = await anonymous.run(command(CommandKind.STOP))
    await anonymous.close()
    assert not refused.ok
    assert SECRET not in (refused.error or "")
    await allowed.close()


async def test_stopping_a_group_ocs_does_not_know_counts_as_stopped(guarded):
    """A stop for a DBID OCS does not know succeeds: that group cannot be dialing."""
    stopper = executor(guarded, SECRET)
    outcome = await stopper.run(command(CommandKind.STOP, dbid=999))
    await stopper.close()
    assert outcome.ok
    assert outcome.at <= datetime.now(UTC)


async def test_a_start_whose_stop_rule_is_already_met_sends_no_command(guarded):
    """Group 7 dialed half its records in an earlier run; a start whose rule is penetration
    40 % finds it at 50 % and loads nothing."""
    runner = executor(guarded, SECRET)
    guarded.model.groups[7].dialed_before = 50.0  # 100 records at 1 per second: 50 %
    start = Command(kind=CommandKind.START, entry="cg", ocs="default", dbid=7, run_id="r",
                    stop_at=(40, None))  # fmt: skip
    outcome = await runner.run(start)
    await runner.close()
    assert (outcome.skipped, outcome.detail) == ("Penetration", "penetration 50.0% ≥ 40%")
    assert [r["req"] for r in guarded.request_log] == ["GetCampaignStatus"]


async def test_set_dialing_mode_on_a_group_not_loaded_is_not_done(guarded):
    runner = executor(guarded, SECRET)
    change = Command(kind=CommandKind.ACT, entry="cg", ocs="default", dbid=7, run_id="r",
                     action=Action.SET_DIALING_MODE, dialing_mode="Power")  # fmt: skip
    outcome = await runner.run(change)
    await runner.close()
    assert (outcome.ok, outcome.skipped) == (True, "NotLoaded")
    assert "NotLoaded in OCS, not loaded" in (outcome.detail or "")
