"""Protocol 1.3 adds only the question where units are (`UnitLocationQuery`, answered at once
with `UnitLocationAnswer`): every message type 1.2 knows is unchanged, so 1.2 peers and 1.3
peers go on exchanging them; a 1.2 hub has no such question and the asking registry says it
could not ask (tests/integration/test_history_hub_check.py)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from article6.interop.schemas import all_schemas

PROTOCOL = Path(__file__).parents[2] / "docs" / "protocol"


def test_every_type_of_1_2_keeps_its_schema_but_for_the_version_it_names() -> None:
    current = all_schemas()
    published = sorted((PROTOCOL / "1.2").glob("*.json"))
    assert published, "the 1.2 schemas are kept for peers still on it"
    for path in published:
        earlier = json.loads(path.read_text())
        now = copy.deepcopy(current[path.name])
        assert earlier.pop("$id") == f"article6-interop/1.2/{path.name}"
        assert now.pop("$id") == f"article6-interop/1.3/{path.name}"
        version = earlier.get("$defs", {}).get("Envelope", {}).get("properties", {}).get("version")
        if version is not None:  # the default a sender fills in, not a constraint
            assert version.pop("default") == "1.2"
            assert now["$defs"]["Envelope"]["properties"]["version"].pop("default") == "1.3"
        assert now == earlier, path.name


def test_1_3_adds_the_question_where_units_are_and_nothing_else() -> None:
    added = set(all_schemas()) - {p.name for p in (PROTOCOL / "1.2").glob("*.json")}
    assert added == {"UnitLocationQuery.json", "UnitLocationAnswer.json"}
