"""The operator's HTTP server: metrics for Prometheus, readiness for the kubelet, and the
endpoint OCS pushes Campaign Group status to.

- `GET /metrics`: Prometheus' text format, or OpenMetrics when asked for.
- `GET /readyz`: 200 once start-up has listed the CampaignGroups, else 503.
- `POST /ocs/{endpoint}/campaigngroup-states`: one status document as OCS sends it with
  `send-campaigngroup-states=true`; set OCS's `campaigngroup-states-uri` to this path with
  the name the operator settings give that OCS. Answers 204, or 400/404 naming the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web
from prometheus_client.core import REGISTRY
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from outbound_scheduler import ocs
from outbound_scheduler.handlers.metrics import STANDING, Known

logger = logging.getLogger(__name__)
PUSH_LIMIT = 64 * 1024  # bytes: a status document is well under 1 KiB

Receiver = Callable[[str, Any], None]  # (OCS endpoint name, pushed document)


class OperatorServer:
    def __init__(self, address: str, port: int, registry: CollectorRegistry = REGISTRY) -> None:
        self.address = address
        self.port = port
        self.registry = registry
        self.ready = False
        self.endpoints: set[str] = set()  # OCS endpoint names accepted on the push path
        self._receive: Receiver | None = None
        self._runner: web.AppRunner | None = None

    @property
    def serving(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Listen, unless the port is 0. A port taken is logged, not fatal: schedules matter
        more than their metrics, and /readyz then never answers, which shows."""
        if not self.port:
            logger.info("HTTP endpoint off (metrics_port is 0): no metrics, no status push")
            return
        app = web.Application(client_max_size=PUSH_LIMIT)
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_post("/ocs/{endpoint}/campaigngroup-states", self._pushed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.address, self.port).start()
        except OSError as error:
            await runner.cleanup()
            where = f"{self.address}:{self.port}"
            logger.error("metrics endpoint not started on %s: %s", where, error)
            return
        self._runner = runner
        logger.info("metrics endpoint: http://%s:%d/metrics", self.address, self.port)

    def watch(
        self, store: Known, receive: Receiver | None = None, endpoints: set[str] | None = None
    ) -> None:
        """Scrapes read `store` from now on, pushes go to `receive`, and the operator is ready."""
        STANDING.store = store
        self._receive = receive
        self.endpoints = endpoints or set()
        self.ready = True

    async def close(self) -> None:
        self.ready = False
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _metrics(self, request: web.Request) -> web.Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encoder(self.registry)
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _readyz(self, request: web.Request) -> web.Response:
        if self.ready:
            return web.Response(text="ok")
        return web.Response(status=503, text="starting: CampaignGroups not listed yet")

    async def _pushed(self, request: web.Request) -> web.Response:
        endpoint = request.match_info["endpoint"]
        if self._receive is None:
            return web.Response(status=503, text="starting: not receiving status yet")
        if endpoint not in self.endpoints:
            known = ", ".join(sorted(self.endpoints)) or "none"
            return web.Response(
                status=404, text=f"no OCS endpoint named {endpoint!r} (configured: {known})"
            )
        try:
            document = orjson.loads(await request.read())
            self._receive(endpoint, document)
        except (ValueError, ocs.OcsError) as error:
            logger.info("status push refused: endpoint=%s error=%s", endpoint, error)
            return web.Response(status=400, text=f"not a status document: {error}")
        return web.Response(status=204)


async def serve(address: str, port: int) -> OperatorServer:
    server = OperatorServer(address, port)
    await server.start()
    return server
