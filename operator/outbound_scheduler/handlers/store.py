"""What the operator knows of the cluster: parsed Schedules and CampaignGroups, in memory.

Watch events feed it; the reconciler reads views of it. Per Schedule it
keeps the parsed spec, its timetable and the status it last wrote, never the
whole object, so 10,000 Schedules stay small. Once the operator has read a
Schedule's status it is the only writer of it, so its own copy wins over
echoes of its own patches that arrive later.
"""

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from outbound_scheduler.models import (
    CampaignGroupEntry,
    CampaignGroupSpec,
    CampaignGroupStatus,
    DialingMode,
    Optimization,
    ScheduleSpec,
    ScheduleStatus,
    SpecError,
    parse_spec,
)
from outbound_scheduler.planning import ScheduleView
from outbound_scheduler.planning.decide import GroupId, ModeConflict, holding
from outbound_scheduler.planning.observed import Observation
from outbound_scheduler.settings import Settings
from outbound_scheduler.timing import Timetable, compile_timetable

logger = logging.getLogger(__name__)
Key = tuple[str, str]  # (namespace, name)


RUN_NOW_ANNOTATION = "outbound.dev/run-now"
FINALIZER = "outbound.dev/stop-runs"  # held until a deleted Schedule's runs are stopped


@dataclass
class ScheduleRecord:
    uid: str
    generation: int | None
    created: datetime | None
    run_now: str | None  # the run-now annotation's value
    spec: ScheduleSpec | None
    timetable: Timetable | None
    problem: str | None
    status: ScheduleStatus  # what the operator wants status to say
    written: ScheduleStatus | None = None  # what the API server has, as far as we know
    seen: bool = False  # reconciled at least once since the operator started
    deleting: bool = False  # marked for deletion; waits on our finalizer
    finalizers: list[str] = field(default_factory=list)
    version: str | None = None  # resourceVersion of the last event, for finalizer patches


@dataclass
class GroupRecord:
    uid: str
    generation: int | None
    spec: CampaignGroupSpec | None
    problem: str | None
    status: CampaignGroupStatus  # what the operator wants status to say
    written: CampaignGroupStatus | None = None  # what the API server has, as far as we know
    flushed: datetime | None = None  # when a write of this status was last asked for
    seen: Observation | None = None  # what OCS last said, folded into status when written


def key_of(body: Any) -> Key:
    return body["metadata"]["namespace"], body["metadata"]["name"]


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def parse_schedule(
    spec: Any, settings: Settings
) -> tuple[ScheduleSpec | None, Timetable | None, str | None]:
    try:
        parsed = parse_spec(ScheduleSpec, spec)
    except SpecError as error:
        return None, None, str(error)
    try:
        return parsed, compile_timetable(parsed, settings.allowed_hours), None
    except Exception as error:  # a spec valid alone whose windows cannot be computed
        logger.exception("windows cannot be computed")
        return None, None, f"spec: its windows cannot be computed: {error}"


