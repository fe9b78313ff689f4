"""What e2e tests use to drive the product: the simulator's admin API, namespaced kubectl,
manifests and a polling wait with a deadline."""

import json
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from outbound_scheduler.dev.kubectl import KubectlClient


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll `probe` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def wait_past(instant: datetime) -> None:
    """Wait until the wall clock is past `instant`: for scenarios about time passing."""
    seconds = (instant - datetime.now(UTC)).total_seconds()
    wait_for(f"{instant} to pass", lambda: datetime.now(UTC) > instant, timeout=seconds + 5)


class Ocs:
    """The simulator seen from a test: register groups, read what it received."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with self._opener.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def requests(self, dbid: int, *names: str) -> list[dict[str, Any]]:
        """The OCS requests received for `dbid` (of the given names, if any) that OCS carried
        out, in order: one answered 409 (the group was already so) changed nothing."""
        log = self.call("GET", "/admin/requests")
        return [
            r
            for r in log
            if r["campaignGroup"] == dbid
            and (not names or r["req"] in names)
            and r.get("status") != 409
        ]

    def register(self, dbid: int, records: int = 1000, dialing_rate: float = 5) -> None:
        """Make the simulator know a Campaign Group, as OCS knows those in its configuration."""
        body = {"dbid": dbid, "name": f"cg-{dbid}", "records": records, "dialingRate": dialing_rate}
        self.call("POST", "/admin/campaigngroups", body)

    def state(self, dbid: int) -> str:
        return self.call("GET", f"/admin/campaigngroups/{dbid}")["state"]


class Namespace:
    """A test's own namespace, with helpers to apply and read our objects in it."""

    def __init__(self, cluster: KubectlClient, name: str) -> None:
        self.cluster = cluster
        self.name = name

    def apply(self, *documents: dict[str, Any]) -> None:
        body = json.dumps({"apiVersion": "v1", "kind": "List", "items": list(documents)})
        self.cluster.kubectl("apply", "-n", self.name, "-f", "-", input=body)

    def kubectl(self, *args: str, check: bool = True) -> str:
        return self.cluster.kubectl("-n", self.name, *args, check=check).stdout

    def get(self, kind: str, name: str) -> dict[str, Any]:
        return json.loads(self.kubectl("get", kind, name, "-o", "json"))

    def status(self, kind: str, name: str) -> dict[str, Any]:
        return self.get(kind, name).get("status") or {}


def campaign_group(name: str, dbid: int, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "CampaignGroup",
        "metadata": {"name": name},
        "spec": {"dbid": dbid, "campaign": "E2E", "group": "E2E Agents", **spec},
    }


def schedule(name: str, groups: list[str | dict[str, Any]], **spec: Any) -> dict[str, Any]:
    """A Schedule manifest; each group is a CampaignGroup name or a whole entry."""
    entries = [g if isinstance(g, dict) else {"name": g} for g in groups]
    return {
        "apiVersion": "outbound.dev/v1alpha1",
        "kind": "Schedule",
        "metadata": {"name": name},
        "spec": {"campaignGroups": entries, **spec},
    }


def opening_in(seconds: float) -> datetime:
    """A whole-second instant `seconds` or a little more from now, in UTC."""
    return (datetime.now(UTC) + timedelta(seconds=seconds + 1)).replace(microsecond=0)


def received_at(request: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(request["receivedAt"].replace("Z", "+00:00"))


def start_a_run(
    namespace: "Namespace", ocs: "Ocs", group: int, name: str, length: str, lead: float = 2
) -> datetime:
    """Register `group` with OCS, apply a CampaignGroup and a Schedule both called `name`
    whose window opens `lead` seconds ahead and lasts `length`, and wait until OCS got
    StartDialing and status recorded the run. Returns the opening."""
    ocs.register(group)
    opening = opening_in(lead)
    namespace.apply(
        campaign_group(name, group),
        schedule(name, [name], daily={"at": opening.strftime("%H:%M:%S")}, end={"after": length}),
    )
    wait_for("StartDialing", lambda: ocs.requests(group, "StartDialing"), timeout=lead + 20)
    wait_for("run in status", lambda: namespace.status("schedule", name).get("history"))
    return opening
