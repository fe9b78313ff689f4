"""Fixtures for the ocs tests: a simulator on loopback with short delays, and clients of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from outbound_scheduler.ocs import GenesysHttpDialect, RetryPolicy
from outbound_scheduler.ocs.simulator import Simulator

LOAD_DELAY = 0.05
UNLOAD_DELAY = 0.04
FINALIZE_LAG = 0.02

CAMPAIGN_GROUPS = [
    {"dbid": 101, "name": "Spring Renewals@IVR East", "campaign": "Spring Renewals",
     "group": "IVR Agents East", "records": 1000, "dialingRate": 10},
    {"dbid": 102, "name": "Spring Renewals@IVR West", "records": 1000, "dialingRate": 10},
    {"dbid": 103, "name": "Tiny list", "records": 5, "dialingRate": 100},
]  # fmt: skip

FAST_RETRY = RetryPolicy(attempts=3, base=0.01, cap=0.02)


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    sim = Simulator(
        CAMPAIGN_GROUPS,
        load_delay=LOAD_DELAY,
        unload_delay=UNLOAD_DELAY,
        finalize_lag=FINALIZE_LAG,
        seed=1,
    )
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def dialect(simulator: Simulator) -> AsyncIterator[GenesysHttpDialect]:
    assert simulator.base_url is not None
    ocs = GenesysHttpDialect(simulator.base_url, timeout=1.0, retry=FAST_RETRY)
    yield ocs
    await ocs.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def admin(simulator: Simulator, http: aiohttp.ClientSession) -> Callable[..., Any]:
    """Call the simulator's admin API: `await admin("POST", "faults", {...})` → (status, json)."""

    async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = f"{simulator.base_url}/admin/{path}"
        async with http.request(method, url, json=body) as response:
            return response.status, await response.json()

    return call
