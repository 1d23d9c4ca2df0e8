"""Every check in the catalogue speaks to people: a title in words and a rule as a sentence,
and a validation error reads as the field and what it must be, never as the library's text."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, Field, ValidationError

from article6.domain.checks import Check
from article6.http.problems import field_words, plain_words

CODE_LIKE = re.compile(r"`|\b[a-z]+_[a-z_]+\b|\{|\}|\[\d|\brepr\b|None\b|True\b|False\b")
LIBRARY = re.compile(r"Input should|after validation|Field required|Value error|valid string")


@pytest.mark.parametrize("check", list(Check), ids=lambda c: c.code)
def test_every_check_has_a_human_title_and_a_human_rule(check: Check) -> None:
    assert check.title and check.title[0].isupper() and check.title != check.code
    assert not CODE_LIKE.search(check.title), check.title
    assert len(check.rule.split()) >= 6 and check.rule.endswith("."), check.rule
    assert check.rule[0].isupper(), check.rule
    assert not CODE_LIKE.search(check.rule), check.rule


def test_no_check_title_is_shared_and_role_refusals_do_not_speak_of_approvers() -> None:
    titles = [c.title for c in Check]
    assert len(titles) == len(set(titles))
    assert Check.C4002.title == "Who may act"
    assert Check.C1020.title == "Unit to find"


class Form(BaseModel):
    source_account: str
    quantity: int = Field(gt=0)
    ranges: list[str] = Field(min_length=1)
    purpose: str = Field(max_length=5)


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"quantity": 1, "ranges": ["1"], "purpose": "x"}, "source_account", "is required"),
        ({"source_account": 5, "quantity": 1, "ranges": ["1"]}, "source_account", "must be text"),
        ({"source_account": "a", "quantity": "ten"}, "quantity", "must be a whole number"),
        ({"source_account": "a", "quantity": 0}, "quantity", "must be more than 0"),
        ({"source_account": "a", "quantity": 1, "ranges": []}, "ranges", "at least 1 entry"),
        ({"purpose": "toolong"}, "purpose", "at most 5 characters"),
    ],
)
def test_a_validation_error_names_the_field_in_words(
    given: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        Form.model_validate(given)
    said = [plain_words(e) for e in raised.value.errors() if e["loc"][0] == field]
    assert said and said[0].startswith(field.replace("_", " ")), said
    assert words in said[0], said
    assert not LIBRARY.search(" ".join(plain_words(e) for e in raised.value.errors()))


def test_a_field_path_reads_as_words_with_lines_counted_from_one() -> None:
    assert field_words(("body", "units", "ranges", 0, "first")) == "units, ranges, line 1, first"
