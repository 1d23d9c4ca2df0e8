"""`article6 aef ...` and `article6 report ...`, and what the statements, certificates and the
public report say after the seed's scenarios."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from scenario_world import Reported

from article6.cli import main
from article6.demo import world as demo
from article6.domain.checks import CommandRefused
from article6.services.account_statements import account_statement
from article6.services.public_reports import public_report
from article6.services.use_and_cancellation_certificates import certificate


def url(reported: Reported) -> str:
    return reported.registry.engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def database(reported_once: Reported) -> str:
    return url(reported_once)


def test_aef_export_writes_each_format_and_validate_accepts_it(
    database: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    for fmt, name in (("xlsx", "xxc.xlsx"), ("csv", "xxc"), ("json", "xxc.json")):
        output = tmp_path / name
        exported = runner.invoke(
            main,
            [
                "aef",
                "export",
                "--party",
                "XXC",
                "--year",
                "2025",
                "--format",
                fmt,
                "--output",
                str(output),
                "--database",
                database,
            ],
        )
        checked = runner.invoke(main, ["aef", "validate", str(output)])

        assert exported.exit_code == 0, exported.output
        assert "AEF XXC 2025 version 1.0 (draft)" in exported.output
        assert "T3: 3, T4: 1" in exported.output
        assert checked.exit_code == 0, checked.output


def test_aef_validate_prints_each_problem_and_exits_non_zero(database: str, tmp_path: Path) -> None:
    output = tmp_path / "xxa.json"
    CliRunner().invoke(
        main,
        [
            "aef",
            "export",
            "--party",
            "XXA",
            "--year",
            "2025",
            "--format",
            "json",
            "--output",
            str(output),
            "--database",
            database,
        ],
    )
    document = json.loads(output.read_text(encoding="utf-8"))
    document["tables"][2]["rows"][0][1] = "Retirement"
    output.write_text(json.dumps(document), encoding="utf-8")

    result = CliRunner().invoke(main, ["aef", "validate", str(output)])

    assert result.exit_code == 1
    assert (
        "Table 3 Actions!B2 [vocabulary] Action type: 'Retirement' is not in the " in result.output
    )


def test_aef_submit_then_export_the_submitted_version(reported: Reported, tmp_path: Path) -> None:
    runner = CliRunner()
    database = url(reported)
    submitted = runner.invoke(
        main, ["aef", "submit", "--party", "XXA", "--year", "2025", "--database", database]
    )
    output = tmp_path / "xxa.json"
    exported = runner.invoke(
        main,
        [
            "aef",
            "export",
            "--party",
            "XXA",
            "--year",
            "2025",
            "--format",
            "json",
            "--version",
            "1.0",
            "--output",
            str(output),
            "--database",
            database,
        ],
    )
    missing = runner.invoke(
        main,
        [
            "aef",
            "export",
            "--party",
            "XXA",
            "--year",
            "2025",
            "--version",
            "1.1",
            "--output",
            str(tmp_path / "x.xlsx"),
            "--database",
            database,
        ],
    )

    assert submitted.exit_code == 0, submitted.output
    assert "version 1.0 submitted" in submitted.output
    assert "version 1.0 (submitted)" in exported.output
    assert json.loads(output.read_text(encoding="utf-8"))["tables"][0]["rows"][0][:2] == [
        "XXA",
        "1.0",
    ]
    assert missing.exit_code == 1
    assert "C1012" in missing.output


def test_the_statement_of_xxcs_holding_account_balances(reported_once: Reported) -> None:
    statement = account_statement(
        reported_once.registry,
        demo.XXC_ADMIN,
        reported_once.world["XXC Party itmo_holding"],
        date(2025, 1, 1),
        date(2025, 12, 31),
    )

    assert (statement.opening, statement.total_in, statement.total_out) == (0, 23_000, 3_000)
    assert statement.closing == 20_000
    assert [(line.kind, line.quantity_in, line.quantity_out) for line in statement.lines] == [
        ("international_transfer", 20_000, 0),
        ("internal_transfer", 3_000, 0),
        ("use", 0, 3_000),
    ]
    assert statement.lines[-1].balance == statement.closing


def test_an_entity_reads_only_its_own_statement(reported_once: Reported) -> None:
    with pytest.raises(CommandRefused) as refused:
        account_statement(
            reported_once.registry,
            demo.GREEN_C_ENTITY,
            reported_once.world["XXC Party itmo_holding"],
            date(2025, 1, 1),
            date(2025, 12, 31),
        )

    assert refused.value.codes == ["C4002"]


def test_a_certificate_names_who_cancelled_which_units_for_what(
    reported_once: Reported,
) -> None:
    found = certificate(reported_once.registry, demo.GREEN_GROUP_A, "XXA01-00000007")

    assert found.by == "Green Group A"
    assert found.entity == "XXA-E0001"
    assert found.purpose == "Use for other international mitigation purposes: CORSIA"
    assert found.units == ["CA0001-XXA01-XXA-85001-90000-2024"]
    assert found.quantity == 5_000
    assert found.first_transfer


def test_a_transfer_has_no_certificate(reported_once: Reported) -> None:
    with pytest.raises(CommandRefused) as refused:
        certificate(reported_once.registry, demo.XXA_ADMIN, "XXA01-00000005")

    assert refused.value.codes == ["C4007"]


def test_report_commands_write_print_ready_pages(database: str, tmp_path: Path) -> None:
    runner = CliRunner()
    statement = runner.invoke(
        main,
        [
            "report",
            "statement",
            "--account",
            "XXC01-000009",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--format",
            "csv",
            "--database",
            database,
        ],
    )
    page = tmp_path / "certificate.html"
    cert = runner.invoke(
        main,
        [
            "report",
            "certificate",
            "--transaction",
            "XXC01-00000002",
            "--output",
            str(page),
            "--database",
            database,
        ],
    )
    pdf = tmp_path / "certificate.pdf"
    printed = runner.invoke(
        main,
        [
            "report",
            "certificate",
            "--transaction",
            "XXC01-00000002",
            "--format",
            "pdf",
            "--site",
            "https://registry.example",
            "--output",
            str(pdf),
            "--database",
            database,
        ],
    )
    public = runner.invoke(
        main, ["report", "public", "--party", "XXA", "--format", "html", "--database", database]
    )

    assert statement.exit_code == 0, statement.output
    assert cert.exit_code == 0, cert.output
    assert "Use towards the NDC of XXC for 2025" in page.read_text(encoding="utf-8")
    assert printed.exit_code == 0, printed.output
    words = " ".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages)
    assert "Use towards the NDC of XXC for 2025" in words
    assert "https://registry.example/public/certificates/XXC01-00000002." in words
    assert "@page" in public.output
    assert "Green Group A" not in public.output


def test_the_public_report_shows_no_entity(reported_once: Reported) -> None:
    report = public_report(reported_once.registry, "XXC")
    text = report.model_dump_json()

    assert [(h.cooperative_approach, h.vintage, h.held, h.used) for h in report.holdings] == [
        ("CA0001", 2024, 25_000, 3_000)
    ]
    assert "Green C Entity" not in text and "XXC-E0001" not in text
    assert [f.quantity for f in public_report(reported_once.registry, "XXA").first_transfers] == [
        10_000,
        20_000,
        5_000,
        8_000,
    ]
