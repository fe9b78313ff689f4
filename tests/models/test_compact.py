"""Models share the set of the field names they were given; sharing never lets one model's
copy or validation change what another says it was given."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from outbound_scheduler.models import ScheduleStatus
from outbound_scheduler.models.common import Condition

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def ready(status: str) -> Condition:
    return Condition(type="Ready", status=status, reason="Why", last_transition_time=NOW)


def test_models_given_the_same_fields_share_one_set():
    first, second = ready("True"), ready("False")
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    parsed = ScheduleStatus.model_validate(
        {"conditions": [first.model_dump(by_alias=True, exclude_unset=True)]}
    )
    assert parsed.conditions[0].__pydantic_fields_set__ is first.__pydantic_fields_set__


def test_a_copy_with_changes_leaves_the_others_as_they_were():
    first, second = ready("True"), ready("False")
    given = set(first.model_fields_set)
    changed = first.model_copy(update={"message": "OCS answered"})
    assert changed.model_fields_set == given | {"message"}
    assert first.model_fields_set == second.model_fields_set == given
    assert changed.model_dump(exclude_unset=True)["message"] == "OCS answered"
    assert "message" not in second.model_dump(exclude_unset=True)


def test_statuses_cannot_be_changed_in_place():
    with pytest.raises(ValidationError):
        ready("True").reason = "Other"  # type: ignore[misc]
