"""Read back in the reader's language: what the registry recorded in English (an actor's label,
a reason it wrote), and whole numbers typed the way each language writes them."""

from __future__ import annotations

import pytest

from article6 import translation
from article6.domain.wording import Words, reread, words
from article6.services.history_holdings import HISTORY_IMPORTED
from article6.translation.typed import whole_number
from article6.web.rendering import recorded


@pytest.mark.parametrize(
    ("code", "typed", "read"),
    [
        ("en", "8,000", "8000"),
        ("en", "8 000", "8000"),
        ("en", "1,000,000", "1000000"),
        ("fr", "8 000", "8000"),
        ("fr", "8\u00a0000", "8000"),
        ("fr", "8\u202f000", "8000"),
        ("fr", "8.000", "8000"),
        ("es", "8.000", "8000"),
        ("es", "8 000", "8000"),
        ("es", "1.000.000", "1000000"),
        ("es", "2025", "2025"),
    ],
)
def test_a_whole_number_typed_the_language_way_is_read(code: str, typed: str, read: str) -> None:
    assert whole_number(typed, code) == read


@pytest.mark.parametrize(
    ("code", "typed"),
    [
        ("en", "8.5"),
        ("en", "8.000"),
        ("en", "80,00"),
        ("fr", "8,5"),
        ("fr", "8,000"),
        ("es", "8,000"),
        ("es", "8,5"),
        ("es", "80.00"),
        ("es", "dix mille"),
    ],
)
def test_a_fraction_or_an_ambiguous_grouping_is_not_read(code: str, typed: str) -> None:
    assert whole_number(typed, code) is None


def test_an_actor_label_is_said_with_its_role_in_words() -> None:
    with translation.speaking("fr"):
        assert recorded("xxa.admin (administrator, XXA)") == "xxa.admin (administrateur, XXA)"
        assert recorded("secretariat.admin (secretariat, registry)") == (
            "secretariat.admin (secrétariat, registre)"
        )
        assert recorded("Green Group A") == "Green Group A"  # not a label: as written
    with translation.speaking("es"):
        assert recorded("xxa.user (party_user, XXA)") == "xxa.user (usuario de la Parte, XXA)"


def test_a_reason_the_registry_wrote_is_said_from_its_template() -> None:
    stored = str(
        words(
            HISTORY_IMPORTED.template,
            party="XXB",
            year=2024,
            on_request_of="letter 7",
            file_name="aef.xlsx",
            sha256="ab12",
        )
    )
    read = reread(stored, [HISTORY_IMPORTED])
    assert isinstance(read, Words) and read.params["file_name"] == "aef.xlsx"
    with translation.speaking("fr"):
        assert recorded("withdrawn by the initiator") == "retirée par l'initiateur"
        assert recorded("rejected by the hub").startswith("rejetée par la plateforme")
        french = recorded(stored)
    assert french != stored and "aef.xlsx" in french and "ab12" in french, french
    assert recorded(stored) == stored  # in English, as recorded


def test_an_aef_value_is_said_with_its_official_english_beside_it() -> None:
    from article6.web.vocabulary import official

    with translation.speaking("fr"):
        assert official("Use or Cancellation") == "Utilisation ou annulation (Use or Cancellation)"
        assert official("Agriculture") == "Agriculture"  # the same word: said once
        assert official("XXA-NDC-2025-001") == "XXA-NDC-2025-001"
    assert official("Use or Cancellation") == "Use or Cancellation"


def test_every_activity_type_is_said_in_french_and_spanish_beside_its_official_english() -> None:
    from article6.domain.nomenclature import ActivityType
    from article6.web.vocabulary import VOCABULARY, official

    for code in ("fr", "es"):
        with translation.speaking(code):
            for activity in ActivityType:
                if activity is ActivityType.N2O:  # a formula, the same in every language
                    assert activity not in VOCABULARY
                    continue
                assert translation.said(VOCABULARY[activity]), (code, activity)
    with translation.speaking("fr"):
        assert official(ActivityType.AFFORESTATION) == "Boisement (Afforestation)"
        assert official(ActivityType.COAL_MINE_METHANE).endswith("(Coal bed/mine methane)")
        assert official(ActivityType.N2O) == "N2O"
    with translation.speaking("es"):
        assert official(ActivityType.REFORESTATION) == "Reforestación (Reforestation)"
        assert official(ActivityType.WIND) == "Energía eólica (Wind)"
