"""Write-behind: status writes wait for due work, and one object is written once per wait."""

import asyncio

from outbound_scheduler.handlers.queue import DueQueue
from outbound_scheduler.handlers.writes import WriteBehind


async def test_writes_wait_for_due_work_and_coalesce():
    """While a key is worked on nothing is written; then each object is written once,
    with the flush submitted last."""
    queue: DueQueue[str] = DueQueue()
    writes = WriteBehind(queue.until_idle)
    written: list[str] = []

    def flush(label: str):
        async def write() -> None:
            written.append(label)

        return write

    queue.add("schedule")
    await queue.get()
    writes.submit("a", flush("a-1"))
    writes.submit("b", flush("b-1"))
    writes.submit("a", flush("a-2"))
    writer = asyncio.create_task(writes.run())
    await asyncio.sleep(0.05)
    assert written == []

    queue.done("schedule")
    for _ in range(100):
        if len(written) == 2:
            break
        await asyncio.sleep(0.01)
    writer.cancel()
    assert written == ["b-1", "a-2"]
    assert writes.pending == 0
