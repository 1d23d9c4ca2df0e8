"""Benchmark: the CARP's consistency checks over many Parties' AEFs, built in memory.

    .venv/bin/python bench/aef_consistency_bench.py                         # 20 Parties x 10^4
    .venv/bin/python bench/aef_consistency_bench.py --parties 3 --actions 500   # smoke run

Each Party (QAA, QAB, ...) authorizes in 2024 units of its own (an NDC authorization naming the
next Party, an OIMP one for CORSIA first transferred at use or cancellation) and holds them at
the end of 2024. In 2025 it reports `actions` Table 3 rows: 40 % first transfers of 10-unit
ranges to the next Party, 40 % acquisitions of the previous Party's first transfers (the
mirror rows), 10 % uses towards its NDC of acquired ranges, and 10 % CORSIA uses of its own
units (a first transfer at use and its use, two rows each); Table 4 holds the rest. The world
is consistent, so every check runs its full course and finds nothing. Reported: the time to
build the loaded tables, and the check's wall time, CPU time and peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, datetime

from article6.reports.aef_consistency import LoadedAEF, check
from article6.reports.aef_consistency.loading import FIRST_ROW, SHEETS

YEAR = 2025
RANGE = 10
HELD = 100_000


def code(index: int) -> str:
    return "Q" + chr(ord("A") + index // 26) + chr(ord("A") + index % 26)


def identifier(party: str, serial: int) -> str:
    return f"CA0001-{party}01-{party}-{serial}-2024"


NA_FIELDS = dict.fromkeys(
    (
        "transferring_party",
        "acquiring_party",
        "purpose",
        "using_party",
        "using_entity",
        "ndc_year",
        "first_unit_id",
        "last_unit_id",
        "non_ghg_metric",
        "non_ghg_quantity",
    ),
    "NA",
)


def block(owner: str, authorization: str, registry: str, first: int, last: int) -> dict[str, str]:
    return {
        **NA_FIELDS,
        "cooperative_approach_id": "CA0001",
        "authorization_id": authorization,
        "first_transferring_party": owner,
        "registry_id": registry,
        "first_id": identifier(owner, first),
        "last_id": identifier(owner, last),
        "underlying_registry": "NA",
        "metric": "GHG",
        "quantity": str(last - first + 1),
        "mitigation_type": "Emission reductions",
        "vintage": "2024",
    }


def day(index: int) -> str:
    return f"{1 + index % 28:02d}/{1 + index % 12:02d}/{YEAR}"


class Builder:
    def __init__(self, party: str, year: int) -> None:
        self.aef = LoadedAEF(party, year, "1.0", "bench")
        self.next_row = dict(FIRST_ROW)
        self.add(
            1,
            {
                "party": party,
                "version": "1.0",
                "reported_year": str(year),
                "date_of_submission": f"15/01/{year + 1}",
                "ndc_first_year": "2021",
                "ndc_last_year": "2030",
            },
        )

    def add(self, table: int, values: dict[str, str]) -> None:
        number = self.next_row[table]
        self.next_row[table] = number + 1
        self.aef.add(table, SHEETS[table], number, dict(values))


def world(parties: int, actions: int) -> list[LoadedAEF]:
    codes = [code(i) for i in range(parties)]
    out, mirror, uses, corsia = (actions * 4 // 10, actions * 4 // 10, actions // 10, actions // 20)
    first_transferred = out * RANGE
    used_own = corsia * RANGE
    own_total = first_transferred + used_own + HELD
    aefs: list[LoadedAEF] = []
    for index, party in enumerate(codes):
        after = codes[(index + 1) % parties]
        before = codes[index - 1]
        registry = f"{party}01"
        earlier = Builder(party, YEAR - 1)
        for authorization, purposes, extra in (
            (f"{party}-NDC-1", "NDC", {"authorized_parties": after}),
            (
                f"{party}-CORSIA-1",
                "OIMP",
                {"oimp_authorized": "CORSIA", "first_transfer_definition": "Use or Cancellation"},
            ),
        ):
            earlier.add(
                2,
                {
                    "authorization_id": authorization,
                    "date_of_authorization": "01/03/2024",
                    "cooperative_approach_id": "CA0001",
                    "version": "1",
                    "metric": "GHG",
                    "sectors": "Energy generation",
                    "activity_types": "Solar",
                    "purposes": purposes,
                    "timeframe": "2021 - 2030",
                    **extra,
                },
            )
        earlier.add(4, block(party, f"{party}-NDC-1", registry, 1, own_total))
        aefs.append(earlier.aef)
        year = Builder(party, YEAR)
        ndc, corsia_id = f"{party}-NDC-1", f"{party}-CORSIA-1"
        for i in range(out):
            first = 1 + i * RANGE
            row = block(party, ndc, registry, first, first + RANGE - 1)
            row.update(
                action_date=day(i),
                action_type="First transfer",
                action_subtype="First transfer to another Party",
                acquiring_party=after,
            )
            year.add(3, row)
        for i in range(mirror):
            first = 1 + i * RANGE
            row = block(before, f"{before}-NDC-1", registry, first, first + RANGE - 1)
            row.update(action_date=day(i), action_type="Acquisition", transferring_party=before)
            year.add(3, row)
        for i in range(uses):
            first = 1 + i * RANGE
            row = block(before, f"{before}-NDC-1", registry, first, first + RANGE - 1)
            row.update(action_date="31/12/2025", action_type="Use", ndc_year=str(YEAR))
            year.add(3, row)
        for i in range(corsia):
            first = first_transferred + 1 + i * RANGE
            using = {"purpose": "CORSIA", "using_party": party}
            for kind, subtype in (("First transfer", "Use or cancellation"), ("Use", "")):
                row = block(party, corsia_id, registry, first, first + RANGE - 1)
                row.update(action_date=day(i), action_type=kind, action_subtype=subtype, **using)
                year.add(3, row)
        year.add(4, block(party, ndc, registry, first_transferred + used_own + 1, own_total))
        for i in range(uses, mirror):
            first = 1 + i * RANGE
            year.add(4, block(before, f"{before}-NDC-1", registry, first, first + RANGE - 1))
        aefs.append(year.aef)
    return aefs


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parties", type=int, default=20)
    parser.add_argument("--actions", type=int, default=10_000, help="Table 3 rows per Party")
    arguments = parser.parse_args()
    started = time.perf_counter()
    aefs = world(arguments.parties, arguments.actions)
    rows = sum(len(r) for a in aefs for r in a.tables.values())
    built = time.perf_counter() - started
    rss_before = peak_rss_mb()
    print(f"built {len(aefs)} AEFs, {rows} rows in {built:.1f} s", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()

    def progress(step: str) -> None:
        print(f"  [{time.perf_counter() - wall:6.1f} s] {step}", flush=True)

    result = check(aefs, YEAR, datetime.now(UTC), progress)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    found = sum(len(c.inconsistencies) for c in result.codes)
    print(
        f"RESULT aef_consistency parties={arguments.parties} actions={arguments.actions}"
        f" rows={rows} inconsistencies={found} build_s={built:.1f} check_wall_s={wall:.1f}"
        f" check_cpu_s={cpu:.1f} peak_rss_mb_before={rss_before:.0f}"
        f" peak_rss_mb_after={peak_rss_mb():.0f}"
    )
    if found:
        raise SystemExit(f"the synthetic world should be consistent: {found} inconsistencies")


if __name__ == "__main__":
    main()
