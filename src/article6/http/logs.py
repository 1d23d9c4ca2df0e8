"""Structured logs: one JSON object a line, each carrying the id of the request it was written
for, and one access line per request (method, route template, path, status, duration)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from article6.services import request_ids

ACCESS = logging.getLogger("article6.access")


class JsonLines(logging.Formatter):
    """A log record as one JSON object: time (UTC, ISO 8601), level, logger, message, the
    request id when there is one, the fields passed as `extra={"fields": {...}}`, and the
    exception's traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_ids.current()
        if request_id is not None:
            line["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configuration(level: str = "INFO", form: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the server (uvicorn's loggers included): JSON lines,
    or plain text for a developer's terminal. uvicorn's own access log is off: the registry
    writes its own, with the route template and the request id."""
    formatter = (
        {"()": JsonLines}
        if form == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "registry",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"registry": formatter},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
