"""Request parameters the API and the web pages read alike."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

ReportedYear = Annotated[int, Path(ge=2021, le=2100, description="The reported year")]
Version = Annotated[str | None, Query(pattern=r"^[1-9][0-9]*\.[0-9]+$", max_length=12)]
