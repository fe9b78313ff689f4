"""The observer against a real simulator: polls, pushes, commands' answers, and telling an
OCS restart (an outage, then NotLoaded) from a person's stop (OCS answered all along)."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from outbound_scheduler import ocs
from outbound_scheduler.handlers.executor import Executor
from outbound_scheduler.handlers.observer import SLICE, Change, Observer, unknown
from outbound_scheduler.ocs.simulator import Simulator
from outbound_scheduler.planning import Command, CommandKind
from outbound_scheduler.settings import Settings

GROUP = ("default", 7)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator([{"dbid": 7, "records": 100, "dialingRate": 50}], load_delay=0.02,
                          unload_delay=0.02)  # fmt: skip
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def watched(sim) -> AsyncIterator[tuple[Observer, Executor, list]]:
    executor = Executor(Settings(ocs_endpoints={"default": {"url": sim.base_url, "timeout": 1}}))
    changes: list = []
    observer = Observer(executor, 10, lambda g, seen, what, answer: changes.append((g, seen, what)))
    yield observer, executor, changes
    await executor.close()


async def start(executor: Executor, observer: Observer):
    command = Command(kind=CommandKind.START, entry="cg", ocs="default", dbid=7, run_id="r")
    outcome = await executor.run(command)
    observer.command_done(outcome)
    return outcome


async def test_a_poll_after_a_start_is_fresh_and_carries_statistics(watched):
    observer, executor, changes = watched
    outcome = await start(executor, observer)
    await observer.poll(GROUP)
    seen = observer.seen[GROUP]
    assert seen.at > outcome.at  # asked after the start answered: about this run
    assert (seen.state, seen.dialing) == ("Running", True)
    assert seen.penetration is not None
    assert changes[-1][2] is Change.STATISTICS  # the start's answer already said Running


async def test_a_person_stopping_it_is_no_outage(watched, sim):
    observer, executor, _ = watched
    await start(executor, observer)
    sim.stop_by_person(7)
    await observer.poll(GROUP)
    assert observer.seen[GROUP].loaded is False
    assert observer.seen[GROUP].after_outage is False


async def test_an_ocs_restart_is_seen_as_an_outage_until_the_group_is_up_again(watched, sim):
    """Polls fail while OCS is down (marked, with the error), the first answer after it shows
    NotLoaded with after_outage; once a command brings it back, the mark is gone."""
    observer, executor, _ = watched
    await start(executor, observer)
    sim.restart_ocs(down_seconds=60)
    await observer.poll(GROUP)
    assert "503" in (observer.seen[GROUP].error or "")
    sim.faults.down_until = 0
    await observer.poll(GROUP)
    seen = observer.seen[GROUP]
    assert (seen.state, seen.after_outage, seen.error) == ("NotLoaded", True, None)
    await start(executor, observer)
    await observer.poll(GROUP)
    assert (observer.seen[GROUP].dialing, observer.seen[GROUP].after_outage) == (True, False)


async def test_a_push_brings_statistics_and_a_new_state_is_confirmed_by_a_poll(watched, sim):
    """A pushed document keeps the time of the last poll (it is not ordered with commands);
    a state it announces that differs from what is known triggers a confirming poll."""
    observer, executor, _ = watched
    outcome = await start(executor, observer)
    document = {"dbid": 7, "state": "Running", "stateCode": 5, "penetration": 0.5}
    observer.pushed("default", document)
    seen = observer.seen[GROUP]
    assert (seen.penetration, seen.at) == (50.0, outcome.at)
    assert seen.synced > outcome.at

    # A stale push says NotLoaded; the poll it triggers finds the group still Running.
    confirmed = asyncio.Event()
    observer.changed = lambda group, seen, what, answer: seen.state == "Running" and confirmed.set()
    observer.pushed("default", {**document, "state": "NotLoaded", "stateCode": 0})
    await asyncio.wait_for(confirmed.wait(), timeout=5)
    assert sim.request_log[-1]["req"] == "GetCampaignStatus"
    assert observer.seen[GROUP].at > outcome.at


async def test_an_unreadable_push_is_refused(watched):
    observer, _, _ = watched
    for wrong in ([], {"state": "Running"}, {"dbid": "7"}, {"dbid": 0}):
        with pytest.raises(ocs.OcsError, match="status push"):
            observer.pushed("default", wrong)
    assert observer.seen == {}


async def test_a_person_stopping_it_after_an_outage_is_still_a_persons_stop(watched, sim):
    """An outage that OCS came back from, then the group seen up again (here by a push),
    then a person's stop: not taken for a restart, so nothing would start it again."""
    observer, executor, _ = watched
    await start(executor, observer)
    sim.faults.down_until = sim.clock() + 60
    await observer.poll(GROUP)
    sim.faults.down_until = 0
    observer.pushed("default", {"dbid": 7, "state": "Running", "stateCode": 5})
    sim.stop_by_person(7)
    await observer.poll(GROUP)
    seen = observer.seen[GROUP]
    assert (seen.loaded, seen.after_outage) == (False, False)


