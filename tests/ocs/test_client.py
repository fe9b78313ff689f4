"""The HTTP dialect and the control compositions, against a simulator on loopback."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest

from outbound_scheduler.ocs import (
    CampaignGroupState,
    CampaignGroupStatus,
    DialingMode,
    GenesysHttpDialect,
    OcsConflict,
    OcsError,
    OcsNotFound,
    OcsUnavailable,
    Optimization,
    OptimizationMethod,
    RetryPolicy,
    dialing_mode,
    ensure_loaded,
    ensure_running,
    ensure_stopped,
    force_stop,
    set_mode,
)
from outbound_scheduler.ocs.genesys_http import parse_status
from outbound_scheduler.ocs.simulator import Simulator

Admin = Callable[..., Any]

RFC3339_MILLIS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
BUSY_80 = Optimization("BusyFactor", 80)


def sent_requests(simulator: Simulator) -> list[str]:
    return [entry["req"] for entry in simulator.request_log]


def commands(simulator: Simulator) -> list[str]:
    """The commands OCS carried out (a 409 "already so" changed nothing)."""
    return [
        entry["req"]
        for entry in simulator.request_log
        if entry["req"] != "GetCampaignStatus" and entry["status"] == 200
    ]


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 2.0) -> Any:
    """Await `check` every 10 ms until it returns something truthy or time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    # Polling a server over HTTP: there is no local event to wait on.
    while not (result := await check()) and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    return result


async def state_is(dialect: GenesysHttpDialect, dbid: int, state: str) -> bool:
    return (await eventually(lambda: _has_state(dialect, dbid, state))) is True


async def _has_state(dialect: GenesysHttpDialect, dbid: int, state: str) -> bool:
    return (await dialect.get_status(dbid)).state == state


async def bring_to(dialect: GenesysHttpDialect, admin: Admin, dbid: int, state: str) -> None:
    """Put a CG in `state`; loading and draining states are held by long delays."""
    if state == "InActive":
        await admin("POST", "config", {"loadDelay": 30})
        await dialect.load(dbid)
    elif state in ("Active", "Running", "WaitingUnload"):
        await ensure_loaded(dialect, dbid)
    if state == "Running":
        await dialect.start_dialing(dbid, "Power")
    if state == "WaitingUnload":
        await admin("POST", "config", {"unloadDelay": 30})
        await dialect.unload(dbid)
    assert (await dialect.get_status(dbid)).state == state


# --- codes and values --------------------------------------------------------------------------


def test_codes_carry_the_ocs_names() -> None:
    """Wire codes map to exactly the documented OCS names, both ways."""
    assert [mode.name for mode in DialingMode] == [
        "Predict", "Progress", "Preview", "ProgressAndSeize", "PredictAndSeize", "Power",
        "PowerAndSeize", "PushPreview", "ProgressGVP", "PredictGVP", "PowerGVP",
    ]  # fmt: skip
    assert [int(mode) for mode in DialingMode] == list(range(1, 12))
    assert dialing_mode("Power") is dialing_mode(6) is DialingMode.Power
    assert OptimizationMethod(2).name == "OverdialRate"
    assert CampaignGroupState(3).name == "InActive"


def test_undocumented_codes_and_names() -> None:
    """An undocumented state code reads as Unknown; an unknown mode name is an error."""
    assert CampaignGroupState.from_code(17) is CampaignGroupState.Unknown
    assert CampaignGroupState.from_code(None) is CampaignGroupState.Unknown
    with pytest.raises(ValueError, match="Predict"):
        dialing_mode("Predictive")


def test_optimization_holds_the_ocs_name() -> None:
    """An optimization given by member or code holds the method's OCS name."""
    assert Optimization(OptimizationMethod.BusyFactor, 80) == Optimization("BusyFactor", 80)
    with pytest.raises(ValueError, match="OptimizationMethod"):
        Optimization("Fastest", 1)


def test_retry_delays_grow_jittered_and_capped() -> None:
    """Each retry waits between half and all of min(cap, base * 2^n)."""
    policy = RetryPolicy(attempts=5, base=0.1, cap=0.3)
    assert 0.05 <= policy.delay(0) <= 0.1
    assert 0.1 <= policy.delay(1) <= 0.2
    assert all(0.15 <= policy.delay(8) <= 0.3 for _ in range(50))
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)


# --- the dialect -------------------------------------------------------------------------------


async def test_status_speaks_names_not_codes(dialect: GenesysHttpDialect) -> None:
    """Codes on the wire come back as OCS names; absent statistics are None."""
    await ensure_running(dialect, 101, "Power", BUSY_80)
    status = await dialect.get_status(101)
    assert isinstance(status, CampaignGroupStatus)
    assert (status.dbid, status.state, status.state_code) == (101, "Running", 5)
    assert status.dialing_mode == "Power"
    assert status.optimization == BUSY_80
    assert status.dialing
    assert status.loaded
    assert status.busy_factor == 80.0
    assert status.penetration is not None


