"""The metrics endpoint: served on the configured port, ready once start-up has listed the
CampaignGroups, off at port 0, and never fatal when its port is taken."""

import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError

from outbound_scheduler import ocs
from outbound_scheduler.dev.processes import free_ports
from outbound_scheduler.handlers import metrics
from outbound_scheduler.handlers import server as http_server
from outbound_scheduler.settings import Settings


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def server() -> AsyncIterator[http_server.OperatorServer]:
    (port,) = free_ports(1)
    started = await http_server.serve("127.0.0.1", port)
    yield started
    await started.close()
    metrics.STANDING.store = None


async def get(http, server, path, **headers):
    async with http.get(f"http://127.0.0.1:{server.port}{path}", headers=headers) as answer:
        return answer.status, answer.headers["Content-Type"], await answer.text()


class EmptyStore:
    schedules: dict = {}
    groups: dict = {}


async def test_readyz_answers_once_start_up_has_listed_the_campaign_groups(server, http):
    """503 while starting; 200 once the operator hands over its store; 503 again at close."""
    status, _, text = await get(http, server, "/readyz")
    assert (status, text) == (503, "starting: CampaignGroups not listed yet")
    server.watch(EmptyStore())
    assert (await get(http, server, "/readyz"))[0] == 200


async def test_metrics_offer_the_operators_families_and_the_process_ones(server, http):
    """/metrics in Prometheus' text format: every outbound_scheduler_ family, and the
    process metrics that do not depend on Kopf."""
    status, content_type, text = await get(http, server, "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {
        "outbound_scheduler_runs", "outbound_scheduler_activation_lag_seconds",
        "outbound_scheduler_ocs_requests", "outbound_scheduler_ocs_request_duration_seconds",
        "outbound_scheduler_schedules", "outbound_scheduler_next_run_timestamp_seconds",
        "outbound_scheduler_campaign_groups",
        "outbound_scheduler_campaign_group_penetration_percent",
        "process_cpu_seconds", "process_resident_memory_bytes", "python_info",
    } <= names  # fmt: skip
    assert "_created" not in text


async def test_openmetrics_is_offered_to_a_scraper_that_asks_for_it(server, http):
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    status, content_type, text = await get(http, server, "/metrics", Accept=accept)
    assert status == 200
    assert content_type.startswith("application/openmetrics-text")
    assert text.endswith("# EOF\n")


async def test_port_zero_serves_nothing():
    off = await http_server.serve("127.0.0.1", 0)
    assert not off.serving
    await off.close()


async def test_a_taken_port_is_logged_and_the_operator_goes_on(caplog):
    """Schedules matter more than their metrics: a port in use is an error in the log, not
    a crash; the server then simply does not serve."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with caplog.at_level(logging.ERROR, logger=http_server.__name__):
            blocked = await http_server.serve("127.0.0.1", port)
    assert not blocked.serving
    assert f"metrics endpoint not started on 127.0.0.1:{port}" in caplog.text
    await blocked.close()


async def test_close_frees_the_port(server):
    port = server.port
    await server.close()
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))


def test_metrics_port_setting(monkeypatch):
    """OUTBOUND_SCHEDULER_METRICS_PORT sets the port, 0 turns it off, 8000 by default; a
    port outside 0..65535 is refused at start-up."""
    for name in ("OUTBOUND_SCHEDULER_METRICS_PORT", "OUTBOUND_SCHEDULER_METRICS_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    assert (Settings().metrics_port, Settings().metrics_address) == (8000, "0.0.0.0")
    monkeypatch.setenv("OUTBOUND_SCHEDULER_METRICS_PORT", "0")
    assert Settings().metrics_port == 0
    monkeypatch.setenv("OUTBOUND_SCHEDULER_METRICS_ADDRESS", "127.0.0.1")
    assert Settings().metrics_address == "127.0.0.1"
    for wrong in ("-1", "65536", "eight"):
        monkeypatch.setenv("OUTBOUND_SCHEDULER_METRICS_PORT", wrong)
        with pytest.raises(ValidationError, match="metrics_port"):
            Settings()


async def test_the_status_push_endpoint_hands_documents_to_the_operator(server, http):
    """POST /ocs/<endpoint>/campaigngroup-states: 503 before start-up is done, 404 for an
    endpoint the settings do not name, 400 for a body that is not a status document, 204
    and the document handed over otherwise."""
    url = f"http://127.0.0.1:{server.port}/ocs/default/campaigngroup-states"
    document = {"dbid": 7, "state": "Running", "stateCode": 5}
    async with http.post(url, json=document) as answer:
        assert answer.status == 503
    received = []

    def receive(endpoint, pushed):
        if not isinstance(pushed, dict) or "dbid" not in pushed:
            raise ocs.OcsError("status push: dbid is missing or not a positive integer")
        received.append((endpoint, pushed))

    server.watch(EmptyStore(), receive, {"default"})
    async with http.post(url, json=document) as answer:
        assert answer.status == 204
    assert received == [("default", document)]
    async with http.post(url.replace("/default/", "/east/"), json=document) as answer:
        assert (answer.status, await answer.text()) == (
            404, "no OCS endpoint named 'east' (configured: default)"
        )  # fmt: skip
    for body in (b"not json", b"[]"):
        async with http.post(url, data=body) as answer:
            assert answer.status == 400
            assert "not a status document" in await answer.text()
    assert len(received) == 1
