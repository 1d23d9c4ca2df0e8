"""Pull and view in a browser: the secretariat of the IR asks the Article 6.4 mechanism
registry (a real one, on its own database, behind a hub) for an authorization's A6.4ERs; the
page says it waits, then shows the holdings and history verified, with when they were fetched.
A Party user's page offers no registry-wide pull. Each page is axe clean (no serious or critical
violation) and readable 390 px wide."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_site
import pytest
from browser_site import SignedIn, Site, make_site, require_chromium, screenshot, signed_in_pages

from article6.demo.network import A64_NDC, Loopback, Network, seed_mechanism
from article6.domain.protocol import MECHANISM_REGISTRY
from article6.domain.protocol import Role as NodeRole
from article6.interop.hub import Hub
from article6.interop.node import RegistryNode
from article6.services.context import Registry
from article6.store.database import make_engine

PORTS = range(18800, 18900)


def port_of_ours() -> int:
    """A free port of those this test may use."""
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 18800 and 18899")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    require_chromium()
    path = tmp_path_factory.mktemp("mechanism") / "registry.db"
    shutil.copy(sqlite_template, path)
    chosen = pytest.MonkeyPatch()
    chosen.setattr(browser_site, "free_port", port_of_ours)
    yield from make_site(f"sqlite:///{path}")
    chosen.undo()


@pytest.fixture(scope="module")
def network(site: Site, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path):
    """The served registry as the IR on a hub, with the mechanism registry connected."""
    others = {}
    for name in ("hub", "a64"):
        path = tmp_path_factory.mktemp(name) / f"{name}.db"
        shutil.copy(sqlite_template, path)
        others[name] = Registry(make_engine(f"sqlite:///{path}"))
    hub = Hub.open(others["hub"])
    net = Network(hub, {}, Loopback())
    seed_mechanism(others["a64"])
    net.connect(RegistryNode.open(site.registry, "IR", NodeRole.INTERNATIONAL), ())
    net.connect(
        RegistryNode.open(others["a64"], MECHANISM_REGISTRY, NodeRole.MECHANISM),
        (MECHANISM_REGISTRY,),
    )
    yield net
    for registry in others.values():
        registry.engine.dispose()


@pytest.fixture(scope="module")
def as_user(site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(site, browser)


def serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_the_secretariat_pulls_an_authorizations_a64ers_and_sees_them_verified(
    as_user: SignedIn, network: Network
):
    page = as_user("secretariat.admin")
    page.goto("/mechanism")
    if page.get_by_role("button", name="Continue").count():  # a registry-wide role: a section
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/mechanism")
    assert page.get_by_role("link", name="6.4 registry").get_attribute("aria-current") == "page"
    assert serious(page) == []
    page.get_by_label("Select the A6.4ERs by").select_option("authorization")
    page.locator("#authorization_id").fill(A64_NDC)
    page.get_by_role("button", name="Ask the 6.4 registry").click()
    page.wait_for_url("**/mechanism/*")
    assert "Waiting for the answer" in page.locator("#state").inner_text()

    network.settle()  # the query to the hub, to the 6.4 registry, and its signed answer back
    page.reload()
    assert "Verified" in page.locator("#state").inner_text()
    assert "Holdings: 400 authorized" in page.locator("#holdings-heading").inner_text()
    assert "XXD-A64-NDC-1" in page.locator("#holdings").inner_text()
    assert "Issuance" in page.locator("#history").inner_text()
    assert page.locator("#fetched").inner_text().startswith("20")  # an ISO date
    screenshot(page, "mechanism-pull")
    assert serious(page) == []

    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide at 390"
    page.set_viewport_size(browser_site.VIEWPORT)

    page.goto("/mechanism")
    assert "Verified" in page.locator("#pulls").inner_text()
    assert serious(page) == []


def test_a_party_user_pulls_for_their_own_party_only(as_user: SignedIn, network: Network):
    page = as_user("xxa.user")
    page.goto("/mechanism")
    assert page.locator("#party").count() == 0
    assert "XXA's users ask for XXA's authorizations only" in page.locator("main").inner_text()
    assert "No pulls yet" in page.locator("#pulls").inner_text()  # the secretariat's are not XXA's
    assert serious(page) == []
