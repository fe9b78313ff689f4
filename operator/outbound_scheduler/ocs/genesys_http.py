"""The HTTP dialect of OCS: `/campaigngroups/<DBID>?req=<Request>` with JSON bodies.

This is the dialect OCS.md fixes where Genesys' documentation is silent: actions are POSTs,
GetCampaignStatus is a GET, dialing modes and optimization methods travel as numeric codes,
and errors come back as 404 (unknown CG), 409 (state does not allow it, current state in the
body) or 5xx. Transient failures are retried with capped, jittered exponential backoff; a 4xx
never is. A 409 that shows the CG already where the request would take it counts as success,
which also makes a retried command safe when its first answer was lost.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import ssl as ssl_module
from dataclasses import dataclass, replace
from typing import Any

import orjson

from outbound_scheduler.ocs.client import (
    CampaignGroupStatus,
    ModeLike,
    OcsConflict,
    OcsError,
    OcsNotFound,
    OcsUnavailable,
    Optimization,
)
from outbound_scheduler.ocs.codes import (
    CampaignGroupState,
    DialingMode,
    OptimizationMethod,
    code_name,
    dialing_mode,
    optimization_method,
)
from outbound_scheduler.ocs.http import HttpClient, HttpError

logger = logging.getLogger(__name__)

S = CampaignGroupState
EMPTY = b"{}"  # the body of a command that carries nothing

# For each action, the states in which a 409 means "already done" rather than "refused".
_ALREADY_DONE: dict[str, frozenset[CampaignGroupState]] = {
    "LoadCampaign": frozenset({S.InActive, S.Active, S.Running}),
    "StartDialing": frozenset({S.Running}),
    "StopDialing": frozenset(
        {S.NotLoaded, S.WaitingUnload, S.UnloadInProgress, S.InActive, S.Active}
    ),
    "UnloadCampaign": frozenset({S.NotLoaded, S.WaitingUnload, S.UnloadInProgress}),
    "ForceUnloadCampaign": frozenset({S.NotLoaded}),
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to repeat a request that failed transiently."""

    attempts: int = 4
    base: float = 0.1
    cap: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base < 0 or self.cap < 0:
            raise ValueError("a retry policy needs attempts >= 1 and non-negative delays")

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (0-based): half fixed, half random."""
        ceiling = min(self.cap, self.base * 2**retry)
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class GenesysHttpDialect:
    """OCS over HTTP(S) through kept-alive connections to one OCS."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        retry: RetryPolicy = RetryPolicy(),
        authorization: str | None = None,
        ssl: ssl_module.SSLContext | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        headers = {"Authorization": authorization} if authorization else {}
        self._http = HttpClient(self._base_url, timeout=timeout, headers=headers, ssl=ssl)
        self._retry = retry

    def __repr__(self) -> str:
        return f"GenesysHttpDialect({self._base_url!r})"

    async def get_status(self, dbid: int) -> CampaignGroupStatus:
        return await self._call("GET", dbid, "GetCampaignStatus")

    async def load(self, dbid: int, *, auto_completion: bool = False) -> CampaignGroupStatus:
        return await self._call("POST", dbid, "LoadCampaign", _body(None, None, auto_completion))

    async def start_dialing(
        self,
        dbid: int,
        mode: ModeLike,
        optimization: Optimization | None = None,
        *,
        auto_completion: bool = False,
    ) -> CampaignGroupStatus:
        body = _body(mode, optimization, auto_completion)
        return await self._call("POST", dbid, "StartDialing", body)

    async def stop_dialing(self, dbid: int) -> CampaignGroupStatus:
        return await self._call("POST", dbid, "StopDialing", EMPTY)

    async def unload(self, dbid: int) -> CampaignGroupStatus:
        return await self._call("POST", dbid, "UnloadCampaign", EMPTY)

    async def force_unload(self, dbid: int) -> CampaignGroupStatus:
        return await self._call("POST", dbid, "ForceUnloadCampaign", EMPTY)

    async def set_dialing_mode(
        self,
        dbid: int,
        mode: ModeLike,
        optimization: Optimization | None = None,
        *,
        auto_completion: bool = False,
    ) -> CampaignGroupStatus:
        body = _body(mode, optimization, auto_completion)
        return await self._call("POST", dbid, "SetDialingMode", body)

    async def prepare(self, requests: int) -> None:
        """Connect ahead for `requests` requests sent at once; OCS unreachable is no error
        here (the requests themselves will say so)."""
        failed = await self._http.connect_ahead(requests)
        if failed:
            logger.debug("ocs connections not opened ahead: %d of %d", failed, requests)

    async def close(self) -> None:
        await self._http.close()

    async def _call(
        self, method: str, dbid: int, request: str, body: bytes | None = None
    ) -> CampaignGroupStatus:
        status, payload = await self._send_with_retries(method, dbid, request, body)
        if status < 300:
            return parse_status(dbid, payload)
        return _settle_refusal(dbid, request, status, payload)

    async def _send_with_retries(
        self, method: str, dbid: int, request: str, body: bytes | None
    ) -> tuple[int, dict[str, Any]]:
        reason = ""
        for attempt in range(self._retry.attempts):
            if attempt:
                delay = self._retry.delay(attempt - 1)
                logger.debug(
                    "ocs request retried: cg=%s req=%s attempt=%d after=%s delay=%.3f",
                    dbid, request, attempt + 1, reason, delay,
                )  # fmt: skip
                await asyncio.sleep(delay)
            try:
                status, payload = await self._send_once(method, dbid, request, body)
            except HttpError as exc:
                reason = str(exc)
                continue
            if status < 500:
                return status, payload
            reason = f"HTTP {status}"
        raise OcsUnavailable(
            f"{request} for CG {dbid} failed after {self._retry.attempts} attempts: {reason}",
            dbid=dbid,
            request=request,
        )

    async def _send_once(
        self, method: str, dbid: int, request: str, body: bytes | None
    ) -> tuple[int, dict[str, Any]]:
        target = f"/campaigngroups/{int(dbid)}?req={request}"
        response = await self._http.request(method, target, body)
        return response.status, _json_object(response.body)


