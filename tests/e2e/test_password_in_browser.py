"""Changing one's password in the browser, from the link every signed-in page carries, the
change a reset password forces before any other page opens, and an administrator's reset from
the users' page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from browser_site import VIEWPORT, SignedIn, Site, screenshot

from article6.demo import users as demo_users
from article6.domain import totp
from article6.domain.access import Role
from article6.services import identity, passwords
from article6.services.sign_in import password_matches
from article6.store import identity as identity_store
from article6.store.database import single_read


def new_user(site: Site, name: str) -> tuple[str, str]:
    """A Party user of XXA with a known password and second factor."""
    password, secret = f"pw-{name}-{totp.new_secret()[:8]}", totp.new_secret()
    identity.create_section_user(
        site.registry,
        demo_users.BOOTSTRAP,
        identity.CreateUser(name=name, display_name=name, password=password),
        identity.GrantRole(role=Role.PARTY_USER, party="XXA"),
        totp_secret=secret,
    )
    return password, secret


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted now (one step of drift either way), and
    not the one the sign-in just spent."""
    return totp.code_at(secret, datetime.now(UTC) + timedelta(seconds=totp.STEP_SECONDS))


def sign_in(site: Site, browser: Any, name: str, password: str, secret: str) -> Any:
    context = browser.new_context(viewport=VIEWPORT, base_url=site.base_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/sign-in")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Second-factor code").fill(totp.code_at(secret, datetime.now(UTC)))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    return page


def change(page: Any, old: str, new: str, secret: str) -> None:
    page.get_by_label("Current password", exact=True).fill(old)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again", exact=True).fill(new)
    page.get_by_label("Second-factor code").fill(next_code(secret))
    page.get_by_role("button", name="Change password").click()
    page.locator("#password-changed").wait_for()


def holds_password(site: Site, name: str, password: str) -> bool:
    with single_read(site.registry.engine) as connection:
        row = identity_store.user_by_name(connection, name)
    return password_matches(row, password) and not row.password_change_required


def test_a_user_changes_their_password_from_the_link_on_every_page(
    sqlite_site: Site, browser: Any
) -> None:
    password, secret = new_user(sqlite_site, "xxa.changer")
    page = sign_in(sqlite_site, browser, "xxa.changer", password, secret)
    page.get_by_role("link", name="Change password").click()
    page.wait_for_url("**/password")
    screenshot(page, "change-password")
    change(page, password, "a passphrase of my own", secret)
    assert holds_password(sqlite_site, "xxa.changer", "a passphrase of my own")
    page.get_by_role("link", name="Continue").click()
    assert page.locator(".who").inner_text().startswith("xxa.changer")
    page.context.close()


def test_a_reset_password_opens_only_the_change_password_page(
    sqlite_site: Site, browser: Any
) -> None:
    _, secret = new_user(sqlite_site, "xxa.forgetful")
    temporary = passwords.reset_password(
        sqlite_site.registry, demo_users.BOOTSTRAP, "xxa.forgetful"
    ).temporary_password
    assert temporary
    page = sign_in(sqlite_site, browser, "xxa.forgetful", temporary, secret)
    assert page.url.endswith("/password")
    assert "C4014" in page.locator("#password-change-required").inner_text()
    page.goto("/accounts")
    assert page.url.endswith("/password")
    change(page, temporary, "chosen after the reset", secret)
    assert holds_password(sqlite_site, "xxa.forgetful", "chosen after the reset")
    page.goto("/accounts")
    assert page.url.endswith("/accounts")
    page.context.close()


def test_an_administrator_resets_a_password_from_the_users_page(
    sqlite_site: Site, browser: Any, as_user: SignedIn
) -> None:
    password, secret = new_user(sqlite_site, "xxa.locked.out")
    blocked: list[str] = []
    admin = as_user("xxa.admin")
    admin.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    admin.goto("/")
    admin.get_by_role("link", name="Users").click()
    admin.wait_for_url("**/users")
    styled = "[...document.querySelectorAll('[style]')].map(e => e.outerHTML.slice(0, 200))"
    assert admin.evaluate(styled) == []
    screenshot(admin, "users")
    row = admin.locator('tr[data-user="xxa.locked.out"]')
    row.get_by_role("button", name="Reset the password").click()
    admin.wait_for_url("**/users/xxa.locked.out/password-reset")
    assert "temporary" in admin.locator("#preview-outcome").inner_text()
    assert admin.evaluate(styled) == []
    admin.get_by_role("button", name="Confirm: reset the password").click()
    temporary = admin.locator("#temporary-password").inner_text().strip()
    assert "separate channel" in admin.locator("#hand-over").inner_text()
    screenshot(admin, "password-reset-by-administrator")
    assert blocked == []  # the browser blocked nothing (the served page has no style=)
    with single_read(sqlite_site.registry.engine) as connection:
        row_ = identity_store.user_by_name(connection, "xxa.locked.out")
    assert not password_matches(row_, password) and row_.password_change_required
    page = sign_in(sqlite_site, browser, "xxa.locked.out", temporary, secret)
    assert page.url.endswith("/password")
    page.context.close()
