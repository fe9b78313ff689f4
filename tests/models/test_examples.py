"""The example manifests are valid: every spec parses, every Schedule's windows compute,
and every CampaignGroup a Schedule names is among the examples."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from outbound_scheduler.models import CampaignGroupSpec, ScheduleSpec, parse_spec
from outbound_scheduler.timing import compile_timetable

EXAMPLES = Path(__file__).parents[2] / "manifests" / "examples"
DOCUMENTS = [
    doc for path in sorted(EXAMPLES.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())
]
GROUPS = {d["metadata"]["name"] for d in DOCUMENTS if d["kind"] == "CampaignGroup"}
SCHEDULES = [d for d in DOCUMENTS if d["kind"] == "Schedule"]


def test_every_campaign_group_is_valid():
    for document in DOCUMENTS:
        if document["kind"] == "CampaignGroup":
            parse_spec(CampaignGroupSpec, document["spec"])


@pytest.mark.parametrize("document", SCHEDULES, ids=lambda d: d["metadata"]["name"])
def test_every_schedule_is_valid_and_names_example_groups(document):
    spec = parse_spec(ScheduleSpec, document["spec"])
    assert compile_timetable(spec).next_window_after(datetime(2026, 12, 7, tzinfo=UTC))
    assert {entry.name for entry in spec.campaign_groups} <= GROUPS
