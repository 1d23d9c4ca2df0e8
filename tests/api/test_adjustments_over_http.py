"""The corresponding adjustment inputs over HTTP after the seed's scenarios: JSON and CSV from
the API, who may read them, and the page with its chart and arithmetic, linked from Reports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from http_world import HttpWorld, ok
from test_scenarios_over_http import STEPS
from test_users_page import browser_session

YEAR = date.today().year
PATH = f"/api/v1/parties/XXA/adjustments/{YEAR}"


def test_adjustment_inputs_over_http_after_the_four_scenarios(world: HttpWorld):
    """One world for every door (building it over HTTP is the expensive part)."""
    for step in STEPS.values():
        step(world)
    the_api_gives_the_figures_as_json(world)
    the_api_gives_them_as_csv(world)
    the_secretariat_reads_them_another_section_and_an_entity_are_refused(world)
    a_year_after_the_current_one_is_refused_with_c1019(world)
    the_page_shows_the_chart_and_the_arithmetic_and_reports_links_it(world)


def the_api_gives_the_figures_as_json(played: HttpWorld):
    document = ok(played.api["xxa.admin"].get(PATH), 200)

    assert (document["party"], document["year"], document["draft"]) == ("XXA", YEAR, True)
    assert document["provisional"] is True  # the current year is not finished
    [line] = document["lines"]
    assert (line["cooperative_approach_id"], line["metric"], line["unit"]) == (
        "CA0001",
        "GHG",
        "t CO2 eq",
    )
    first = line["figures"]["first_transferred"]
    assert first["quantity"] == 43_000
    assert {p["label"]: p["quantity"] for p in first["parts"]} == {
        "First transfer to another Party": 28_000,
        "Use or cancellation": 15_000,
    }
    assert line["figures"]["used_for_oimp"]["quantity"] == 15_000
    assert line["adjustment"] == 43_000
    assert line["arithmetic"][0] == (
        "adjustment = first transferred 43,000 − used towards NDC 0 = 43,000 t CO2 eq"
    )

    xxc = ok(played.api["xxc.admin"].get(f"/api/v1/parties/XXC/adjustments/{YEAR}"), 200)
    [total] = xxc["totals"]
    assert total["figures"]["acquired"]["quantity"] == 28_000
    assert total["adjustment"] == -total["figures"]["used_towards_ndc"]["quantity"]


def the_api_gives_them_as_csv(played: HttpWorld):
    response = played.api["xxa.admin"].get(PATH + "?format=csv")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert f"adjustment-inputs-XXA-{YEAR}-v" in response.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(response.text)))
    adjustment = next(r for r in table if r["section"] == "total" and r["figure"] == "adjustment")
    assert adjustment["quantity"] == "43000"
    assert adjustment["arithmetic"].startswith("adjustment = first transferred 43,000")


def the_secretariat_reads_them_another_section_and_an_entity_are_refused(played: HttpWorld):
    assert ok(played.api["secretariat.admin"].get(PATH), 200)["party"] == "XXA"
    for user, check in (("xxc.admin", "C4006"), ("green.group.a", "C4002")):
        refused = played.api[user].get(PATH)
        assert refused.status_code == 403, (user, refused.text)
        assert refused.json()["checks"][0]["check"] == check


def a_year_after_the_current_one_is_refused_with_c1019(played: HttpWorld):
    refused = played.api["xxa.admin"].get(f"/api/v1/parties/XXA/adjustments/{YEAR + 1}")

    assert refused.status_code == 422
    [check] = refused.json()["checks"]
    assert (check["check"], check["field"]) == ("C1019", "year")


def the_page_shows_the_chart_and_the_arithmetic_and_reports_links_it(played: HttpWorld):
    browser = browser_session(played.api, "xxa.admin")
    reports = browser.get("/reports")
    assert f'href="/parties/XXA/adjustments/{YEAR}"' in reports.text

    page = browser.get(f"/parties/XXA/adjustments/{YEAR}")

    assert page.status_code == 200, page.text
    assert '<svg class="chart" id="adjustment-chart-0"' in page.text
    assert "GHG (t CO2 eq): quantities by flow" in page.text
    assert (
        "adjustment = first transferred 43,000 − used towards NDC 0 = 43,000 t CO2 eq" in page.text
    )
    assert 'data-part="First transfer to another Party"' in page.text
    assert "Provisional" in page.text
    assert f"/api/v1/parties/XXA/adjustments/{YEAR}?format=csv" in page.text

    # In French the chart is drawn in French too: it is drawn when the page is, not before.
    browser.cookies.set("article6_language", "fr")
    french = browser.get(f"/parties/XXA/adjustments/{YEAR}").text
    chart = french[french.index('<svg class="chart" id="adjustment-chart-0"') :]
    chart = chart[: chart.index("</svg>")]
    assert "GHG (t CO2 eq) : quantités par flux" in chart, chart
    assert ">transférées pour la première fois</text>" in chart, chart
    assert re.search(">43[\u202f\u00a0]000</text>", chart), chart
    assert "quantities by flow" not in french
    # The arithmetic too, with the reader's grouping and a true minus sign (#19).
    assert re.search(
        "ajustement = transférées pour la première fois 43[\u202f\u00a0]000 − utilisées aux"
        " fins de la CDN 0 = 43[\u202f\u00a0]000 t CO2 eq",
        french,
    ), french
    browser.cookies.set("article6_language", "es")
    spanish = browser.get(f"/parties/XXA/adjustments/{YEAR}").text
    assert (
        "ajuste = transferidas por primera vez 43.000 − utilizadas para la CDN 0 = 43.000 t CO2 eq"
        in spanish
    )
    browser.cookies.set("article6_language", "en")

    other = browser_session(played.api, "xxc.admin").get(f"/parties/XXA/adjustments/{YEAR}")
    assert other.status_code == 403
    assert "C4006" in other.text
