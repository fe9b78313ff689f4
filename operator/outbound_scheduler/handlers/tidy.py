"""Between busy spells: collect garbage once, and keep what survives out of later collections.

With 10,000 Schedules the operator holds some 400,000 long-lived objects, and one full
collection of them takes about a fifth of a second; Python would otherwise run such
collections in the middle of a burst of starts, stalling every one of them. So, a few
seconds after the operator stops being busy, if nothing is due soon, it collects once and
freezes the survivors
(`gc.freeze`): collections during the next burst look only at objects made since. Freed
memory goes back to the system where the C library allows it (glibc's `malloc_trim`).
Frozen objects are still freed when nothing refers to them; a cycle among them waits for
the next tidy, which thaws everything before collecting.

A burst also makes many objects that live until its starts are recorded (some thirty per
start); with Python's default threshold the young generation is collected every couple of
dozen starts and its survivors are traversed again by the older generations. Collecting
the young generation every `YOUNG` allocations instead took a 10,000 burst's time in the
collector from about 0.9 s to 0.2 s of its 5 s.
"""

import asyncio
import ctypes
import gc
import logging
import time
from collections.abc import Callable

from outbound_scheduler.handlers.queue import DueQueue

logger = logging.getLogger(__name__)
CALM = 5.0  # seconds without a reconcile pass before the heap is tidied
QUIET = 10.0  # seconds that must be free of due Schedules for a collection to start
YOUNG = 20_000  # allocations between collections of the young generation (Python's: 700)


def release_memory() -> Callable[[], object] | None:
    """glibc's malloc_trim, where there is one."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    return lambda: trim(0)


async def tidy(queue: DueQueue, activity: Callable[[], int]) -> None:
    """For the operator's life: once the work done (`activity`, e.g. reconcile passes) has
    stopped growing for a calm moment and nothing is due soon, collect and freeze; an idle
    operator, with nothing new since the last tidy, is left alone. While busy, it only
    freezes what survived a young collection, so that Python's own full collections (due
    whenever long-lived objects grew by a quarter) look at recent objects, not at all of them:
    with Schedules opening every few seconds all day, the operator is never calm."""
    gc.set_threshold(YOUNG, *gc.get_threshold()[1:])
    trim = release_memory()
    seen = -1
    while True:
        before = activity()
        await asyncio.sleep(CALM)
        await queue.until_idle()
        done = activity()
        if done == seen:
            continue  # nothing new since the last tidy
        upcoming = queue.next_at
        if done != before or (upcoming is not None and upcoming - time.time() < QUIET):
            gc.collect(1)
            gc.freeze()
            continue
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        if trim is not None:
            trim()
        seen = done
        logger.debug(
            "tidied: %d objects frozen in %.0f ms",
            gc.get_freeze_count(), (time.perf_counter() - started) * 1000,
        )  # fmt: skip
