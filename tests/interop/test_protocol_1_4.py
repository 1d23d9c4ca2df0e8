"""Protocol 1.4 changes one message: the mechanism registry's answer may say that a page's
history was cut short (`history_truncated`), a field left out when unset; its history is
otherwise every action on the page's serials (tests/interop/test_mechanism_pull_history.py).
Every other type keeps its 1.3 schema, and an answer that needs no such word is the very
message a 1.3 peer's schema takes."""

from __future__ import annotations

import copy
import json

from jsonschema import Draft202012Validator
from test_mechanism_pull import held_answer, signed
from test_mechanism_pull_pages import net  # noqa: F401
from test_protocol_1_3 import PROTOCOL, published, without_version

from article6.domain.messages import QueryBy
from article6.interop.schemas import all_schemas

CHANGED = {"MechanismHoldingsAnswer.json"}


def test_every_other_type_of_1_3_keeps_its_schema_but_for_the_version_it_names() -> None:
    current = all_schemas()
    earlier = published("1.3")
    assert set(current) == set(earlier), "1.4 adds no message type"
    for name, schema in earlier.items():
        if name in CHANGED:
            continue
        now = copy.deepcopy(current[name])
        assert without_version(schema, "1.3", name) == without_version(now, "1.4", name), name


def test_the_answer_only_gains_the_word_that_its_history_was_cut_short() -> None:
    earlier = published("1.3")["MechanismHoldingsAnswer.json"]["$defs"]["AttestedHoldings"]
    now = all_schemas()["MechanismHoldingsAnswer.json"]["$defs"]["AttestedHoldings"]
    assert set(now["properties"]) - set(earlier["properties"]) == {"history_truncated"}
    assert now["required"] == earlier["required"]
    assert (PROTOCOL / "1.3" / "MechanismHoldingsAnswer.json").exists()


def test_a_page_with_its_whole_history_is_still_a_1_3_message(net) -> None:  # noqa: F811
    _asked, genuine = held_answer(net, by=QueryBy.SERIAL, first=1, last=10_000, limit=1)
    assert genuine.attested.next_cursor is not None and genuine.attested.history_truncated is None
    wire = signed(net, "HUB", "IR", genuine, net.hub.identity.key)
    schema = json.loads((PROTOCOL / "1.3" / "MechanismHoldingsAnswer.json").read_text())
    assert list(Draft202012Validator(schema).iter_errors(wire)) == []
    assert "history_truncated" not in json.dumps(wire)
