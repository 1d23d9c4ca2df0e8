"""A unit mark set from a consistency check keeps the check's English sentence as its reason
(what the record, the journal and the API carry); the pages read it back into the check's
words and say it in the reader's language. A person's own reason is shown as written."""

from __future__ import annotations

from article6 import translation
from article6.domain.wording import Words, words
from article6.reports.aef_consistency.findings import marked_for, reason_read_back
from article6.reports.aef_consistency.model import in_turn


def stored(code: str, message: Words) -> str:
    """What `marks_to_set` writes into a mark: a plain string, cut at 500 characters."""
    return str(marked_for(code, 2026, message))[:500]


def test_a_reason_from_a_check_is_read_back_and_said_in_french_and_spanish() -> None:
    message = words(
        "the same units have different {what}: {shown}",
        what=words("sectors and activity types"),
        shown=in_turn(["Energy generation", "Transportation"]),
    )
    reason = stored("II03", message)
    assert reason == (
        "II03 (2026): the same units have different sectors and activity types:"
        " Energy generation; Transportation"
    )

    back = reason_read_back(reason)

    assert isinstance(back, Words) and back == reason  # the English is what was stored
    with translation.speaking("fr"):
        french = translation.said(back)
    with translation.speaking("es"):
        spanish = translation.said(back)
    assert french == (
        "II03 (2026) : les mêmes unités ont des valeurs différentes pour"
        " « secteurs et types d'activité » : Energy generation ; Transportation"
    )
    assert spanish.startswith(
        "II03 (2026): las mismas unidades tienen valores distintos de «sectores y tipos de"
        " actividad»"
    )


def test_quoted_values_and_joined_findings_come_back_as_they_were_written() -> None:
    message = in_turn(
        [
            words("quantity {quantity!r} is not a whole number", quantity="12.5"),
            words("no cooperative approach"),
        ]
    )
    reason = stored("DR01", message)

    with translation.speaking("fr"):
        french = translation.said(reason_read_back(reason))

    assert french == (
        "DR01 (2026) : la quantité '12.5' n'est pas un nombre entier ; aucune démarche concertée"
    )


def test_a_persons_own_reason_and_a_cut_finding_stay_as_written() -> None:
    own = "Suspected double counting, see letter of 3 May"
    assert not isinstance(reason_read_back(own), Words)
    cut = "II03 (2026): the same units have different sectors and act"  # past 500 characters
    with translation.speaking("fr"):
        assert translation.said(reason_read_back(own)) == own
        assert translation.said(reason_read_back(cut)) == (
            "II03 (2026) : the same units have different sectors and act"
        )
