"""What both kinds share: the camelCase base model, conditions, spec parsing.

Specs arrive as the dicts Kubernetes stores; `parse_spec` turns one into a
model or raises `SpecError` whose message names each bad field as a user
writes it (`spec.weekly.days[0]`), so status and Events can show it as is.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

_FIELD_SETS: dict[frozenset[str], set[str]] = {}  # each distinct set of names, kept once


class CompactModel(BaseModel):
    """A frozen model that shares the set of the field names it was given with every model
    given the same ones. Pydantic keeps one such set per instance, about 500 bytes: with
    10,000 Schedules of three groups each, a third of the operator's memory. The operator
    never reads the sets (nothing is dumped with exclude_unset), nothing can be set on a
    frozen model, and model_copy copies the set before it adds to it."""

    model_config = ConfigDict(frozen=True)

    def model_post_init(self, context: Any) -> None:
        _share_field_set(self)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copied = super().model_copy(update=update, deep=deep)
        _share_field_set(copied)
        return copied


def _share_field_set(model: BaseModel) -> None:
    names = model.__pydantic_fields_set__
    shared = _FIELD_SETS.setdefault(frozenset(names), names)
    if shared is not names:
        object.__setattr__(model, "__pydantic_fields_set__", shared)


class ApiModel(CompactModel):
    """A part of the API: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class StatusModel(CompactModel):
    """A part of a status: camelCase on the wire, tolerant of fields it does not know."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Condition(StatusModel):
    """One observation in the standard Kubernetes shape."""

    type: str = Field(description="Condition type, e.g. Ready.")
    status: Literal["True", "False", "Unknown"] = Field(description="True, False or Unknown.")
    reason: str = Field(description="One CamelCase word a program can match on.")
    message: str = Field(default="", description="What a person needs to know, and the fix.")
    last_transition_time: datetime = Field(description="When status last changed.")
    observed_generation: int | None = Field(
        default=None, description="The spec generation this condition was computed from."
    )


class SpecError(ValueError):
    """A spec that cannot be used; the message names the fields and the fixes."""


def field_path(location: tuple[int | str, ...], root: str = "spec") -> str:
    """Render a pydantic error location as a user writes it: spec.a.b[0].c."""
    path = root
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


M = TypeVar("M", bound=BaseModel)


def parse_spec(model: type[M], spec: object) -> M:
    """Validate a spec dict as `model`, raising SpecError that names every bad field."""
    try:
        return model.model_validate(spec if spec is not None else {})
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            location = tuple(p for p in item["loc"] if not str(p).startswith("function-"))
            message = item["msg"].removeprefix("Value error, ")
            problems.append(f"{field_path(location)}: {message}")
        raise SpecError("; ".join(problems)) from None
    except Exception as error:  # a validator tripping over odd input is still the input's fault
        raise SpecError(f"spec: cannot be read ({type(error).__name__}: {error})") from None