async def test_actions_send_numeric_codes_and_auto_completion(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """StartDialing carries mode, method and goal as numbers, and GSW_AUTO_COMPLETION=1."""
    await ensure_loaded(dialect, 101)
    await dialect.start_dialing(
        101, "PredictGVP", Optimization("WaitTime", 5), auto_completion=True
    )
    body = simulator.request_log[-1]["body"]
    assert body == {
        "GSW_DIAL_MODE": 10,
        "GSW_OPTIMIZE_BY": 3,
        "GSW_OPTIMIZE_GOAL": 5,
        "GSW_AUTO_COMPLETION": 1,
    }


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("Running", "start"),
        ("Active", "load"),
        ("InActive", "load"),
        ("Running", "load"),
        ("Active", "stop"),
        ("NotLoaded", "stop"),
        ("NotLoaded", "unload"),
        ("WaitingUnload", "unload"),
        ("NotLoaded", "force_unload"),
    ],
)
async def test_actions_are_idempotent(
    dialect: GenesysHttpDialect, simulator: Simulator, admin: Admin, state: str, action: str
) -> None:
    """A 409 showing the CG already where the action leads counts as success."""
    await bring_to(dialect, admin, 101, state)
    calls = {
        "start": lambda: dialect.start_dialing(101, "Power"),
        "load": lambda: dialect.load(101),
        "stop": lambda: dialect.stop_dialing(101),
        "unload": lambda: dialect.unload(101),
        "force_unload": lambda: dialect.force_unload(101),
    }
    status = await calls[action]()
    assert status.state == state
    assert simulator.request_log[-1]["status"] == 409


