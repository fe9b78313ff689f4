"""What the operator knows of the cluster: parsed Schedules and CampaignGroups, in memory.

Watch events feed it; the reconciler reads views of it. Per Schedule it
keeps the parsed spec, its timetable and the status it last wrote, never the
whole object, so 10,000 Schedules stay small. Once the operator has read a
Schedule's status it is the only writer of it, so its own copy wins over
echoes of its own patches that arrive later.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outbound_scheduler.models import (
    CampaignGroupSpec,
    CampaignGroupStatus,
    ScheduleSpec,
    ScheduleStatus,
    SpecError,
    parse_spec,
)
from outbound_scheduler.planning import ScheduleView
from outbound_scheduler.planning.decide import GroupId, holding
from outbound_scheduler.settings import Settings
from outbound_scheduler.timing import Timetable, compile_timetable

Key = tuple[str, str]  # (namespace, name)


@dataclass
class ScheduleRecord:
    uid: str
    generation: int | None
    spec: ScheduleSpec | None
    timetable: Timetable | None
    problem: str | None
    status: ScheduleStatus


@dataclass
class GroupRecord:
    uid: str
    generation: int | None
    spec: CampaignGroupSpec | None
    problem: str | None
    status: CampaignGroupStatus


def key_of(body: Any) -> Key:
    return body["metadata"]["namespace"], body["metadata"]["name"]


def parse_schedule(spec: Any) -> tuple[ScheduleSpec | None, Timetable | None, str | None]:
    try:
        parsed = parse_spec(ScheduleSpec, spec)
    except SpecError as error:
        return None, None, str(error)
    try:
        return parsed, compile_timetable(parsed), None
    except ValueError as error:  # a spec valid alone whose windows cannot be computed
        return None, None, f"spec: its windows cannot be computed: {error}"


class Store:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.schedules: dict[Key, ScheduleRecord] = {}
        self.groups: dict[Key, GroupRecord] = {}
        self._naming: defaultdict[Key, set[Key]] = defaultdict(set)  # group → schedules naming it
        self._by_id: defaultdict[GroupId, set[Key]] = defaultdict(set)  # OCS group → objects

    def put_schedule(self, body: Any) -> bool:
        """Remember a Schedule; True when its spec is new or changed."""
        key = key_of(body)
        generation = body["metadata"].get("generation")
        known = self.schedules.get(key)
        if known and (known.uid, known.generation) == (body["metadata"]["uid"], generation):
            return False
        status = known.status if known else ScheduleStatus.model_validate(body.get("status") or {})
        spec, timetable, problem = parse_schedule(body.get("spec"))
        self._unlink(key)
        self.schedules[key] = ScheduleRecord(
            body["metadata"]["uid"], generation, spec, timetable, problem, status
        )
        for name in self._named_groups(spec):
            self._naming[(key[0], name)].add(key)
        return True

    def drop_schedule(self, key: Key) -> ScheduleRecord | None:
        self._unlink(key)
        return self.schedules.pop(key, None)

    def _unlink(self, key: Key) -> None:
        known = self.schedules.get(key)
        for name in self._named_groups(known.spec if known else None):
            self._naming[(key[0], name)].discard(key)

    @staticmethod
    def _named_groups(spec: ScheduleSpec | None) -> list[str]:
        return [entry.name for entry in spec.campaign_groups] if spec else []

    def put_group(self, body: Any) -> bool:
        """Remember a CampaignGroup; True when its spec is new or changed."""
        key = key_of(body)
        generation = body["metadata"].get("generation")
        known = self.groups.get(key)
        if known and (known.uid, known.generation) == (body["metadata"]["uid"], generation):
            return False
        try:
            spec, problem = parse_spec(CampaignGroupSpec, body.get("spec")), None
        except SpecError as error:
            spec, problem = None, str(error)
        if spec is not None and spec.ocs not in self.settings.ocs_endpoints:
            problem = (
                f"spec.ocs: no OCS endpoint named {spec.ocs!r} in the operator settings; "
                f"use one of {sorted(self.settings.ocs_endpoints)}"
            )
        status = (
            known.status if known else CampaignGroupStatus.model_validate(body.get("status") or {})
        )
        self.drop_group(key)
        self.groups[key] = GroupRecord(body["metadata"]["uid"], generation, spec, problem, status)
        if spec is not None:
            self._by_id[(spec.ocs, spec.dbid)].add(key)
        return True

    def groups_with_id(self, group_id: GroupId) -> set[Key]:
        return set(self._by_id.get(group_id, ()))

    def drop_group(self, key: Key) -> None:
        known = self.groups.pop(key, None)
        if known is not None and known.spec is not None:
            self._by_id[(known.spec.ocs, known.spec.dbid)].discard(key)

    def schedules_naming(self, group: Key) -> set[Key]:
        return set(self._naming.get(group, ()))

    def view(self, key: Key, now: datetime, deleted: ScheduleRecord | None = None) -> ScheduleView:
        """The planner's view of one Schedule; `deleted` is the record of one just deleted."""
        record = deleted or self.schedules[key]
        usable, unusable = {}, {}
        for name in self._named_groups(record.spec):
            group = self.groups.get((key[0], name))
            if group is not None and group.problem is not None:
                unusable[name] = group.problem
            elif group is not None and group.spec is not None:
                usable[name] = group.spec
        return ScheduleView(
            spec=record.spec,
            timetable=record.timetable,
            status=record.status,
            campaign_groups=usable,
            unusable_groups=unusable,
            wanted_elsewhere=self._wanted_elsewhere(key, record, now),
            catch_up=self.settings.catch_up,
            problem=record.problem,
            deleted=deleted is not None,
            generation=record.generation,
        )

    def _wanted_elsewhere(self, key: Key, record: ScheduleRecord, now: datetime) -> frozenset:
        """Groups this Schedule holds that another Schedule's open window wants now."""
        held = {(e.ocs, e.dbid) for e in record.status.campaign_groups if holding(e)}
        wanted: set[GroupId] = set()
        for group_id in held:
            for group_key in self.groups_with_id(group_id):
                for other in self.schedules_naming(group_key) - {key}:
                    theirs = self.schedules[other]
                    timetable = theirs.timetable if theirs.problem is None else None
                    if timetable is not None and timetable.window_at(now) is not None:
                        wanted.add(group_id)
        return frozenset(wanted)
