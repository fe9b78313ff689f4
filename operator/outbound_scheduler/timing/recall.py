"""The last answer to one question about an instant, kept for the next time it is asked.

One reconcile pass asks a Schedule's timetable about the same instant several times
(deciding, recording, the next wake); each question keeps its last answer.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


class Recall(Generic[T]):
    __slots__ = ("_answer", "_last")  # four per Schedule: no dict each

    def __init__(self, answer: Callable[[datetime], T]) -> None:
        self._answer = answer
        self._last: tuple[datetime, T] | None = None

    def __call__(self, t: datetime) -> T:
        last = self._last
        if last is None or last[0] != t:
            last = self._last = (t, self._answer(t))
        return last[1]
