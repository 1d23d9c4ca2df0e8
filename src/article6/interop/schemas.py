"""JSON Schemas of the protocol's messages, generated from the models in `messages.py`.

The files in `docs/protocol/` are this module's output (`python -m article6.interop.schemas
docs/protocol`); a test keeps them equal. Every message is validated against its schema when
sent and when received, so the published schema is the one enforced.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from article6.domain.checks import Check, refuse
from article6.domain.messages import MESSAGE_TYPES, Ack, Envelope
from article6.domain.protocol import MAJOR, MINOR
from article6.domain.wording import words

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SIGNATURE = {
    "type": "object",
    "description": "Ed25519 signature, base64, over the canonical JSON of {envelope, body}.",
    "required": ["algorithm", "value"],
    "additionalProperties": False,
    "properties": {
        "algorithm": {"const": "Ed25519"},
        "value": {"type": "string", "pattern": "^[A-Za-z0-9+/]{86}==$"},
    },
}


def _model_schema(model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/$defs/{model}")
    definitions = schema.pop("$defs", {})
    return schema, definitions


@cache
def message_schema(message_type: str) -> dict[str, Any]:
    """The schema of one whole message on the wire: envelope, body and signature."""
    model = MESSAGE_TYPES[message_type]
    envelope, envelope_defs = _model_schema(Envelope)
    envelope["properties"]["message_type"] = {"const": message_type}
    envelope["properties"]["protocol"] = {"const": "article6-interop"}
    body, body_defs = _model_schema(model)
    return {
        "$schema": DIALECT,
        "$id": f"article6-interop/{MAJOR}.{MINOR}/{message_type}.json",
        "title": message_type,
        "description": (model.__doc__ or "").strip(),
        "type": "object",
        "required": ["envelope", "body", "signature"],
        "additionalProperties": False,
        "properties": {
            "envelope": {"$ref": "#/$defs/Envelope"},
            "body": {"$ref": f"#/$defs/{message_type}"},
            "signature": SIGNATURE,
        },
        "$defs": {
            **envelope_defs,
            **body_defs,
            "Envelope": envelope,
            message_type: body,
        },
    }


def ack_schema() -> dict[str, Any]:
    schema, definitions = _model_schema(Ack)
    return {
        "$schema": DIALECT,
        "$id": f"article6-interop/{MAJOR}.{MINOR}/Ack.json",
        **schema,
        "$defs": definitions,
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    files = {f"{name}.json": message_schema(name) for name in sorted(MESSAGE_TYPES)}
    files["Ack.json"] = ack_schema()
    return files


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        path = directory / name
        path.write_text(render(schema))
        written.append(path)
    return written


@cache
def _validator(message_type: str) -> Draft202012Validator:
    return Draft202012Validator(message_schema(message_type))


def validate_wire(wire: Any) -> str:
    """C6001 unless `wire` is a message matching the schema of its type (C6007 for a type
    this version does not know); returns the type."""
    if not isinstance(wire, dict) or not isinstance(wire.get("envelope"), dict):
        raise refuse(Check.C6001, "envelope", words("a message is an object with an envelope"))
    message_type = wire["envelope"].get("message_type")
    if not isinstance(message_type, str) or not message_type:
        raise refuse(Check.C6001, "envelope.message_type", words("a message names its type"))
    if message_type not in MESSAGE_TYPES:
        # A type of a later minor version (or none at all): this receiver does not implement
        # it, which is what the protocol-version check says; the sender's older types work on.
        raise refuse(
            Check.C6007,
            "envelope.message_type",
            words(
                "{message_type!r} is not a message type of protocol {major}.{minor}",
                message_type=message_type,
                major=MAJOR,
                minor=MINOR,
            ),
        )
    errors = sorted(_validator(message_type).iter_errors(wire), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = ".".join(str(part) for part in first.path) or "message"
        raise refuse(Check.C6001, where, first.message[:500])
    return str(message_type)


if __name__ == "__main__":  # pragma: no cover - the documentation generator
    for written in write_schemas(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/protocol")):
        print(written)
