"""The base of every settings model: strict types, unknown keys rejected, frozen after validation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    """A section of the stage config. Unknown keys are errors; values are not coerced; instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
