"""The simulator's admin API under `/admin/`: set it up, play a person, read it, break it.

Tests, demos and benchmarks use it to create campaign groups, stop one as a person would in
CX Contact, read the log of OCS requests with receive times, inject faults, restart OCS and
change timings. None of it is part of OCS; its requests are not logged nor faulted.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from outbound_scheduler.ocs.simulator.model import (
    BadRequest,
    UnknownCampaignGroup,
    status_document,
)

if TYPE_CHECKING:
    from outbound_scheduler.ocs.simulator.server import Simulator

logger = logging.getLogger(__name__)

# Admin config field → the Timing attribute it sets (seconds).
_TIMINGS = {
    "loadDelay": "load_delay",
    "unloadDelay": "unload_delay",
    "finalizeLag": "finalize_lag",
}


def add_routes(app: web.Application, simulator: Simulator) -> None:
    api = _AdminApi(simulator)
    app.router.add_post("/admin/campaigngroups", api.put_groups)
    app.router.add_get("/admin/campaigngroups", api.list_groups)
    app.router.add_get("/admin/campaigngroups/{dbid}", api.get_group)
    app.router.add_post("/admin/campaigngroups/{dbid}/stop", api.stop_group)
    app.router.add_get("/admin/requests", api.list_requests)
    app.router.add_delete("/admin/requests", api.clear_requests)
    app.router.add_get("/admin/faults", api.get_faults)
    app.router.add_post("/admin/faults", api.set_faults)
    app.router.add_post("/admin/restart", api.restart)
    app.router.add_get("/admin/config", api.get_config)
    app.router.add_post("/admin/config", api.set_config)


class _AdminApi:
    def __init__(self, simulator: Simulator) -> None:
        self.sim = simulator

    async def put_groups(self, request: web.Request) -> web.Response:
        """Create or replace CGs from one JSON object or a list of them."""
        body = await _json(request)
        items = body if isinstance(body, list) else [body]
        try:
            groups = self.sim.add_campaign_groups(items)
        except BadRequest as exc:
            return _error(400, str(exc))
        logger.info("campaign groups put: count=%d", len(groups))
        return web.json_response([self._describe(group.dbid) for group in groups])

    async def list_groups(self, request: web.Request) -> web.Response:
        return web.json_response([self._describe(dbid) for dbid in sorted(self.sim.model.groups)])

    async def get_group(self, request: web.Request) -> web.Response:
        try:
            return web.json_response(self._describe(_dbid(request)))
        except UnknownCampaignGroup as exc:
            return _error(404, str(exc))

    async def stop_group(self, request: web.Request) -> web.Response:
        """A person stops the CG in CX Contact: OCS stops dialing and unloads it."""
        try:
            group = self.sim.stop_by_person(_dbid(request))
        except UnknownCampaignGroup as exc:
            return _error(404, str(exc))
        logger.info("campaign group stopped by person: cg=%s", group.dbid)
        return web.json_response(self._describe(group.dbid))

    async def list_requests(self, request: web.Request) -> web.Response:
        """The OCS request log, oldest first; `?since=N` skips the first N entries."""
        since = request.query.get("since", "0")
        if not since.isdigit():
            return _error(400, "'since' must be a non-negative integer")
        # Polled while a burst runs: orjson, so that the listing takes little from the answers.
        body = orjson.dumps(self.sim.request_log[int(since) :])
        return web.Response(body=body, content_type="application/json")

    async def clear_requests(self, request: web.Request) -> web.Response:
        self.sim.request_log.clear()
        return web.json_response({"cleared": True})

    async def get_faults(self, request: web.Request) -> web.Response:
        faults = self.sim.faults
        return web.json_response(
            {
                "latencyMs": faults.latency_ms,
                "errorRate": faults.error_rate,
                "dropRate": faults.drop_rate,
                "downSeconds": max(0.0, faults.down_until - self.sim.clock()),
            }
        )

    async def set_faults(self, request: web.Request) -> web.Response:
        """Replace the fault set; fields left out mean no such fault."""
        body = await _json(request)
        try:
            latency = _number(body, "latencyMs", 0.0, low=0.0)
            error_rate = _number(body, "errorRate", 0.0, low=0.0, high=1.0)
            drop_rate = _number(body, "dropRate", 0.0, low=0.0, high=1.0)
            down = _number(body, "downSeconds", 0.0, low=0.0)
        except BadRequest as exc:
            return _error(400, str(exc))
        faults = self.sim.faults
        faults.latency_ms, faults.error_rate, faults.drop_rate = latency, error_rate, drop_rate
        faults.down_until = self.sim.clock() + down
        logger.info(
            "faults set: latency_ms=%s error_rate=%s drop_rate=%s down_s=%s",
            latency, error_rate, drop_rate, down,
        )  # fmt: skip
        return await self.get_faults(request)

    async def restart(self, request: web.Request) -> web.Response:
        """Restart OCS: every CG NotLoaded; with downSeconds, 503 to everything until then."""
        body = await _json(request)
        try:
            down = _number(body, "downSeconds", 0.0, low=0.0)
        except BadRequest as exc:
            return _error(400, str(exc))
        self.sim.restart_ocs(down)
        logger.info("ocs restarted: every campaign group is NotLoaded; down for %s s", down)
        return web.json_response({"restarted": True, "downSeconds": down})

    async def get_config(self, request: web.Request) -> web.Response:
        timing = self.sim.model.timing
        return web.json_response(
            {
                "statusPushUri": self.sim.pusher.uri,
                "statusPushInterval": self.sim.pusher.interval,
                "loadDelay": timing.load_delay,
                "unloadDelay": timing.unload_delay,
                "finalizeLag": timing.finalize_lag,
            }
        )

    async def set_config(self, request: web.Request) -> web.Response:
        """Change only the fields given (push URI and interval, load/unload delay, finalize lag)."""
        body = await _json(request)
        pusher, timing = self.sim.pusher, self.sim.model.timing
        try:
            if "statusPushUri" in body:
                pusher.uri = _uri(body["statusPushUri"])
            if "statusPushInterval" in body:
                pusher.interval = _number(body, "statusPushInterval", 10.0, low=0.001)
                self.sim.restart_push_loop()
            for field, attribute in _TIMINGS.items():
                if field in body:
                    setattr(timing, attribute, _number(body, field, 0.0, low=0.0))
        except BadRequest as exc:
            return _error(400, str(exc))
        return await self.get_config(request)

    def _describe(self, dbid: int) -> dict[str, Any]:
        """The status document plus what only the simulator knows (records, rate, counts)."""
        now = self.sim.clock()
        group = self.sim.model.get(dbid, now)
        progress = group.progress(now, self.sim.model.timing.finalize_lag)
        return {
            **status_document(self.sim.model, group, now),
            "records": group.records,
            "dialingRate": group.dialing_rate,
            "attempted": progress.attempted,
            "finalized": progress.finalized,
            "autoCompletion": group.auto_completion,
        }


async def _json(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise web.HTTPBadRequest(text="body is not valid JSON") from None


def _dbid(request: web.Request) -> int:
    text = request.match_info["dbid"]
    if not text.lstrip("-").isdigit():
        raise UnknownCampaignGroup(f"campaign group {text!r} is unknown to OCS")
    return int(text)


def _number(
    body: Any, field: str, default: float, *, low: float, high: float | None = None
) -> float:
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    value = body.get(field, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadRequest(f"'{field}' must be a number")
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise BadRequest(f"'{field}' must be {bounds}")
    return float(value)


def _uri(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise BadRequest("'statusPushUri' must be an http(s) URL or null")
    return value


def _error(status: int, message: str) -> web.Response:
    return web.json_response(
        {"error": HTTPStatus(status).phrase, "message": message}, status=status
    )
