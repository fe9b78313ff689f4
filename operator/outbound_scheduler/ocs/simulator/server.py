"""The simulator's server: the OCS dialect on `/campaigngroups/<DBID>`, faults, request log.

OCS requests are answered by the front door (`front`), the admin API by an aiohttp
application behind it. Each OCS request is appended to an in-memory log with its receive
time (that is what the benchmark measures activation lag against), may be delayed, failed
with 503 or dropped by the configured faults, and is then applied to the `OcsModel`. Per
request the work is a dictionary look-up and a log append, so a burst of tens of thousands
of requests stays fast.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import yaml
from aiohttp import web

from outbound_scheduler.ocs.codes import CampaignGroupState
from outbound_scheduler.ocs.simulator import admin
from outbound_scheduler.ocs.simulator.front import Answer, Front, Handling, OcsRequest
from outbound_scheduler.ocs.simulator.model import (
    STATUS_REQUEST,
    BadRequest,
    CampaignGroup,
    OcsModel,
    Refused,
    Timing,
    UnknownCampaignGroup,
    campaign_group_from_json,
    status_document,
)
from outbound_scheduler.ocs.simulator.progress import FINALIZE_LAG
from outbound_scheduler.ocs.simulator.push import StatusPusher

logger = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Faults:
    """Trouble to inject into OCS requests (admin requests are never affected)."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    down_until: float = 0.0  # until this clock time: 503 to every request, and no push


class Simulator:
    """A simulated OCS on a real loopback HTTP port, for tests, the CLI and benchmarks.

    Delays are in seconds; `authorization`, when set, is the exact Authorization header
    every OCS request must carry (401 otherwise); `seed` makes injected faults repeatable.
    """

    def __init__(
        self,
        campaign_groups: Iterable[dict[str, Any]] = (),
        *,
        load_delay: float = 0.2,
        unload_delay: float = 0.1,
        finalize_lag: float = FINALIZE_LAG,
        push_uri: str | None = None,
        push_interval: float = 10.0,
        authorization: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        seed: int | None = None,
    ) -> None:
        timing = Timing(load_delay=load_delay, unload_delay=unload_delay, finalize_lag=finalize_lag)
        self.model = OcsModel(timing)
        self.pusher = StatusPusher(push_uri, push_interval)
        self.faults = Faults()
        self.authorization = authorization
        self.request_log: list[dict[str, Any]] = []
        self.clock = clock
        self.random = random.Random(seed)
        self.base_url: str | None = None
        self._runner: web.AppRunner | None = None  # the admin API, behind the front
        self._front: Front | None = None
        self._push_loop: asyncio.Task[None] | None = None
        self._wake_ups: dict[int, asyncio.TimerHandle] = {}
        self.add_campaign_groups(campaign_groups)

    def add_campaign_groups(self, items: Iterable[dict[str, Any]]) -> list[CampaignGroup]:
        """Create or replace CGs from {dbid, name, campaign, group, records, dialingRate}."""
        groups = [campaign_group_from_json(item) for item in items]
        for group in groups:
            self._cancel_wake_up(group.dbid)
            self.model.put(group)
        return groups

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port) and return the base URL."""
        app = web.Application(middlewares=[_json_errors])
        admin.add_routes(app, self)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        behind = self._runner.addresses[0][:2]
        self._front = Front(self.receive, f"http://{behind[0]}:{behind[1]}")
        bound_host, bound_port = await self._front.start(host, port)
        self.base_url = f"http://{bound_host}:{bound_port}"
        self.restart_push_loop()
        logger.info(
            "ocs simulator listening: url=%s groups=%d", self.base_url, len(self.model.groups)
        )
        return self.base_url

    async def stop(self) -> None:
        if self._push_loop is not None:
            self._push_loop.cancel()
            await asyncio.gather(self._push_loop, return_exceptions=True)
        for dbid in list(self._wake_ups):
            self._cancel_wake_up(dbid)
        await self.pusher.close()
        if self._front is not None:
            await self._front.stop()
            self._front = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def restart_ocs(self, down_seconds: float = 0.0) -> None:
        """Forget every loaded CG, as an OCS restart does, answering 503 while it comes back."""
        for dbid in list(self._wake_ups):
            self._cancel_wake_up(dbid)
        self.model.restart(self.clock())
        self.faults.down_until = self.clock() + down_seconds

    @property
    def down(self) -> bool:
        """Down, as when restarting: no answers but 503, and no status push."""
        return self.clock() < self.faults.down_until

    def restart_push_loop(self) -> None:
        """(Re)start the periodic push so that a new interval takes effect at once."""
        if self._push_loop is not None:
            self._push_loop.cancel()
        self._push_loop = asyncio.create_task(self._push_periodically())

    def stop_by_person(self, dbid: int) -> CampaignGroup:
        """A person stops the CG in CX Contact: OCS stops dialing and unloads it."""
        group = self.model.stop_by_person(dbid, self.clock())
        self._after_action(group, "ManualStop")
        return group

    def receive(self, request: OcsRequest) -> Handling:
        """Log an OCS request as it arrives; answer it now, or later under a latency fault."""
        dbid = _int_or_none(request.dbid)
        entry: dict[str, Any] = {
            "receivedAt": utc_timestamp(),
            "method": request.method,
            "campaignGroup": dbid,
            "req": request.req,
        }
        self.request_log.append(entry)
        delay = self.faults.latency_ms / 1000 if not self.down else 0.0

        def answer() -> Answer:
            answered = self._answer(request, entry)
            entry["status"] = None if answered.drop else answered.status
            return answered

        return Handling(delay, answer)

    def _answer(self, request: OcsRequest, entry: dict[str, Any]) -> Answer:
        if self.authorization and request.authorization != self.authorization:
            return error_answer(401, "Unauthorized", "missing or wrong Authorization header")
        try:
            body = _json_body(request.body)
        except BadRequest as exc:
            return error_answer(400, "BadRequest", str(exc))
        if body:
            entry["body"] = body

        # Overload refuses before doing anything; a drop loses the answer of work that was done.
        fault = self._injected_fault()
        if fault == "error":
            return error_answer(503, "Unavailable", "OCS is overloaded (simulated)")
        answered = self._apply(entry["campaignGroup"], entry["req"], request.method, body)
        if fault == "drop":
            entry["dropped"] = True
            answered.drop = True
        return answered

    def _apply(
        self, dbid: int | None, req: str | None, method: str, body: dict[str, Any]
    ) -> Answer:
        if method not in ("GET", "POST"):
            return error_answer(405, "MethodNotAllowed", f"OCS does not accept {method}")
        if (method == "GET") != (req == STATUS_REQUEST):
            return error_answer(405, "MethodNotAllowed", f"{req} does not accept {method}")
        try:
            if dbid is None:
                raise UnknownCampaignGroup("campaign group DBID must be an integer")
            group = self.model.handle(dbid, req or "", body, self.clock())
        except UnknownCampaignGroup as exc:
            return error_answer(404, "NotFound", str(exc), dbid=dbid, req=req)
        except BadRequest as exc:
            return error_answer(400, "BadRequest", str(exc), dbid=dbid, req=req)
        except Refused as exc:
            return _conflict(dbid, req, exc)
        if req != STATUS_REQUEST:
            self._after_action(group, req or "")
        return Answer(200, status_document(self.model, group, self.clock()))

    def _injected_fault(self) -> str | None:
        faults = self.faults
        if self.down:
            return "error"
        if faults.drop_rate > 0 and self.random.random() < faults.drop_rate:
            return "drop"
        if faults.error_rate > 0 and self.random.random() < faults.error_rate:
            return "error"
        return None

    def _after_action(self, group: CampaignGroup, event: str) -> None:
        """Push the new status and arm the wake-up that reports auto-completion."""
        if self.pusher.uri and not self.down:
            self.pusher.push(status_document(self.model, group, self.clock()), event)
        self._cancel_wake_up(group.dbid)
        if group.state is not CampaignGroupState.Running or not group.auto_completion:
            return
        done_at = group.exhausted_at(self.model.timing.finalize_lag)
        if done_at is not None:
            delay = max(0.0, done_at - self.clock())
            loop = asyncio.get_running_loop()
            self._wake_ups[group.dbid] = loop.call_later(delay, self._wake_up, group.dbid)

    def _wake_up(self, dbid: int) -> None:
        self._wake_ups.pop(dbid, None)
        group = self.model.get(dbid, self.clock())
        if group.state is not CampaignGroupState.Running:
            logger.info("campaign group auto-completed: cg=%s", dbid)
            self.pusher.push(status_document(self.model, group, self.clock()), "AutoCompletion")

    def _cancel_wake_up(self, dbid: int) -> None:
        handle = self._wake_ups.pop(dbid, None)
        if handle is not None:
            handle.cancel()

    async def _push_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.pusher.interval)
            if not self.pusher.uri or self.down:
                continue
            now = self.clock()
            for dbid in list(self.model.loaded):
                group = self.model.get(dbid, now)
                if dbid in self.model.loaded:
                    self.pusher.push(status_document(self.model, group, now), "Periodic")


def utc_timestamp() -> str:
    """Now as RFC 3339 UTC with milliseconds, e.g. 2026-12-04T17:00:00.123Z."""
    second, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
    return f"{_utc_second(second)}.{nanoseconds // 1_000_000:03d}Z"


@functools.lru_cache(maxsize=1)
def _utc_second(second: int) -> str:
    """Every request is stamped: the date and time of day are formatted once per second."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


