"""Between busy spells: collect garbage once, and keep what survives out of later collections.

With 10,000 Schedules the operator holds some 400,000 long-lived objects, and one full
collection of them takes about a fifth of a second; Python would otherwise run such
collections in the middle of a burst of starts, stalling every one of them. So, when the
operator has been busy and nothing is due soon, it collects once and freezes the survivors
(`gc.freeze`): collections during the next burst look only at objects made since. Freed
memory goes back to the system where the C library allows it (glibc's `malloc_trim`).
Frozen objects are still freed when nothing refers to them; a cycle among them waits for
the next tidy, which thaws everything before collecting.
"""

import asyncio
import ctypes
import gc
import logging
import time
from collections.abc import Callable

from outbound_scheduler.handlers.queue import DueQueue

logger = logging.getLogger(__name__)
EVERY = 60.0  # seconds between two looks
QUIET = 10.0  # seconds that must be free of due Schedules for a collection to start


def release_memory() -> Callable[[], object] | None:
    """glibc's malloc_trim, where there is one."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    return lambda: trim(0)


async def tidy(queue: DueQueue, activity: Callable[[], int]) -> None:
    """For the operator's life: after activity (a count that grows with the work done, such
    as reconcile passes), in a quiet moment, collect and freeze; an idle operator is left
    alone."""
    trim = release_memory()
    seen = -1
    while True:
        await asyncio.sleep(EVERY)
        await queue.until_idle()
        upcoming = queue.next_at
        if upcoming is not None and upcoming - time.time() < QUIET:
            continue
        if activity() == seen:
            continue  # nothing happened since the last tidy
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        if trim is not None:
            trim()
        seen = activity()
        logger.debug(
            "tidied: %d objects frozen in %.0f ms",
            gc.get_freeze_count(), (time.perf_counter() - started) * 1000,
        )  # fmt: skip
