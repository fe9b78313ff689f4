"""What both kinds share: the camelCase base model, conditions, spec parsing.

Specs arrive as the dicts Kubernetes stores; `parse_spec` turns one into a
model or raises `SpecError` whose message names each bad field as a user
writes it (`spec.weekly.days[0]`), so status and Events can show it as is.
"""

from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    """A part of the API: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class StatusModel(BaseModel):
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