class Store:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catch_up = settings.catch_up  # read by every view: made once
        self.schedules: dict[Key, ScheduleRecord] = {}
        self.groups: dict[Key, GroupRecord] = {}
        self._naming: defaultdict[Key, set[Key]] = defaultdict(set)  # group → schedules naming it
        self._by_id: defaultdict[GroupId, set[Key]] = defaultdict(set)  # OCS group → objects

    def put_schedule(self, body: Any) -> bool:
        """Remember a Schedule; True when its spec, run-now request or deletion is new."""
        key = key_of(body)
        metadata = body["metadata"]
        generation = metadata.get("generation")
        run_now = (metadata.get("annotations") or {}).get(RUN_NOW_ANNOTATION)
        deleting = metadata.get("deletionTimestamp") is not None
        known = self.schedules.get(key)
        if known and (known.uid, known.generation) == (metadata["uid"], generation):
            changed = (known.run_now, known.deleting) != (run_now, deleting)
            known.run_now, known.deleting = run_now, deleting
            known.finalizers = list(metadata.get("finalizers") or [])
            known.version = metadata.get("resourceVersion")
            return changed
        status = known.status if known else ScheduleStatus.model_validate(body.get("status") or {})
        spec, timetable, problem = parse_schedule(body.get("spec"), self.settings)
        self._unlink(key)
        self.schedules[key] = ScheduleRecord(
            uid=metadata["uid"],
            generation=generation,
            created=parse_time(metadata.get("creationTimestamp")),
            run_now=run_now,
            spec=spec,
            timetable=timetable,
            problem=problem,
            status=status,
            written=known.written if known else status,
            seen=known.seen if known else False,
            deleting=deleting,
            finalizers=list(metadata.get("finalizers") or []),
            version=metadata.get("resourceVersion"),
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
        if known and known.spec and (known.spec.ocs, known.spec.dbid) != identity(spec):
            # Another group in OCS now: what was known of the old one says nothing of it.
            status = status.model_copy(update={"ocs_state": None, "dialing_mode": None})
        written = known.written if known else status
        self.drop_group(key)
        self.groups[key] = GroupRecord(
            body["metadata"]["uid"], generation, spec, problem, status, written
        )
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

    def reads_statistics(self, key: Key, group: str) -> bool:
        """True when a rule of Schedule `key` reads the statistics of its entry `group`."""
        record = self.schedules.get(key)
        entries = record.spec.campaign_groups if record and record.spec else []
        return any(
            (entry.name == group and entry.stop_when is not None)
            or (entry.after is not None and entry.after.campaign_group == group)
            for entry in entries
        )

    def held_groups(self) -> set[GroupId]:
        """The groups some Schedule's run holds now: the ones whose statistics matter."""
        return {
            (entry.ocs, entry.dbid)
            for record in self.schedules.values()
            for entry in record.status.campaign_groups
            if holding(entry) and entry.ocs is not None and entry.dbid is not None
        }

    def view(
        self,
        key: Key,
        now: datetime,
        record: ScheduleRecord,
        deleted: bool = False,
        observed: Mapping[GroupId, Observation] | None = None,
    ) -> ScheduleView:
        """The planner's view of one Schedule (`deleted`: it is going away)."""
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
            catch_up=self._catch_up,
            problem=record.problem,
            deleted=deleted,
            generation=record.generation,
            created=record.created,
            run_now_token=record.run_now,
            first_pass=not record.seen,
            observed=observed or {},
            conflicts=self._conflicts(key, record, usable, now) if not deleted else {},
        )

    def _conflicts(
        self, key: Key, record: ScheduleRecord, usable: dict[str, CampaignGroupSpec], now: datetime
    ) -> dict[str, ModeConflict]:
        """Shared groups whose earliest-opened window belongs to another Schedule that dials
        them another way: that Schedule's mode wins (ties: namespace and name order)."""
        if record.spec is None or record.timetable is None:
            return {}
        if not any(self._shared(key, (g.ocs, g.dbid)) for g in usable.values()):
            return {}  # the usual case: no window to compute, nothing to compare
        window = record.timetable.window_at(now)
        if window is None:
            return {}
        conflicts = {}
        for entry in record.spec.campaign_groups:
            group = usable.get(entry.name)
            if group is None or not entry.action.holds:
                continue
            ours = dialing(entry, group)
            first = (window.start, key, ours)
            for group_key in self.groups_with_id((group.ocs, group.dbid)):
                for other in self.schedules_naming(group_key) - {key}:
                    found = self._dials(other, group_key[1], now)
                    if found is not None and (found[0], other) < first[:2]:
                        first = (found[0], other, found[1])
            _, winner, way = first
            if winner != key and way != ours:
                conflicts[entry.name] = ModeConflict("/".join(winner), *way)
        return conflicts

    def _shared(self, key: Key, group_id: GroupId) -> bool:
        """True when a Schedule other than `key` names a CampaignGroup for this OCS group."""
        for group_key in self._by_id.get(group_id, ()):
            naming = self._naming.get(group_key, ())
            if len(naming) > 1 or (naming and key not in naming):
                return True
        return False

    def _dials(
        self, key: Key, name: str, now: datetime
    ) -> tuple[datetime, tuple[DialingMode | None, Optimization | None]] | None:
        """When `key`'s open window opened and how it dials group `name`, if it wants it now."""
        record = self.schedules[key]
        if not wants(record, name, now) or record.spec is None or record.timetable is None:
            return None
        entry = next((e for e in record.spec.campaign_groups if e.name == name), None)
        group = self.groups.get((key[0], name))
        window = record.timetable.window_at(now)
        if entry is None or not entry.action.holds or group is None or group.spec is None:
            return None
        assert window is not None
        return window.start, dialing(entry, group.spec)

    def _wanted_elsewhere(self, key: Key, record: ScheduleRecord, now: datetime) -> frozenset:
        """Groups this Schedule holds that another Schedule's open window wants now."""
        held = {(e.ocs, e.dbid) for e in record.status.campaign_groups if holding(e)}
        wanted: set[GroupId] = set()
        for group_id in held:
            for group_key in self.groups_with_id(group_id):
                others = self.schedules_naming(group_key) - {key}
                if any(wants(self.schedules[other], group_key[1], now) for other in others):
                    wanted.add(group_id)
        return frozenset(wanted)


def dialing(
    entry: CampaignGroupEntry, group: CampaignGroupSpec
) -> tuple[DialingMode | None, Optimization | None]:
    """How an entry dials its group: its own mode and optimization, else the group's."""
    return entry.dialing_mode or group.dialing_mode, entry.optimization or group.optimization


def identity(spec: CampaignGroupSpec | None) -> GroupId | None:
    return (spec.ocs, spec.dbid) if spec is not None else None


def wants(record: ScheduleRecord, entry: str, now: datetime) -> bool:
    """True when `record`'s open window keeps the group named `entry` running: it holds it,
    or is about to start it; not when its run there was missed or has ended."""
    spec, timetable = record.spec, record.timetable
    if record.problem or spec is None or timetable is None or spec.suspend or record.deleting:
        return False
    window = timetable.window_at(now)
    if window is None:
        return False
    status = next((e for e in record.status.campaign_groups if e.name == entry), None)
    return status is None or status.run_id != window.opening or status.stopped is None
