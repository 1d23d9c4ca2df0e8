"""The numbered checks: stable, unique codes, and a published catalogue that matches them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from article6.domain.checks import Check, CommandRefused, Refusal, catalogue_markdown, refuse
from article6.domain.wording import Words
from article6.web import refusal_reach


def test_every_code_is_unique():
    codes = [check.code for check in Check]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("check", list(Check), ids=lambda check: check.name)
def test_every_code_is_c_and_four_digits_and_matches_its_name(check):
    assert re.fullmatch(r"C\d{4}", check.code)
    assert check.code == check.name


@pytest.mark.parametrize("check", list(Check), ids=lambda check: check.name)
def test_every_check_has_a_title_and_a_rule(check):
    assert check.title.strip() and check.rule.strip()


@pytest.mark.parametrize("check", list(Check), ids=lambda check: check.name)
def test_every_title_and_rule_is_marked_for_translation_and_is_its_own_english(check):
    """`pybabel extract -k words` finds them; the English stays the template, whole."""
    for said in (check.title, check.rule):
        assert isinstance(said, Words) and not said.params and said.template == said


def test_docs_checks_md_is_the_generated_catalogue():
    published = Path(__file__).parents[2] / "docs" / "checks.md"
    expected = catalogue_markdown() + refusal_reach.markdown()  # what `article6 checks` prints
    assert published.read_text(encoding="utf-8") == expected


def test_a_refusal_needs_at_least_one_failed_check():
    with pytest.raises(ValueError):
        CommandRefused([])


def test_a_refusal_carries_every_code_and_reads_as_a_sentence():
    refused = CommandRefused(
        [Refusal(Check.C1001, "party", "bad"), Refusal(Check.C1006, "vintage", "too early")]
    )
    assert refused.codes == ["C1001", "C1006"]
    assert str(refused) == "C1001 party: bad; C1006 vintage: too early"


def test_a_refusal_as_a_dict_names_its_check_title_and_field():
    refusal = refuse(Check.C2001, "quantity", "not enough").refusals[0]
    assert refusal.as_dict() == {
        "check": "C2001",
        "title": "Units held",
        "field": "quantity",
        "detail": "not enough",
    }


def test_a_refusal_needs_a_failed_check_and_keeps_when_to_retry():
    with pytest.raises(ValueError, match=r"^a refusal needs at least one failed check$"):
        CommandRefused([])
    refused = CommandRefused([Refusal(Check.C4010, "name", "wait")], retry_after=30)
    assert (refused.retry_after, refused.codes, str(refused)) == (30, ["C4010"], "C4010 name: wait")
