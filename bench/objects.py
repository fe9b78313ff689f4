"""The objects a scenario creates: Schedules with their CampaignGroups, and the peer's CronJobs.

A scenario's Schedules each name Campaign Groups of their own (DBIDs nobody else
uses), so "every due group started exactly once" can be checked per DBID in the
simulator's log. Openings are whole UTC seconds: the API's resolution.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GROUP_VERSION = "outbound.dev/v1alpha1"
_dbids = itertools.count(100_000)


@dataclass
class Plan:
    """A scenario's objects and, per Campaign Group DBID, the instant it is due."""

    namespace: str
    schedules: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    due: dict[int, datetime] = field(default_factory=dict)

    @property
    def dbids(self) -> list[int]:
        return [group["spec"]["dbid"] for group in self.groups]


def campaign_group(namespace: str, name: str, dbid: int) -> dict[str, Any]:
    return {
        "apiVersion": GROUP_VERSION,
        "kind": "CampaignGroup",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"dbid": dbid, "campaign": "Bench", "group": "Bench Agents"},
    }


def schedule(namespace: str, name: str, groups: Sequence[str], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": GROUP_VERSION,
        "kind": "Schedule",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"campaignGroups": [{"name": g} for g in groups], **spec},
    }


def once_at(instant: datetime) -> dict[str, Any]:
    """One window opening at `instant` (UTC), long enough to stay open through any run."""
    return {"once": {"at": instant.strftime("%Y-%m-%dT%H:%M:%S")}, "end": {"after": "6h"}}


def daily_at(instant: datetime) -> dict[str, Any]:
    return {"daily": {"at": instant.strftime("%H:%M:%S")}, "end": {"after": "1h"}}


def plan(
    namespace: str, openings: Sequence[datetime], groups_each: int, *, daily: bool = False
) -> Plan:
    """One Schedule per opening, each with `groups_each` Campaign Groups of its own."""
    result = Plan(namespace)
    for index, opening in enumerate(openings):
        names = []
        for _ in range(groups_each):
            dbid = next(_dbids)
            names.append(f"cg-{dbid}")
            result.groups.append(campaign_group(namespace, names[-1], dbid))
            result.due[dbid] = opening
        when = daily_at(opening) if daily else once_at(opening)
        result.schedules.append(schedule(namespace, f"s-{index:05d}", names, **when))
    return result


def cronjob(namespace: str, name: str, due: datetime) -> dict[str, Any]:
    """A CronJob due once at the minute `due` (UTC); its Job is suspended, so it needs no pod."""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "schedule": f"{due.minute} {due.hour} {due.day} {due.month} *",
            "timeZone": "Etc/UTC",
            "jobTemplate": {
                "spec": {
                    "suspend": True,
                    "template": {
                        "spec": {
                            "restartPolicy": "Never",
                            "containers": [{"name": "run", "image": "busybox"}],
                        }
                    },
                }
            },
        },
    }
