"""The public side without signing in: `/public` and `GET /api/v1/public/parties` list the
Parties with a section, each linked to its public report, and every public page carries the
decision's notice (paragraph 52) that the registry services endorse no mitigation outcome."""

from __future__ import annotations

import httpx
import pytest
from http_world import Api, HttpWorld, build_world

from article6.services.public_reports import NO_ENDORSEMENT


@pytest.fixture
def world(api: Api) -> HttpWorld:
    return build_world(api, everyone=False)


def anonymous(api: Api, path: str) -> httpx.Response:
    api.client.cookies.clear()
    response = api.client.get(path, headers={"Authorization": ""})
    assert response.status_code == 200, (path, response.text)
    return response


def test_anyone_lists_the_parties_with_a_section(world: HttpWorld):
    listed = anonymous(world.api, "/api/v1/public/parties").json()
    assert [(p["code"], p["registry_id"]) for p in listed] == [("XXA", "XXA01"), ("XXC", "XXC01")]


def test_the_public_page_links_each_report_under_the_notice(world: HttpWorld):
    page = anonymous(world.api, "/public").text
    assert f'<q lang="en">{NO_ENDORSEMENT}</q>' in page
    for party in ("XXA", "XXC"):
        assert f'href="/api/v1/public/parties/{party}?format=html"' in page


def test_the_public_report_carries_the_notice_and_fits_a_phone(world: HttpWorld):
    report = anonymous(world.api, "/api/v1/public/parties/XXA?format=html").text
    assert f'<q lang="en">{NO_ENDORSEMENT}</q>' in report
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in report
    assert 'table class="stack"' in report and 'data-label="Authorization ID"' in report
    assert NO_ENDORSEMENT.startswith("the registry services referred to in paragraph 50")
    assert "do not constitute an endorsement" in NO_ENDORSEMENT
    assert "translation" not in report.lower()  # English: the original only


def test_in_french_and_spanish_the_notice_is_quoted_and_translated_unofficially(
    world: HttpWorld,
):
    """The decision is quoted in its English original; the reader's language gets our
    translation, marked as unofficial (no official one is in the registry's sources)."""
    said = {
        "fr": (
            "Traduction non officielle du texte cité : <q>les services de registre visés au"
            " paragraphe 50 ci-dessus ne constituent pas une validation"
        ),
        "es": (
            "Traducción no oficial del texto citado: <q>los servicios de registro mencionados en"
            " el párrafo 50 supra no constituyen un aval"
        ),
    }
    for code, translated in said.items():
        for path in ("/public", "/api/v1/public/parties/XXA?format=html"):
            world.api.client.cookies.clear()
            page = world.api.client.get(
                path, headers={"Authorization": "", "Accept-Language": code}
            ).text
            assert f'<q lang="en">{NO_ENDORSEMENT}</q>' in page, (code, path)
            assert translated.replace("'", "&#39;") in page, (code, path, page)
