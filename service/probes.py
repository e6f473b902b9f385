"""The answers of the probes (/healthz, /readyz), as models so that the OpenAPI describes them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Reachable = Literal["ok", "unreachable"]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    """200 when both are reachable; 503 with the same body, naming the one that is not."""

    status: Literal["ready", "not ready"]
    database: Reachable
    temporal: Reachable
