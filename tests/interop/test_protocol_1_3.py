"""Protocol 1.3 added only the question where units are (`UnitLocationQuery`, answered at once
with `UnitLocationAnswer`): every message type 1.2 knows kept its schema, so 1.2 peers and 1.3
peers go on exchanging them; a 1.2 hub has no such question and the asking registry says it
could not ask (tests/integration/test_history_hub_check.py). Read from the schemas of both
versions as published (`docs/protocol/1.2/`, `docs/protocol/1.3/`)."""

from __future__ import annotations

import json
from pathlib import Path

PROTOCOL = Path(__file__).parents[2] / "docs" / "protocol"


def published(version: str) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted((PROTOCOL / version).glob("*.json"))}


def without_version(schema: dict, version: str, name: str) -> dict:
    """A schema but for the version it names in its `$id` and its envelope's default."""
    assert schema.pop("$id") == f"article6-interop/{version}/{name}"
    named = schema.get("$defs", {}).get("Envelope", {}).get("properties", {}).get("version")
    if named is not None:  # the default a sender fills in, not a constraint
        assert named.pop("default") == version
    return schema


def test_every_type_of_1_2_kept_its_schema_but_for_the_version_it_names() -> None:
    earlier, later = published("1.2"), published("1.3")
    assert earlier, "the 1.2 schemas are kept for peers still on it"
    for name, schema in earlier.items():
        assert without_version(schema, "1.2", name) == without_version(later[name], "1.3", name)


def test_1_3_added_the_question_where_units_are_and_nothing_else() -> None:
    assert set(published("1.3")) - set(published("1.2")) == {
        "UnitLocationQuery.json",
        "UnitLocationAnswer.json",
    }