async def test_when_ocs_answers_again_every_held_group_is_looked_at(watched, sim):
    """The first answer after an outage (here a command's) makes the observer poll every
    group held on that OCS at once, so what each does after the outage is known before a
    person acts on it."""
    observer, executor, _ = watched
    observer.wanted = lambda: [GROUP]
    await start(executor, observer)
    sim.faults.down_until = sim.clock() + 60
    await observer.poll(GROUP)
    sim.faults.down_until = 0
    polled = asyncio.Event()
    command = Command(kind=CommandKind.START, entry="cg", ocs="default", dbid=7, run_id="r")
    back = await executor.run(command)
    observer.changed = lambda group, seen, what, answer: seen.at > back.at and polled.set()
    observer.command_done(back)
    await asyncio.wait_for(polled.wait(), timeout=5)
    assert sim.request_log[-1]["req"] == "GetCampaignStatus"


async def test_an_answer_noted_after_a_newer_poll_does_not_hide_it(watched, sim):
    """A command's answer is noted when its pass is recorded, after a burst's starts; a poll
    asked in between (a person stopped the group meanwhile) is newer, and stays."""
    observer, executor, _ = watched
    command = Command(kind=CommandKind.START, entry="cg", ocs="default", dbid=7, run_id="r")
    outcome = await executor.run(command)
    sim.stop_by_person(7)
    await observer.poll(GROUP)
    observer.command_done(outcome)
    seen = observer.seen[GROUP]
    assert seen.dialing is False
    assert seen.at > outcome.at


async def test_a_failure_noted_late_keeps_its_own_time(watched, sim):
    """A start that found OCS down, noted only after OCS answered a poll again: the outage
    is dated when the start failed, so the group seen loaded since is not taken as lost."""
    observer, executor, _ = watched
    await start(executor, observer)
    sim.faults.down_until = sim.clock() + 60
    command = Command(kind=CommandKind.START, entry="cg", ocs="default", dbid=7, run_id="r")
    failed = await executor.run(command)
    assert failed.unreachable
    sim.faults.down_until = 0
    await observer.poll(GROUP)
    observer.command_done(failed)
    sim.stop_by_person(7)
    await observer.poll(GROUP)
    seen = observer.seen[GROUP]
    assert (seen.loaded, seen.after_outage, seen.error) == (False, False, None)


async def test_a_round_over_many_held_groups_waits_for_due_work_slice_by_slice(sim):
    """With thousands of groups held, the look for groups due a poll is itself work: it
    waits for due Schedules before each slice instead of holding the loop for all of them."""
    executor = Executor(Settings(ocs_endpoints={"default": {"url": sim.base_url}}))
    waits: list[str] = []

    async def idle() -> None:
        waits.append("idle")

    observer = Observer(executor, 10, lambda *_: None, idle=idle)
    held = [("default", dbid) for dbid in range(1, 3 * SLICE + 500)]
    polled = asyncio.Event()

    async def status(group):
        waits.append("poll")
        polled.set()
        raise ocs.OcsError("not asked in this test")

    executor.status = status
    rounds = asyncio.create_task(observer.run(lambda: held))
    try:
        await asyncio.wait_for(polled.wait(), 10)
    finally:
        rounds.cancel()
        await executor.close()
    slices = -(-len(held) // SLICE)
    assert waits[: waits.index("poll")].count("idle") >= slices


async def test_a_group_both_held_and_draining_is_polled_once_a_round(sim):
    """A run's group may still drain from the run before while a new run holds it: one
    poll answers for both."""
    executor = Executor(Settings(ocs_endpoints={"default": {"url": sim.base_url}}))
    observer = Observer(executor, 10, lambda *_: None)
    long_ago = datetime.now(UTC) - timedelta(minutes=1)
    observer.seen[GROUP] = replace(unknown(long_ago), state="WaitingUnload", loaded=True)
    asked: list = []
    polled = asyncio.Event()

    async def status(group):  # answers at once: every poll of the round runs before the
        asked.append(group)  # test wakes up, and the next round is 5 s away
        polled.set()
        raise ocs.OcsError("not asked in this test")

    executor.status = status
    rounds = asyncio.create_task(observer.run(lambda: {GROUP}))
    try:
        await asyncio.wait_for(polled.wait(), 10)
    finally:
        rounds.cancel()
        await executor.close()
    assert asked == [GROUP]
