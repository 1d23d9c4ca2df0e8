"""Authorization as an AEF action (2/CMA.3 annex para 20(a), Table 25(b)): linking an
authorization to MOs is reported in the year it happens, with its quantity and range, and when
the authorization defines that moment as the first transfer, a First transfer row follows."""

from __future__ import annotations

from datetime import date
from typing import Any

from scenario_world import Reported

from article6.demo import world as demo
from article6.domain.nomenclature import FirstTransferDefinition, Purpose, Sector
from article6.reports.aef_spec import TABLE
from article6.services import authorizations, units
from article6.services import commands as c
from article6.services.aef_versions import open_aef

T3 = {key: index for index, key in enumerate(TABLE[3].keys)}
SHOWN = (
    "action_type",
    "action_subtype",
    "authorization_id",
    "first_id",
    "last_id",
    "quantity",
    "transferring_party",
    "acquiring_party",
    "purpose",
    "using_party",
    "using_entity",
    "ndc_year",
)


def xxa_actions(reported: Reported, year: int) -> list[tuple[Any, ...]]:
    with open_aef(reported.registry, demo.XXA_ADMIN, "XXA", year) as document:
        rows = [list(row) for row in document.tables[2].rows]
    return [tuple(row[T3[key]] for key in SHOWN) for row in rows]


def authorize(reported: Reported, authorization_id: str, **terms: Any) -> None:
    authorizations.record_authorization(
        reported.registry,
        demo.XXA_ADMIN,
        c.RecordAuthorization(
            authorization_id=authorization_id,
            date_of_authorization=date(2026, 1, 10),
            cooperative_approach="CA0001",
            sectors=[Sector.ENERGY_GENERATION],
            **terms,
        ),
    )
    units.link_authorization(
        reported.registry,
        demo.XXA_ADMIN,
        c.LinkAuthorization(
            account=reported.world["XXA Party mo_holding"],
            authorization_id=authorization_id,
            units=c.UnitSelection(quantity=5_000),
        ),
    )


NOT_APPLICABLE = ("NA",) * 6


def test_linking_an_authorization_is_an_authorization_action_of_its_year(
    reported: Reported,
) -> None:
    before = xxa_actions(reported, 2025)
    authorize(reported, "XXA-NDC-2026-002", purposes=Purpose.NDC)

    assert xxa_actions(reported, 2026) == [
        (
            "Authorization",
            None,
            "XXA-NDC-2026-002",
            "CA0001-XXA01-XXA-45001-2024",
            "CA0001-XXA01-XXA-50000-2024",
            5_000,
            *NOT_APPLICABLE,
        )
    ]
    assert xxa_actions(reported, 2025) == before  # a 2026 action is not in 2025


def test_an_authorization_that_is_the_first_transfer_gives_both_rows(reported: Reported) -> None:
    authorize(
        reported,
        "XXA-OIMP-2026-003",
        purposes=Purpose.OIMP,
        oimp_authorized="CORSIA",
        first_transfer_definition=FirstTransferDefinition.AUTHORISATION,
    )
    ids = ("CA0001-XXA01-XXA-45001-2024", "CA0001-XXA01-XXA-50000-2024", 5_000)

    assert xxa_actions(reported, 2026) == [
        ("Authorization", None, "XXA-OIMP-2026-003", *ids, *NOT_APPLICABLE),
        ("First transfer", "Authorization", "XXA-OIMP-2026-003", *ids, *NOT_APPLICABLE),
    ]
