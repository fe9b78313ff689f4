"""The CRDs in crds/ are generated from the models and are structural."""

from pathlib import Path

import yaml

from outbound_scheduler.models.crd import all_crds

CRDS = Path(__file__).parents[2] / "crds"
FORBIDDEN = {"$ref", "anyOf", "oneOf", "allOf", "additionalProperties", "uniqueItems", "title"}


def nodes(node, path):
    """Every schema node under `node`, with a path a person can read."""
    yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from nodes(sub, f"{path}.{name}")
    if "items" in node:
        yield from nodes(node["items"], f"{path}[]")


def undescribed(node, path):
    for name, sub in node.get("properties", {}).items():
        if "description" not in sub:
            yield f"{path}.{name}"
        yield from undescribed(sub, f"{path}.{name}")
    if "items" in node:
        yield from undescribed(node["items"], f"{path}[]")


def test_committed_crds_are_fresh():
    """crds/ matches what the models generate; run `make crds` after changing a model."""
    for crd in all_crds():
        committed = CRDS / f"{crd['metadata']['name']}.yaml"
        assert committed.exists(), f"{committed} is missing: run make crds"
        assert yaml.safe_load(committed.read_text()) == crd, f"{committed} is stale: run make crds"


def test_every_spec_and_status_field_is_described():
    """kubectl explain teaches every field: none lacks a description."""
    for crd in all_crds():
        schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        for part in ("spec", "status"):
            missing = list(undescribed(schema["properties"][part], part))
            assert missing == [], f"{crd['metadata']['name']}: {missing}"


def test_schemas_are_structural():
    """Every node is typed and uses no keyword the apiserver refuses in a CRD schema."""
    for crd in all_crds():
        schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
        for path, node in nodes(schema, "schema"):
            typed = "type" in node or node.get("x-kubernetes-int-or-string")
            assert typed, f"{path} has no type"
            assert not FORBIDDEN & node.keys(), f"{path} uses {FORBIDDEN & node.keys()}"