async def test_conflict_raised_when_state_forbids(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """StartDialing on a NotLoaded CG raises OcsConflict naming CG, request and state."""
    with pytest.raises(OcsConflict) as conflict:
        await dialect.start_dialing(101, "Progress")
    assert (conflict.value.state, conflict.value.state_code) == ("NotLoaded", 0)
    assert "101" in str(conflict.value)
    assert "StartDialing" in str(conflict.value)
    assert len(simulator.request_log) == 1


async def test_unknown_cg_is_not_found_and_not_retried(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """A 404 raises OcsNotFound after exactly one request."""
    with pytest.raises(OcsNotFound) as missing:
        await dialect.load(4242)
    assert missing.value.dbid == 4242
    assert "4242" in str(missing.value)
    assert len(simulator.request_log) == 1


async def test_503_is_retried_until_success(
    dialect: GenesysHttpDialect, simulator: Simulator, admin: Admin
) -> None:
    """With a 50 % error rate (seeded: fail, then pass) the second attempt succeeds."""
    await admin("POST", "faults", {"errorRate": 0.5})
    status = await dialect.get_status(101)
    assert status.state == "NotLoaded"
    assert [entry["status"] for entry in simulator.request_log] == [503, 200]


async def test_unavailable_after_retries_run_out(
    dialect: GenesysHttpDialect, simulator: Simulator, admin: Admin
) -> None:
    """When every attempt gets 503, OcsUnavailable names the CG and request after 3 tries."""
    await admin("POST", "faults", {"errorRate": 1})
    with pytest.raises(OcsUnavailable) as unavailable:
        await dialect.load(101)
    assert "LoadCampaign" in str(unavailable.value)
    assert "101" in str(unavailable.value)
    assert [entry["status"] for entry in simulator.request_log] == [503, 503, 503]


async def test_dropped_connections_are_retried(simulator: Simulator, admin: Admin) -> None:
    """A lost answer is retried; the command already done there is not done twice."""
    await admin("POST", "faults", {"dropRate": 1})
    assert simulator.base_url is not None
    ocs = GenesysHttpDialect(simulator.base_url, retry=RetryPolicy(2, 0.01, 0.01))
    try:
        with pytest.raises(OcsUnavailable):
            await ocs.load(101)
        await admin("POST", "faults", {})
        loaded = await ocs.load(101)
    finally:
        await ocs.close()
    assert loaded.state == "InActive"
    assert [entry["status"] for entry in simulator.request_log] == [None, None, 409]


async def test_timeouts_are_retried_then_unavailable(simulator: Simulator, admin: Admin) -> None:
    """An answer slower than the per-request timeout counts as a failed attempt."""
    await admin("POST", "faults", {"latencyMs": 300})
    assert simulator.base_url is not None
    ocs = GenesysHttpDialect(simulator.base_url, timeout=0.05, retry=RetryPolicy(2, 0.01, 0.01))
    try:
        with pytest.raises(OcsUnavailable, match="no answer within"):
            await ocs.get_status(101)
    finally:
        await ocs.close()
    assert len(simulator.request_log) == 2


async def test_authorization_header_is_sent(http: Any) -> None:
    """The configured Authorization value reaches OCS; a wrong one is a 401, not retried."""
    async with Simulator([{"dbid": 1}], authorization="Bearer right") as sim:
        assert sim.base_url is not None
        right = GenesysHttpDialect(sim.base_url, authorization="Bearer right")
        wrong = GenesysHttpDialect(sim.base_url, authorization="Bearer wrong")
        try:
            assert (await right.get_status(1)).state == "NotLoaded"
            with pytest.raises(OcsError) as refused:
                await wrong.get_status(1)
        finally:
            await right.close()
            await wrong.close()
        assert refused.value.status == 401
        assert len(sim.request_log) == 2
        assert "right" not in repr(right)


# --- control -----------------------------------------------------------------------------------


async def test_ensure_running_waits_for_the_load_delay(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """From NotLoaded: LoadCampaign, poll until Active, then StartDialing — never too early."""
    outcome = await ensure_running(dialect, 101, "Power", BUSY_80)
    assert outcome.sent == ["LoadCampaign", "StartDialing"]
    assert (outcome.state, outcome.adopted) == ("Running", False)
    log = simulator.request_log
    times = {entry["req"]: datetime.fromisoformat(entry["receivedAt"]) for entry in log}
    waited = (times["StartDialing"] - times["LoadCampaign"]).total_seconds()
    assert waited >= simulator.model.timing.load_delay - 0.002
    assert all(entry["status"] == 200 for entry in log)


async def test_ensure_running_adopts_a_running_cg(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """A CG already Running is adopted: one LoadCampaign, answered 409 with the state."""
    await ensure_running(dialect, 101, "Power")
    simulator.request_log.clear()
    outcome = await ensure_running(dialect, 101, "Predict")
    assert (outcome.sent, outcome.adopted, outcome.state) == ([], True, "Running")
    assert [(e["req"], e["status"]) for e in simulator.request_log] == [("LoadCampaign", 409)]


async def test_ensure_running_from_active_only_starts(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """A loaded CG gets StartDialing alone."""
    await ensure_loaded(dialect, 101)
    outcome = await ensure_running(dialect, 101, "Progress")
    assert outcome.sent == ["StartDialing"]
    assert outcome.state == "Running"


async def test_ensure_running_waits_out_a_drain(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """A CG still unloading is waited for until NotLoaded, then loaded and started."""
    await ensure_loaded(dialect, 101)
    await dialect.unload(101)
    outcome = await ensure_running(dialect, 101, "Progress")
    assert outcome.sent == ["LoadCampaign", "StartDialing"]
    assert outcome.state == "Running"


async def test_ensure_running_gives_up_with_a_conflict(
    dialect: GenesysHttpDialect, admin: Admin
) -> None:
    """If loading outlasts load_timeout, StartDialing's conflict names the loading state."""
    await admin("POST", "config", {"loadDelay": 30})
    with pytest.raises(OcsConflict) as conflict:
        await ensure_running(dialect, 101, "Power", load_timeout=0.05)
    assert conflict.value.state == "InActive"


async def test_ensure_loaded_loads_without_dialing(dialect: GenesysHttpDialect) -> None:
    """Start Paused: LoadCampaign only, ending Active."""
    outcome = await ensure_loaded(dialect, 101, auto_completion=True)
    assert (outcome.sent, outcome.state) == (["LoadCampaign"], "Active")
    again = await ensure_loaded(dialect, 101)
    assert (again.sent, again.adopted) == ([], True)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("Running", ["StopDialing", "UnloadCampaign"]),
        ("Active", ["UnloadCampaign"]),
        ("InActive", ["UnloadCampaign"]),
        ("WaitingUnload", []),
        ("NotLoaded", []),
    ],
)
async def test_ensure_stopped_from_each_state(
    dialect: GenesysHttpDialect,
    simulator: Simulator,
    admin: Admin,
    state: str,
    expected: list[str],
) -> None:
    """Only the commands needed from the current state are sent, and the CG ends unloading."""
    await bring_to(dialect, admin, 101, state)
    simulator.request_log.clear()
    outcome = await ensure_stopped(dialect, 101)
    assert outcome.sent == expected
    assert outcome.state in ("WaitingUnload", "UnloadInProgress", "NotLoaded")
    assert commands(simulator) == expected


async def test_force_stop_unloads_at_once(
    dialect: GenesysHttpDialect, simulator: Simulator
) -> None:
    """Force Stop sends ForceUnloadCampaign to a running CG, nothing to an unloaded one."""
    await ensure_running(dialect, 101, "Power")
    outcome = await force_stop(dialect, 101)
    assert (outcome.sent, outcome.state) == (["ForceUnloadCampaign"], "NotLoaded")
    assert (await force_stop(dialect, 101)).sent == []


async def test_set_mode_changes_a_loaded_cg_only(dialect: GenesysHttpDialect) -> None:
    """SetDialingMode goes to a loaded CG whose mode differs; otherwise nothing is sent."""
    assert (await set_mode(dialect, 101, "Predict")).sent == []
    await ensure_running(dialect, 101, "Power")
    changed = await set_mode(dialect, 101, "Predict", Optimization("OverdialRate", 3))
    assert changed.sent == ["SetDialingMode"]
    assert changed.status is not None
    assert changed.status.dialing_mode == "Predict"
    same = await set_mode(dialect, 101, "Predict", Optimization("OverdialRate", 3))
    assert same.sent == []


async def test_auto_completion_stops_by_itself(dialect: GenesysHttpDialect) -> None:
    """A CG started with auto-completion unloads itself once its 5 records are finalized."""
    outcome = await ensure_running(dialect, 103, "Progress", auto_completion=True)
    assert outcome.state == "Running"
    assert await state_is(dialect, 103, "NotLoaded")
    status = await dialect.get_status(103)
    assert (status.penetration, status.completion) == (1.0, 1.0)


async def test_manual_stop_in_cx_contact_is_seen(dialect: GenesysHttpDialect, admin: Admin) -> None:
    """A person stopping the CG through the admin API takes it down to NotLoaded."""
    await ensure_running(dialect, 101, "Power")
    await admin("POST", "campaigngroups/101/stop")
    assert (await dialect.get_status(101)).state in ("WaitingUnload", "UnloadInProgress")
    assert await state_is(dialect, 101, "NotLoaded")


async def test_restart_forgets_running_cgs(dialect: GenesysHttpDialect, admin: Admin) -> None:
    """After an OCS restart a CG that was Running is NotLoaded and can be started again."""
    await ensure_running(dialect, 101, "Power")
    await admin("POST", "restart")
    assert (await dialect.get_status(101)).state == "NotLoaded"
    again = await ensure_running(dialect, 101, "Power")
    assert again.sent == ["LoadCampaign", "StartDialing"]


async def test_request_log_format(dialect: GenesysHttpDialect, admin: Admin) -> None:
    """Each logged OCS request has receivedAt (RFC 3339 UTC, ms), method, DBID, req, status."""
    await ensure_loaded(dialect, 101, auto_completion=True)
    _, log = await admin("GET", "requests")
    assert [entry["req"] for entry in log[:2]] == ["LoadCampaign", "GetCampaignStatus"]
    for entry in log:
        assert RFC3339_MILLIS.match(entry["receivedAt"]), entry["receivedAt"]
        assert entry["campaignGroup"] == 101
        assert entry["status"] == 200
    load = log[0]
    assert (load["method"], load["body"]) == ("POST", {"GSW_AUTO_COMPLETION": 1})
    assert log[1]["method"] == "GET"
    assert "body" not in log[1]
    stamps = [entry["receivedAt"] for entry in log]
    assert stamps == sorted(stamps)


def test_an_answer_with_odd_values_reads_them_as_unknown() -> None:
    """Codes OCS did not document, strings and JSON's true/false where numbers belong read
    as None; integers and floats read as numbers; a state code decides the state."""
    status = parse_status(
        7,
        {
            "dbid": True,
            "stateCode": 5,
            "state": "NotLoaded",
            "GSW_DIAL_MODE": True,
            "GSW_OPTIMIZE_BY": 42,
            "GSW_OPTIMIZE_GOAL": 80,
            "penetration": 1,
            "completion": "0.5",
            "GSW_STAT_BUSY_FACTOR": False,
            "GSW_STAT_HIT_RATIO": 31.5,
        },
    )
    assert (status.dbid, status.state, status.dialing_mode, status.optimization) == (
        7, "Running", None, None
    )  # fmt: skip
    assert (status.penetration, status.completion) == (1.0, None)
    assert (status.busy_factor, status.hit_ratio) == (None, 31.5)
    assert parse_status(7, {"state": "Active", "GSW_DIAL_MODE": 6}).dialing_mode == "Power"
    optimized = parse_status(7, {"GSW_OPTIMIZE_BY": 1, "GSW_OPTIMIZE_GOAL": 80.0})
    assert optimized.optimization == Optimization("BusyFactor", 80)
