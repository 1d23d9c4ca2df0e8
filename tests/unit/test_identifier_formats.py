"""Identifier formats (RULES.md 4.7) and the composite unit identifier (6/CMA.4 annex I para 5)."""

from __future__ import annotations

import pytest

from article6.domain import identifiers
from article6.domain.checks import CommandRefused


def refusal_code(call, *args) -> str:
    with pytest.raises(CommandRefused) as refused:
        call(*args)
    [code] = refused.value.codes
    return code


@pytest.mark.parametrize("code", ["XXA", "XXC", "EUE"])
def test_a_party_code_is_three_capital_letters(code):
    assert identifiers.party_code(code) == code


@pytest.mark.parametrize("code", ["xxa", "XX", "XXAA", "XX1", "", " XXA", "XXA\n", None, 123])
def test_anything_else_is_not_a_party_code_c1001(code):
    assert refusal_code(identifiers.party_code, code) == "C1001"


def test_a_refusal_names_the_field_it_concerns():
    with pytest.raises(CommandRefused) as refused:
        identifiers.party_code("xx", "participating_parties[1]")
    assert refused.value.refusals[0].field == "participating_parties[1]"


def test_a_cooperative_approach_id_is_ca_and_four_digits():
    assert identifiers.cooperative_approach_id("CA0001") == "CA0001"


@pytest.mark.parametrize("value", ["CA001", "CA00001", "ca0001", "CA000A", "XX0001", "CA0001\n"])
def test_anything_else_is_not_a_cooperative_approach_id_c1002(value):
    assert refusal_code(identifiers.cooperative_approach_id, value) == "C1002"


def test_a_registry_id_is_a_party_code_and_two_digits():
    assert identifiers.registry_id("XXA01") == "XXA01"
    assert identifiers.registry_id("XXA01", party="XXA") == "XXA01"


@pytest.mark.parametrize("value", ["XXA1", "XXA001", "xxa01", "XX01", "XXA01\n"])
def test_anything_else_is_not_a_registry_id_c1003(value):
    assert refusal_code(identifiers.registry_id, value) == "C1003"


def test_a_registry_id_must_carry_its_own_partys_prefix_c1003():
    assert refusal_code(identifiers.registry_id, "XXA01", "XXC") == "C1003"


@pytest.mark.parametrize(
    "value",
    ["XXA-AUTH-001", "auth 7", "A", "x" * 64, "1006.4/2810", "GUY 2024-CA1", "AUTH_1", "N°1"],
)
def test_an_authorization_id_is_the_partys_printable_text_of_at_most_64(value):
    assert identifiers.authorization_id(value) == value


@pytest.mark.parametrize(
    "value", ["", "x" * 65, "AUTH-1\n", "AUTH\t1", "AUTH\x001", "AUTH\x7f1", " AUTH-1", "AUTH-1 "]
)
def test_anything_else_is_not_an_authorization_id_c1004(value):
    assert refusal_code(identifiers.authorization_id, value) == "C1004"


@pytest.mark.parametrize("year", [2021, 2024, 2026])
def test_a_vintage_is_a_year_from_2021_to_this_year(year):
    assert identifiers.vintage(year, current_year=2026) == year


@pytest.mark.parametrize("year", [2020, 2027, 0, "2024"])
def test_a_vintage_before_2021_or_in_the_future_is_refused_c1006(year):
    assert refusal_code(identifiers.vintage, year, 2026) == "C1006"


def test_a_unit_identifier_joins_the_five_elements_of_para_5():
    rendered = identifiers.unit_identifier("CA0001", "XXA01", "XXA", 1000042, 2024)
    assert rendered == "CA0001-XXA01-XXA-1000042-2024"


def test_a_block_identifier_names_its_first_and_last_serial():
    rendered = identifiers.block_identifier("CA0001", "XXA01", "XXA", 1000001, 1000500, 2024)
    assert rendered == "CA0001-XXA01-XXA-1000001-1000500-2024"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1000042", (None, 1000042)),
        ("  1000042 ", (None, 1000042)),
        ("XXA01-123", ("XXA01", 123)),
        ("CA0001-XXA01-XXA-1000042-2024", ("XXA01", 1000042)),
        ("CA0001-XXA01-XXA-1000001-1000500-2024", ("XXA01", 1000001)),
        # an authorized A6.4ER keeps the mechanism registry's code
        ("CA6400-A64-XXD-781-2025", ("A64", 781)),
        ("A64-781", ("A64", 781)),
    ],
)
def test_a_unit_query_reads_a_serial_or_an_identifier(query, expected):
    assert identifiers.parse_unit_query(query) == expected


