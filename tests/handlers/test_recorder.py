"""A burst of due Schedules: every command reaches OCS before any pass is recorded."""

import asyncio
from datetime import UTC, datetime, timedelta

from outbound_scheduler.handlers.reconcile import Reconciler
from outbound_scheduler.handlers.store import Store
from outbound_scheduler.planning import Outcome
from tests.handlers.test_store import body, group, settings

SCHEDULES = 30


class Ocs:
    """An executor that answers every command, one loop turn later, and notes the order of
    what happened: sends and records."""

    def __init__(self, journal: list[str]) -> None:
        self.journal = journal

    async def run_all(self, commands):
        self.journal += [f"sent {command.dbid}" for command in commands]
        await asyncio.sleep(0)
        now = datetime.now(UTC)
        return [Outcome(command, now, ocs_state="Running") for command in commands]


class Api:
    def __init__(self) -> None:
        self.events: list[str] = []

    def post_event(self, ref, type_, reason, message) -> None:
        self.events.append(reason)


async def test_every_due_group_is_started_before_any_pass_is_recorded():
    opened = datetime.now(UTC) - timedelta(minutes=1)
    store = Store(settings())
    for n in range(SCHEDULES):
        store.put_group(group(f"g{n}", dbid=1000 + n))
        spec = {
            "daily": {"at": opened.strftime("%H:%M:%S")},
            "end": {"after": "1h"},
            "campaignGroups": [{"name": f"g{n}"}],
        }
        store.put_schedule(body("Schedule", f"s{n}", spec))
    journal: list[str] = []
    api = Api()
    reconciler = Reconciler(settings(), store, Ocs(journal), api)  # type: ignore[arg-type]
    conclude = reconciler.conclude

    def noting(done):
        journal.append(f"recorded {done.key[1]}")
        conclude(done)

    reconciler.conclude = noting  # type: ignore[method-assign]
    for n in range(SCHEDULES):
        reconciler.queue.add(("ns", f"s{n}"))

    tasks = [asyncio.create_task(reconciler.work()) for _ in range(4)]
    tasks.append(asyncio.create_task(reconciler.record_passes()))
    await asyncio.wait_for(reconciler.queue.until_idle(), timeout=5)
    for task in tasks:
        task.cancel()

    sent = [i for i, line in enumerate(journal) if line.startswith("sent")]
    recorded = [i for i, line in enumerate(journal) if line.startswith("recorded")]
    assert len(sent) == len(recorded) == SCHEDULES
    assert max(sent) < min(recorded)
    assert api.events == ["Started"] * SCHEDULES
    assert all(
        store.schedules[("ns", f"s{n}")].status.campaign_groups[0].started is not None
        for n in range(SCHEDULES)
    )