def parse_status(dbid: int, payload: dict[str, Any]) -> CampaignGroupStatus:
    """Read a status (or error) body; whatever is missing or malformed becomes None.
    Two answers are read per start, so each field is looked up once."""
    state = _state_of(payload)
    get = payload.get
    return CampaignGroupStatus(
        dbid=_int_or(get("dbid"), dbid),
        state=state.name,
        state_code=state.value,
        dialing_mode=code_name(DialingMode, get("GSW_DIAL_MODE")),
        optimization=_optimization_of(payload),
        penetration=_number(get("penetration")),
        completion=_number(get("completion")),
        busy_factor=_number(get("GSW_STAT_BUSY_FACTOR")),
        hit_ratio=_number(get("GSW_STAT_HIT_RATIO")),
        overdial_rate=_number(get("GSW_STAT_OVERDIAL_RATE")),
        time_to_complete=_number(get("GSW_STAT_TIME_TO_COMPLETE")),
    )


def parse_push(document: Any) -> CampaignGroupStatus:
    """Read one status document OCS pushed to the operator; it names its CG by `dbid`."""
    if not isinstance(document, dict):
        raise OcsError("status push: the body is not a JSON object")
    dbid = document.get("dbid")
    if not isinstance(dbid, int) or isinstance(dbid, bool) or dbid < 1:
        raise OcsError("status push: dbid is missing or not a positive integer")
    return parse_status(dbid, document)


def _settle_refusal(
    dbid: int, request: str, status: int, payload: dict[str, Any]
) -> CampaignGroupStatus:
    """Turn a 4xx into the matching error, unless it says the work is already done."""
    detail = payload.get("message") or f"HTTP {status}"
    if status == 404:
        raise OcsNotFound(
            f"{request} for CG {dbid}: OCS does not know this CG ({detail})",
            dbid=dbid, request=request, status=status,
        )  # fmt: skip
    if status != 409:
        raise OcsError(
            f"{request} for CG {dbid} rejected with HTTP {status}: {detail}",
            dbid=dbid, request=request, status=status,
        )  # fmt: skip
    current = parse_status(dbid, payload)
    if current.state_enum in _ALREADY_DONE.get(request, frozenset()):
        logger.debug(
            "ocs request already done: cg=%s req=%s state=%s", dbid, request, current.state
        )
        return replace(current, already=True)
    raise OcsConflict(
        f"{request} for CG {dbid} refused in state {current.state}: {detail}",
        dbid=dbid, request=request, state=current.state, state_code=current.state_code,
    )  # fmt: skip


@functools.lru_cache(maxsize=256)
def _body(mode: ModeLike | None, optimization: Optimization | None, auto_completion: bool) -> bytes:
    """A command's JSON body. A handful of distinct bodies serve thousands of groups, so
    each is encoded once, not once per request."""
    body: dict[str, Any] = {}
    if mode is not None:
        body["GSW_DIAL_MODE"] = int(dialing_mode(mode))
    if optimization is not None:
        body["GSW_OPTIMIZE_BY"] = int(optimization_method(optimization.method))
        body["GSW_OPTIMIZE_GOAL"] = int(optimization.goal)
    if auto_completion:
        body["GSW_AUTO_COMPLETION"] = 1
    return orjson.dumps(body)


def _state_of(payload: dict[str, Any]) -> CampaignGroupState:
    if "stateCode" in payload:
        return CampaignGroupState.from_code(payload["stateCode"])
    name = payload.get("state")
    if isinstance(name, str) and name in CampaignGroupState.__members__:
        return CampaignGroupState[name]
    return CampaignGroupState.Unknown


def _optimization_of(payload: dict[str, Any]) -> Optimization | None:
    method = code_name(OptimizationMethod, payload.get("GSW_OPTIMIZE_BY"))
    if method is None:
        return None
    goal = _number(payload.get("GSW_OPTIMIZE_GOAL"))
    return Optimization(method=method, goal=int(goal)) if goal is not None else None


def _number(value: Any) -> float | None:
    kind = type(value)  # exact types: JSON's true and false are no numbers
    if kind is float:
        return value  # type: ignore[no-any-return]
    return float(value) if kind is int else None


def _int_or(value: Any, default: int) -> int:
    return value if type(value) is int else default


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        decoded = orjson.loads(raw) if raw else {}
    except ValueError:
        return {}
    return decoded if isinstance(decoded, dict) else {}