@pytest.mark.parametrize(
    "query", ["", "units", "XXA-123", "XXA01-", "XXA1-123", "CA0001-XXA01", "12a", "²", "XXA01-²"]
)
def test_a_unit_query_that_is_neither_is_refused_c1020(query):
    assert refusal_code(identifiers.parse_unit_query, query) == "C1020"


@pytest.mark.parametrize(
    ("text", "serial", "block"),
    [
        ("CA0003-THA01-THA-16829005-2022", 16829005, "CA0003-THA01-THA-2022"),
        ("CA6400-A64-XXD-781-2025", 781, "CA6400-A64-XXD-2025"),
        (" CA0001-XXB01-XXB-00901-2024 ", 901, "CA0001-XXB01-XXB-2024"),
        ("16829005", 16829005, None),
        ("CA0003-THA1-THA-16829005-2022", None, None),
        ("CA0003-THA01-THA-1-2-2022", None, None),
        ("7,144,362", None, None),
        ("", None, None),
    ],
)
def test_an_aef_first_or_last_id_gives_its_serial_and_the_block_it_names(text, serial, block):
    """AEF First/Last ID: the full identifier of 6/CMA.4 annex I para 5 (or a bare serial)."""
    assert identifiers.serial_of(text) == serial
    assert identifiers.block_of(text) == block


# what each refusal says, and on which field


def refusal_of(call, *args):
    with pytest.raises(CommandRefused) as refused:
        call(*args)
    [refusal] = refused.value.refusals
    return refusal.check.code, refusal.field, refusal.detail


@pytest.mark.parametrize(
    ("call", "value", "said"),
    [
        (
            identifiers.party_code,
            "xxa",
            ("C1001", "party", "“xxa” is not a Party code of three capital letters"),
        ),
        (
            identifiers.cooperative_approach_id,
            "CA1",
            ("C1002", "cooperative_approach", "“CA1” is not of the form CA followed by 4 digits"),
        ),
        (
            identifiers.registry_id,
            "XXA1",
            ("C1003", "registry", "“XXA1” is not a Party code followed by 2 digits"),
        ),
        (
            identifiers.authorization_id,
            " x",
            (
                "C1004",
                "authorization_id",
                "“ x” must be 1-64 printable characters, without control characters or "
                "whitespace at either end",
            ),
        ),
    ],
    ids=["party", "cooperative approach", "registry", "authorization"],
)
def test_each_identifier_refusal_names_its_own_field_and_the_form_it_asks(call, value, said):
    assert refusal_of(call, value) == said


def test_an_identifier_refusal_names_the_field_the_caller_gave():
    assert refusal_of(identifiers.party_code, "xxa", "acquiring_party")[1] == "acquiring_party"
    assert refusal_of(identifiers.cooperative_approach_id, "CA1", "approach")[1] == "approach"
    assert refusal_of(identifiers.registry_id, "XXA1", None, "units.registry")[1] == (
        "units.registry"
    )
    assert refusal_of(identifiers.authorization_id, "", "authorization")[1] == "authorization"


def test_a_registry_of_another_party_is_refused_naming_both():
    assert refusal_of(identifiers.registry_id, "XXC01", "XXA") == (
        "C1003",
        "registry",
        "registry XXC01 does not belong to Party XXA",
    )
    assert refusal_of(identifiers.registry_id, "XXC01", "XXA", "units.registry")[1] == (
        "units.registry"
    )


def test_a_vintage_refusal_says_the_years_allowed():
    assert refusal_of(identifiers.vintage, 2020, 2026) == (
        "C1006",
        "vintage",
        "2020 is not a year from 2021 to 2026",
    )
    assert refusal_of(identifiers.vintage, 2027, 2026, "units.vintage")[1] == "units.vintage"


def test_an_unreadable_unit_query_is_refused_on_the_unit():
    assert refusal_of(identifiers.parse_unit_query, "XXA01-") == (
        "C1020",
        "unit",
        "“XXA01-” is neither a serial number (1000042), a registry and serial (XXA01-1000042) "
        "nor a unit identifier",
    )