def error_answer(status: int, error: str, message: str, **context: Any) -> Answer:
    return Answer(status, {"error": error, "message": message, **context})


def load_seed_file(path: str | Path) -> list[dict[str, Any]]:
    """Read CGs from a YAML or JSON file: a list, or a mapping with a `campaignGroups` list."""
    loaded = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if isinstance(loaded, dict):
        loaded = loaded.get("campaignGroups")
    if not isinstance(loaded, list):
        raise ValueError(f"{path}: expected a list of campaign groups")
    return loaded


async def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8080,
    seed_file: str | Path | None = None,
    push_uri: str | None = None,
    **options: Any,
) -> None:
    """Run a simulator until cancelled; `options` go to `Simulator` (load_delay, ...)."""
    seed = load_seed_file(seed_file) if seed_file else []
    simulator = Simulator(seed, push_uri=push_uri, **options)
    await simulator.start(host, port)
    try:
        await asyncio.Event().wait()
    finally:
        await simulator.stop()


def _conflict(dbid: int | None, req: str | None, refusal: Refused) -> Answer:
    state = refusal.state
    return error_answer(
        409, "Conflict", str(refusal), dbid=dbid, req=req, state=state.name, stateCode=int(state)
    )


@web.middleware
async def _json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer aiohttp's own errors (unknown path, bad method) with a JSON body too."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        document = {"error": exc.reason, "message": exc.text or exc.reason}
        return web.json_response(document, status=exc.status)


def _json_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except ValueError:
        raise BadRequest("body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    return body


def _int_or_none(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
