"""Initial reports (decision 2/CMA.3 annex paras 18-20): per cooperative approach, a
participating Party submits an initial report, reviewed by an Article 6 technical expert review
(TER), and later updates. The registry records when and under which TER reference, fills AEF
Table 1 field 9 from them, and warns about (or, set so, refuses with C3010) a first transfer
under an approach whose initial report it has not recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from article6.domain.checks import Check, Refusal
from article6.domain.wording import words


class ReportKind(StrEnum):
    INITIAL = "initial"
    UPDATE = "update"


class FirstTransferWithoutReport(StrEnum):
    """What the registry does with a first transfer under an approach with no initial report
    recorded (the setting `ARTICLE6_FIRST_TRANSFER_WITHOUT_INITIAL_REPORT`)."""

    WARN = "warn"
    REFUSE = "refuse"


@dataclass(frozen=True)
class InitialReport:
    """One recorded initial report or update of a Party for a cooperative approach."""

    party_code: str
    cooperative_approach_id: str
    kind: ReportKind
    report_date: date
    review_reference: str
    recorded_at: datetime
    recorded_by: str


MAX_REFERENCE = 500


def report_refusals(
    kind: ReportKind,
    report_date: date,
    reference: str,
    today: date,
    participates: bool,
    earlier: list[InitialReport],
) -> list[Refusal]:
    """C3011, in order: the Party participates in the approach; the date is not in the future;
    a reference is given; an update follows an initial report and is dated after the last
    report; a second initial report is an update."""
    refused: list[Refusal] = []
    if not participates:
        refused.append(
            Refusal(
                Check.C3011,
                "cooperative_approach",
                words("the Party does not participate in this cooperative approach"),
            )
        )
    if report_date > today:
        refused.append(Refusal(Check.C3011, "report_date", words("the date is in the future")))
    if not reference.strip() or len(reference) > MAX_REFERENCE:
        refused.append(
            Refusal(
                Check.C3011,
                "review_reference",
                words(
                    "name the technical expert review report (1 to {max_reference} characters)",
                    max_reference=MAX_REFERENCE,
                ),
            )
        )
    initial = [r for r in earlier if r.kind is ReportKind.INITIAL]
    if kind is ReportKind.INITIAL and initial:
        refused.append(
            Refusal(
                Check.C3011,
                "kind",
                words(
                    "the initial report of {report_date} is recorded: record an update",
                    report_date=initial[0].report_date,
                ),
            )
        )
    if kind is ReportKind.UPDATE and not initial:
        refused.append(Refusal(Check.C3011, "kind", words("an update follows an initial report")))
    if kind is ReportKind.UPDATE and earlier and report_date <= max(e.report_date for e in earlier):
        last = max(r.report_date for r in earlier)
        refused.append(
            Refusal(
                Check.C3011,
                "report_date",
                words("an update is dated after the last report ({last})", last=last),
            )
        )
    return refused


def first_transfer_advice(
    party: str, approaches: set[str], reported: set[str], setting: FirstTransferWithoutReport
) -> tuple[Refusal | None, list[str]]:
    """C3010 for a first transfer by `party` under `approaches`: a refusal when set to refuse,
    else the warnings; nothing when every approach has its initial report."""
    missing = sorted(approaches - reported)
    if not missing:
        return None, []
    detail = words(
        "{party} has no initial report recorded for {missing} (decision 2/CMA.3 annex para 18)",
        party=party,
        missing=", ".join(missing),
    )
    if setting is FirstTransferWithoutReport.REFUSE:
        return Refusal(Check.C3010, "units", detail), []
    return None, [words("C3010: {detail}", detail=detail)]
