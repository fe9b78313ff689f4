"""CustomResourceDefinitions generated from the models.

The apiserver accepts only structural schemas: every node typed, no `$ref`,
no `anyOf` of types, no `additionalProperties: false`, no `uniqueItems`.
Pydantic's JSON Schema is turned into one here, so the models stay the single
source of the API and `crds/` is derived from them (a test keeps it fresh).
"""

from typing import Any

from pydantic import BaseModel

from outbound_scheduler.models.campaign_group import CampaignGroupSpec, CampaignGroupStatus
from outbound_scheduler.models.schedule import ScheduleSpec
from outbound_scheduler.models.status import ScheduleStatus

GROUP = "outbound.dev"
VERSION = "v1alpha1"
CATEGORY = "outbound"

# JSON Schema keywords that have no place in a structural OpenAPI v3 schema.
_DROPPED = {"title", "additionalProperties", "uniqueItems", "$defs"}


def structural(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Inline references and flatten optionals into one structural node."""
    if "$ref" in schema:
        target = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return structural(merged, definitions)
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        if {b.get("type") for b in branches} == {"integer", "string"}:
            return {"x-kubernetes-int-or-string": True, **structural(rest, definitions)}
        if len(branches) != 1:
            raise ValueError(f"cannot make a structural schema of anyOf {schema['anyOf']}")
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return structural({**branches[0], **rest}, definitions)

    node: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED or (key == "default" and value is None):
            continue
        if key == "properties":
            node[key] = {name: structural(sub, definitions) for name, sub in value.items()}
        elif key == "items":
            node[key] = structural(value, definitions)
        elif key == "const":
            node["enum"] = [value]
        else:
            node[key] = value
    if "enum" in node and "type" not in node:
        node["type"] = "string"
    if node.get("format") == "date-time" and "type" not in node:
        node["type"] = "string"
    return node


def openapi_schema(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema(by_alias=True, mode="serialization")
    return structural(raw, raw.get("$defs", {}))


def _column(name: str, kind: str, path: str, description: str, priority: int = 0) -> dict:
    column = {"name": name, "type": kind, "jsonPath": path, "description": description}
    if priority:
        column["priority"] = priority
    return column


def _crd(
    kind: str,
    plural: str,
    short_names: list[str],
    spec: type[BaseModel],
    status: type[BaseModel],
    columns: list[dict],
    description: str,
) -> dict[str, Any]:
    schema = {
        "type": "object",
        "description": description,
        "properties": {
            "apiVersion": {"type": "string", "description": "Versioned schema of this object."},
            "kind": {"type": "string", "description": "Kind of this object."},
            "metadata": {"type": "object"},
            "spec": openapi_schema(spec),
            "status": openapi_schema(status),
        },
        "required": ["spec"],
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
                "shortNames": short_names,
                "categories": [CATEGORY],
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": columns,
                }
            ],
        },
    }


def schedule_crd() -> dict[str, Any]:
    columns = [
        _column("Description", "string", ".spec.description", "What the schedule is for."),
        _column("Schedule", "string", ".status.scheduleText", "When it runs, in words."),
        _column("Status", "string", ".status.state", "Active, Idle or Error."),
        _column("Last Run", "date", ".status.lastRun", "When the last window opened."),
        _column("Next Run", "string", ".status.nextRunLocal", "Next opening, local time."),
        _column("Age", "date", ".metadata.creationTimestamp", "Time since creation."),
    ]
    return _crd(
        "Schedule",
        "schedules",
        ["sched"],
        ScheduleSpec,
        ScheduleStatus,
        columns,
        "Switches Campaign Groups on and off in recurring windows.",
    )


def campaign_group_crd() -> dict[str, Any]:
    columns = [
        _column("Campaign", "string", ".spec.campaign", "Campaign name."),
        _column("Group", "string", ".spec.group", "Agent group name."),
        _column("OCS State", "string", ".status.ocsState", "State OCS last reported."),
        _column("Mode", "string", ".status.dialingMode", "Dialing mode OCS reports."),
        _column("Penetration", "number", ".status.penetration", "Records attempted, %."),
        _column("Last Sync", "date", ".status.lastSync", "When OCS last answered."),
        _column("Age", "date", ".metadata.creationTimestamp", "Time since creation."),
    ]
    return _crd(
        "CampaignGroup",
        "campaigngroups",
        ["cg"],
        CampaignGroupSpec,
        CampaignGroupStatus,
        columns,
        "A Genesys Outbound Campaign Group, named by its DBID in one OCS.",
    )


def all_crds() -> list[dict[str, Any]]:
    return [schedule_crd(), campaign_group_crd()]
