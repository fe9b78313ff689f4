"""The OCS simulator: its state machine (explicit `now`), its HTTP answers and its admin API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from outbound_scheduler.ocs.codes import CampaignGroupState as S
from outbound_scheduler.ocs.simulator import Simulator, load_seed_file, serve_forever
from outbound_scheduler.ocs.simulator.model import (
    BadRequest,
    CampaignGroup,
    OcsModel,
    Refused,
    Timing,
    UnknownCampaignGroup,
)

Admin = Callable[..., Any]

OCS_FIELDS = {
    "dbid", "state", "stateCode", "penetration", "completion",
    "GSW_CAMPAIGN_GROUP_NAME", "GSW_CAMPAIGN_GROUP_GUID", "GSW_CAMPAIGN_NAME", "GSW_GROUP_NAME",
    "GSW_DIAL_MODE", "GSW_OPTIMIZE_BY", "GSW_OPTIMIZE_GOAL",
    "GSW_STAT_BUSY_FACTOR", "GSW_STAT_HIT_RATIO", "GSW_STAT_OVERDIAL_RATE",
    "GSW_STAT_TIME_TO_COMPLETE",
}  # fmt: skip


def make_model(records: int = 100, rate: float = 10.0) -> OcsModel:
    model = OcsModel(Timing(load_delay=2.0, unload_delay=1.0, finalize_lag=1.0))
    model.put(CampaignGroup(7, "CG 7", "Campaign", "Group", records=records, dialing_rate=rate))
    return model


def running_model(now: float = 0.0, **body: Any) -> OcsModel:
    model = make_model()
    model.handle(7, "LoadCampaign", body, now)
    model.handle(7, "StartDialing", {"GSW_DIAL_MODE": 6, **body}, now + 2)
    return model


# --- the state machine, with explicit time ---------------------------------------------------


def test_load_passes_through_inactive_for_the_load_delay() -> None:
    """LoadCampaign answers at once with InActive; the CG is Active once the delay has passed."""
    model = make_model()
    assert model.handle(7, "LoadCampaign", {}, now=10.0).state is S.InActive
    assert model.get(7, now=11.9).state is S.InActive
    assert model.get(7, now=12.0).state is S.Active


def test_start_dialing_is_refused_while_loading() -> None:
    """StartDialing cannot follow LoadCampaign instantly: 409 until the CG is Active."""
    model = make_model()
    model.handle(7, "LoadCampaign", {}, now=0.0)
    with pytest.raises(Refused) as refusal:
        model.handle(7, "StartDialing", {"GSW_DIAL_MODE": 1}, now=0.5)
    assert refusal.value.state is S.InActive


def test_unload_drains_through_waiting_unload_and_unload_in_progress() -> None:
    """UnloadCampaign passes WaitingUnload, then UnloadInProgress, then NotLoaded."""
    model = running_model()
    model.handle(7, "StopDialing", {}, now=5.0)
    assert model.handle(7, "UnloadCampaign", {}, now=5.0).state is S.WaitingUnload
    assert model.get(7, now=5.6).state is S.UnloadInProgress
    assert model.get(7, now=6.0).state is S.NotLoaded
    assert 7 not in model.loaded


@pytest.mark.parametrize(
    ("request_name", "state"),
    [
        ("StartDialing", S.NotLoaded),
        ("StopDialing", S.NotLoaded),
        ("UnloadCampaign", S.NotLoaded),
        ("ForceUnloadCampaign", S.NotLoaded),
        ("SetDialingMode", S.NotLoaded),
    ],
)
def test_requests_refused_on_a_not_loaded_cg(request_name: str, state: S) -> None:
    """Requests that need a loaded CG are refused, naming the current state."""
    with pytest.raises(Refused) as refusal:
        make_model().handle(7, request_name, {"GSW_DIAL_MODE": 1}, now=0.0)
    assert refusal.value.state is state


@pytest.mark.parametrize("request_name", ["LoadCampaign", "StartDialing", "UnloadCampaign"])
def test_requests_refused_on_a_running_cg(request_name: str) -> None:
    """Load, Start and Unload are refused while Running (stop first)."""
    model = running_model()
    with pytest.raises(Refused):
        model.handle(7, request_name, {"GSW_DIAL_MODE": 1}, now=3.0)


def test_stop_dialing_keeps_the_cg_loaded_and_its_progress() -> None:
    """StopDialing returns a Running CG to Active and keeps what it dialed."""
    model = running_model()
    group = model.handle(7, "StopDialing", {}, now=5.0)
    assert group.state is S.Active
    assert group.progress(now=100.0, lag=1.0).attempted == 30


def test_force_unload_is_immediate() -> None:
    """ForceUnloadCampaign takes a Running CG to NotLoaded at once."""
    model = running_model()
    assert model.handle(7, "ForceUnloadCampaign", {}, now=3.0).state is S.NotLoaded


def test_set_dialing_mode_changes_mode_and_optimization() -> None:
    """SetDialingMode on a loaded CG replaces its mode and optimization."""
    model = running_model()
    body = {"GSW_DIAL_MODE": 1, "GSW_OPTIMIZE_BY": 2, "GSW_OPTIMIZE_GOAL": 3}
    group = model.handle(7, "SetDialingMode", body, now=3.0)
    assert group.mode is not None
    assert group.mode.name == "Predict"
    assert group.optimization is not None
    assert group.optimization[1] == 3


def test_bad_codes_are_bad_requests() -> None:
    """An unknown dialing mode code or optimization method is a bad request, not a change."""
    model = running_model()
    with pytest.raises(BadRequest):
        model.handle(7, "SetDialingMode", {"GSW_DIAL_MODE": 42}, now=3.0)
    with pytest.raises(BadRequest):
        model.handle(7, "SetDialingMode", {"GSW_OPTIMIZE_BY": 9, "GSW_OPTIMIZE_GOAL": 1}, 3.0)


def test_unknown_dbid_is_unknown() -> None:
    """Only CGs the simulator was given exist."""
    with pytest.raises(UnknownCampaignGroup):
        make_model().get(8, now=0.0)


def test_auto_completion_stops_and_unloads_when_records_run_out() -> None:
    """100 records at 10/s with a 1 s lag: drained from 11 s of dialing, gone 1 s later."""
    model = running_model(GSW_AUTO_COMPLETION=1)
    assert model.get(7, now=2 + 10.9).state is S.Running
    assert model.get(7, now=2 + 11.2).state is S.WaitingUnload
    group = model.get(7, now=2 + 12.0)
    assert group.state is S.NotLoaded
    assert group.progress(now=20.0).completion == 1.0


def test_without_auto_completion_an_exhausted_cg_keeps_running() -> None:
    """Without GSW_AUTO_COMPLETION the CG stays Running with nothing left to dial."""
    assert running_model().get(7, now=100.0).state is S.Running


def test_restart_forgets_loaded_state_but_keeps_history() -> None:
    """An OCS restart leaves every CG NotLoaded; records already dialed stay dialed."""
    model = running_model()
    model.restart(now=4.0)
    group = model.get(7, now=10.0)
    assert group.state is S.NotLoaded
    assert group.progress(now=10.0).attempted == 20


# --- HTTP --------------------------------------------------------------------------------------


async def ocs(
    http: aiohttp.ClientSession, sim: Simulator, dbid: Any, req: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    method = "GET" if req == "GetCampaignStatus" else "POST"
    url = f"{sim.base_url}/campaigngroups/{dbid}?req={req}"
    async with http.request(method, url, json=body) as response:
        return response.status, await response.json()


async def test_status_answer_has_every_documented_field(
    simulator: Simulator, http: aiohttp.ClientSession
) -> None:
    """GetCampaignStatus answers the OCS.md fields, with numeric codes for mode and method."""
    status, document = await ocs(http, simulator, 101, "GetCampaignStatus")
    assert status == 200
    assert set(document) >= OCS_FIELDS
    assert document["state"] == "NotLoaded"
    assert document["stateCode"] == 0
    assert document["GSW_CAMPAIGN_NAME"] == "Spring Renewals"
    assert document["GSW_CAMPAIGN_GROUP_GUID"] == "101"


async def test_unknown_dbid_is_404_with_json(
    simulator: Simulator, http: aiohttp.ClientSession
) -> None:
    """An unknown or non-numeric DBID gets 404 with a JSON error body."""
    for dbid in (999, "abc"):
        status, body = await ocs(http, simulator, dbid, "LoadCampaign", {})
        assert status == 404
        assert body["error"] == "NotFound"


async def test_conflict_body_names_current_state(
    simulator: Simulator, http: aiohttp.ClientSession
) -> None:
    """A disallowed transition gets 409 with the current state name and code."""
    status, body = await ocs(http, simulator, 101, "StartDialing", {"GSW_DIAL_MODE": 6})
    assert status == 409
    assert (body["state"], body["stateCode"], body["req"]) == ("NotLoaded", 0, "StartDialing")


async def test_malformed_requests_get_json_errors(
    simulator: Simulator, http: aiohttp.ClientSession
) -> None:
    """Bad JSON, unknown requests, wrong methods and unknown paths all answer JSON errors."""
    url = f"{simulator.base_url}/campaigngroups/101"
    cases = [
        ("POST", f"{url}?req=LoadCampaign", b"{not json", 400),
        ("POST", f"{url}?req=DialEveryone", b"{}", 400),
        ("POST", f"{url}?req=GetCampaignStatus", b"{}", 405),
        ("GET", f"{url}?req=LoadCampaign", None, 405),
        ("GET", f"{simulator.base_url}/nothing-here", None, 404),
    ]
    for method, target, data, expected in cases:
        async with http.request(method, target, data=data) as response:
            assert response.status == expected, (method, target)
            assert "error" in await response.json()


async def test_penetration_rises_while_running(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """While Running, penetration and completion grow with time and stats are reported."""
    await admin("POST", "campaigngroups", {"dbid": 5, "records": 100000, "dialingRate": 20000})
    await admin("POST", "config", {"loadDelay": 0})
    await ocs(http, simulator, 5, "LoadCampaign", {})
    await ocs(http, simulator, 5, "StartDialing", {"GSW_DIAL_MODE": 1})
    await asyncio.sleep(0.05)
    _, first = await ocs(http, simulator, 5, "GetCampaignStatus")
    await asyncio.sleep(0.05)
    _, second = await ocs(http, simulator, 5, "GetCampaignStatus")
    assert 0 < first["penetration"] < second["penetration"] < 1
    assert second["completion"] <= second["penetration"]
    assert second["GSW_STAT_BUSY_FACTOR"] > 0
    assert second["GSW_STAT_TIME_TO_COMPLETE"] > 0


async def test_authorization_is_enforced_when_configured(http: aiohttp.ClientSession) -> None:
    """With an Authorization value set, OCS requests without it get 401."""
    async with Simulator([{"dbid": 1}], authorization="Basic b2NzOnNlY3JldA==") as sim:
        status, _ = await ocs(http, sim, 1, "GetCampaignStatus")
        assert status == 401


# --- admin API ---------------------------------------------------------------------------------


async def test_admin_creates_replaces_and_lists_campaign_groups(admin: Admin) -> None:
    """POST takes one object or a list, replaces by DBID; GET lists with state and counts."""
    status, created = await admin("POST", "campaigngroups", [{"dbid": 7}, {"dbid": 8}])
    assert status == 200
    assert [cg["dbid"] for cg in created] == [7, 8]
    await admin("POST", "campaigngroups", {"dbid": 7, "name": "Renamed", "records": 3})
    _, listed = await admin("GET", "campaigngroups")
    by_dbid = {cg["dbid"]: cg for cg in listed}
    assert set(by_dbid) == {7, 8, 101, 102, 103}
    assert by_dbid[7]["GSW_CAMPAIGN_GROUP_NAME"] == "Renamed"
    assert (by_dbid[7]["records"], by_dbid[7]["state"], by_dbid[7]["attempted"]) == (
        3,
        "NotLoaded",
        0,
    )


async def test_admin_rejects_invalid_campaign_groups(admin: Admin) -> None:
    """A CG without an integer DBID or with negative records is a 400."""
    assert (await admin("POST", "campaigngroups", {"name": "no dbid"}))[0] == 400
    assert (await admin("POST", "campaigngroups", {"dbid": 1, "records": -1}))[0] == 400


async def test_request_log_has_only_ocs_requests_and_clears(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """Admin calls are not logged; `since` skips entries; DELETE empties the log."""
    await ocs(http, simulator, 101, "GetCampaignStatus")
    await ocs(http, simulator, 101, "LoadCampaign", {"GSW_AUTO_COMPLETION": 1})
    _, log = await admin("GET", "requests")
    assert [entry["req"] for entry in log] == ["GetCampaignStatus", "LoadCampaign"]
    assert log[1]["body"] == {"GSW_AUTO_COMPLETION": 1}
    assert "body" not in log[0]
    _, tail = await admin("GET", "requests?since=1")
    assert [entry["req"] for entry in tail] == ["LoadCampaign"]
    await admin("DELETE", "requests")
    assert (await admin("GET", "requests"))[1] == []


async def test_injected_latency_delays_answers(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """latencyMs holds each OCS answer back; the receive time is still the arrival time."""
    await admin("POST", "faults", {"latencyMs": 80})
    started = time.monotonic()
    await ocs(http, simulator, 101, "GetCampaignStatus")
    assert time.monotonic() - started >= 0.08
    _, faults = await admin("GET", "faults")
    assert faults == {"latencyMs": 80.0, "errorRate": 0.0, "dropRate": 0.0, "downSeconds": 0.0}


async def test_injected_errors_and_drops(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """errorRate 1 answers 503 JSON; dropRate 1 closes the connection instead of answering."""
    await admin("POST", "faults", {"errorRate": 1})
    status, body = await ocs(http, simulator, 101, "GetCampaignStatus")
    assert status == 503
    assert body["error"] == "Unavailable"
    await admin("POST", "faults", {"dropRate": 1})
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await ocs(http, simulator, 101, "GetCampaignStatus")
    _, log = await admin("GET", "requests")
    # aiohttp's client may resend an idempotent GET once when a kept-alive connection drops.
    assert log[0]["status"] == 503
    assert {entry["status"] for entry in log[1:]} == {None}


async def test_fault_rates_are_validated(admin: Admin) -> None:
    """A rate outside 0..1 is refused."""
    assert (await admin("POST", "faults", {"errorRate": 1.5}))[0] == 400


async def test_admin_stop_acts_as_a_person_in_cx_contact(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """A manual stop of a Running CG stops dialing and unloads it, without an OCS request."""
    await admin("POST", "config", {"loadDelay": 0})
    await ocs(http, simulator, 101, "LoadCampaign", {})
    await ocs(http, simulator, 101, "StartDialing", {"GSW_DIAL_MODE": 2})
    status, after = await admin("POST", "campaigngroups/101/stop")
    assert status == 200
    assert after["state"] == "WaitingUnload"
    assert [entry["req"] for entry in (await admin("GET", "requests"))[1]] == [
        "LoadCampaign",
        "StartDialing",
    ]
    assert (await admin("POST", "campaigngroups/999/stop"))[0] == 404


async def test_admin_restart_unloads_everything(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """POST /admin/restart leaves every CG NotLoaded."""
    await ocs(http, simulator, 101, "LoadCampaign", {})
    await ocs(http, simulator, 102, "LoadCampaign", {})
    await admin("POST", "restart")
    _, listed = await admin("GET", "campaigngroups")
    assert {cg["state"] for cg in listed} == {"NotLoaded"}


async def test_admin_restart_with_down_time_answers_503_until_it_is_back(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """A restart with downSeconds refuses every OCS request with 503 meanwhile; admin
    requests still answer, and /admin/faults says how long is left."""
    await ocs(http, simulator, 101, "LoadCampaign", {})
    status, body = await admin("POST", "restart", {"downSeconds": 30})
    assert (status, body["downSeconds"]) == (200, 30)
    assert (await ocs(http, simulator, 101, "GetCampaignStatus"))[0] == 503
    _, faults = await admin("GET", "faults")
    assert 0 < faults["downSeconds"] <= 30
    await admin("POST", "faults", {})  # back up
    status, answer = await ocs(http, simulator, 101, "GetCampaignStatus")
    assert (status, answer["state"]) == (200, "NotLoaded")
    assert (await admin("POST", "restart", {"downSeconds": -1}))[0] == 400


async def test_admin_config_changes_delays(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """loadDelay 0 makes LoadCampaign reach Active at once; other fields keep their value."""
    status, config = await admin("POST", "config", {"loadDelay": 0})
    assert status == 200
    assert config["loadDelay"] == 0
    assert config["unloadDelay"] > 0
    _, loaded = await ocs(http, simulator, 101, "LoadCampaign", {})
    assert loaded["state"] == "Active"
    assert (await admin("POST", "config", {"statusPushUri": "ftp://x"}))[0] == 400


# --- status push -------------------------------------------------------------------------------


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback HTTP server that records the status documents posted to it."""
    received: list[dict[str, Any]] = []

    async def collect(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/states", collect)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/states", received
    await runner.cleanup()


async def test_status_push_on_each_action(
    simulator: Simulator,
    http: aiohttp.ClientSession,
    admin: Admin,
    receiver: tuple[str, list[dict[str, Any]]],
) -> None:
    """With a push URI, load/start/stop/mode change/unload each POST a full status document."""
    uri, received = receiver
    await admin("POST", "config", {"statusPushUri": uri, "loadDelay": 0})
    await ocs(http, simulator, 101, "LoadCampaign", {})
    await ocs(http, simulator, 101, "StartDialing", {"GSW_DIAL_MODE": 6})
    await ocs(http, simulator, 101, "SetDialingMode", {"GSW_DIAL_MODE": 1})
    await ocs(http, simulator, 101, "StopDialing", {})
    await ocs(http, simulator, 101, "UnloadCampaign", {})
    await ocs(http, simulator, 101, "GetCampaignStatus")
    for _ in range(100):
        if len(received) >= 5:
            break
        await asyncio.sleep(0.01)
    events = sorted(document["event"] for document in received)
    assert events == sorted(
        ["LoadCampaign", "StartDialing", "SetDialingMode", "StopDialing", "UnloadCampaign"]
    )
    assert all(set(document) >= OCS_FIELDS for document in received)


async def test_status_push_periodic_for_loaded_cgs_only(
    simulator: Simulator,
    http: aiohttp.ClientSession,
    admin: Admin,
    receiver: tuple[str, list[dict[str, Any]]],
) -> None:
    """Every interval the simulator pushes each loaded CG, and no other."""
    uri, received = receiver
    await ocs(http, simulator, 102, "LoadCampaign", {})
    await admin("POST", "config", {"statusPushUri": uri, "statusPushInterval": 0.03})
    for _ in range(200):
        if sum(document["event"] == "Periodic" for document in received) >= 2:
            break
        await asyncio.sleep(0.01)
    periodic = [document for document in received if document["event"] == "Periodic"]
    assert len(periodic) >= 2
    assert {document["dbid"] for document in periodic} == {102}


async def test_failed_status_push_is_not_retried(
    simulator: Simulator, http: aiohttp.ClientSession, admin: Admin
) -> None:
    """A push to a port nobody listens on fails quietly and the OCS request still succeeds."""
    await admin("POST", "config", {"statusPushUri": "http://127.0.0.1:9/states"})
    status, _ = await ocs(http, simulator, 101, "LoadCampaign", {})
    assert status == 200


# --- seeding and serving -----------------------------------------------------------------------


def test_seed_file_accepts_a_list_or_a_mapping(tmp_path: Path) -> None:
    """A seed file is YAML (or JSON): a list of CGs, or {campaignGroups: [...]}."""
    listed = tmp_path / "list.yaml"
    listed.write_text("- {dbid: 1, records: 10}\n- {dbid: 2}\n")
    mapped = tmp_path / "mapped.json"
    mapped.write_text('{"campaignGroups": [{"dbid": 3}]}')
    assert [item["dbid"] for item in load_seed_file(listed)] == [1, 2]
    assert [item["dbid"] for item in load_seed_file(mapped)] == [3]


async def test_serve_forever_runs_until_cancelled(tmp_path: Path) -> None:
    """serve_forever starts a seeded simulator and stops cleanly when cancelled."""
    seed = tmp_path / "seed.yaml"
    seed.write_text("- {dbid: 1}\n")
    server = asyncio.create_task(serve_forever("127.0.0.1", 0, seed_file=seed))
    await asyncio.sleep(0.05)
    assert not server.done()
    server.cancel()
    with pytest.raises(asyncio.CancelledError):
        await server


async def test_a_burst_of_requests_is_fast(simulator: Simulator, admin: Admin) -> None:
    """3,000 concurrent requests over 3,000 CGs are answered within a few seconds."""
    await admin("POST", "campaigngroups", [{"dbid": 10_000 + n} for n in range(3000)])
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.monotonic()
        answers = await asyncio.gather(
            *(ocs(session, simulator, 10_000 + n, "LoadCampaign", {}) for n in range(3000))
        )
        elapsed = time.monotonic() - started
    assert {status for status, _ in answers} == {200}
    assert len(simulator.request_log) == 3000
    assert elapsed < 8.0


# --- the front door ------------------------------------------------------------------------------


async def exchange(url: str, raw: bytes, answers: int) -> list[bytes]:
    """Write `raw` on one connection and read `answers` HTTP answers (heads and JSON bodies)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(raw)
    read = []
    for _ in range(answers):
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        read.append(head.split(b"\r\n")[0] + b" " + await reader.readexactly(length))
    writer.close()
    return read


async def test_pipelined_requests_are_answered_in_their_order() -> None:
    """Requests sent back to back on one connection, one of them an admin request passed on
    to the application behind, get their answers in the order they were sent."""
    async with Simulator([{"dbid": 7}], load_delay=0) as sim:
        assert sim.base_url is not None
        raw = (
            b"GET /campaigngroups/7?req=GetCampaignStatus HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /admin/campaigngroups/7 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /campaigngroups/7?req=LoadCampaign HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 2\r\n\r\n{}"
            b"GET /campaigngroups/8?req=GetCampaignStatus HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        first, admin, load, unknown = await exchange(sim.base_url, raw, 4)
    assert first.startswith(b'HTTP/1.1 200 OK {"dbid":7,"state":"NotLoaded"')
    assert admin.startswith(b'HTTP/1.1 200 OK {"dbid": 7,')
    assert b'"records"' in admin
    assert load.startswith(b'HTTP/1.1 200 OK {"dbid":7,"state":"Active"')
    assert unknown.startswith(b"HTTP/1.1 404 Not Found ")


async def test_an_unreadable_request_gets_400_and_a_closed_connection() -> None:
    async with Simulator([{"dbid": 7}]) as sim:
        assert sim.base_url is not None
        (answer,) = await exchange(sim.base_url, b"HELLO THERE\r\n\r\n", 1)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request ")
    assert b"unreadable HTTP request" in answer
