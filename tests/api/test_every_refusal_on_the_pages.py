"""Every numbered check a person can meet on the pages, tripped through its page: the words
shown name the check and the field, in words a ministry official reads, with nothing of
Python or of a library in them. The checks no page can trip are listed, each with its reason,
in `article6.web.refusal_reach`; a new check fails the first test below until it is given one
or the other.

One world is played through (building it over HTTP is the expensive part); the checks that
need the world in some state (a pending request, a mark, a hold, an expired approval) come
after the ones that need nothing, and units are counted before and after: a refusal moves none.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import HttpWorld, holdings, ok
from test_acceptance_over_http import waiting_transfer
from test_joining_pages import JOIN
from test_safeguards_pages import preview
from test_users_page import browser_session, form
from test_who_acts import GREEN_AMO, give_green_group_a

from article6.domain.access import Role
from article6.domain.checks import Check
from article6.domain.reconciliation import ReconciliationHold
from article6.store import reconciliation as stored_holds
from article6.store.database import unit_of_work
from article6.web.refusal_reach import NOT_FROM_A_PAGE

JOINING = {"C1024", "C1025", "C1033", "C4023", "C4024", "C4025", "C4026", "C4027"}
TRIPPED_HERE = {
    "C1001",
    "C1002",
    "C1004",
    "C1005",
    "C1006",
    "C1007",
    "C1009",
    "C1010",
    "C1011",
    "C1012",
    "C1014",
    "C1017",
    "C1019",
    "C1020",
    "C1022",
    "C2001",
    "C2002",
    "C2004",
    "C2006",
    "C2010",
    "C2011",
    "C2012",
    "C2013",
    "C2014",
    "C2016",
    "C3001",
    "C3002",
    "C3003",
    "C3004",
    "C3005",
    "C3006",
    "C3007",
    "C3008",
    "C3009",
    "C3010",
    "C3011",
    "C4001",
    "C4002",
    "C4003",
    "C4004",
    "C4005",
    "C4006",
    "C4007",
    "C4008",
    "C4009",
    "C4010",
    "C4011",
    "C4012",
    "C4014",
    "C4015",
    "C4016",
    "C4017",
    "C4018",
    "C4020",
    "C4021",
    "C4022",
    "C4028",
    "C4029",
    "C5001",
    "C5002",
    "C5004",
    "C5005",
} | JOINING
"""The checks `test_every_refusal_a_page_can_show_names_the_field_in_words` trips, and the
joining and delegation ones `test_joining_and_delegation_refusals_name_the_field_in_words`
trips (`JOINING`)."""

LIBRARY_WORDS = re.compile(
    r"Input should|validation error|pydantic|Traceback|Value error|Field required|"
    r"should be a valid|\bNone\b|\[|\]|\{'|(?<![A-Za-z])'[^'\s]+'|\(\d+, \d+\)"
)
"""What a person must never read in a refusal: a library's message, Python's repr of a
value, a list or a tuple, None."""

AUTHORIZATION = {
    "date_of_authorization": "2025-04-01",
    "cooperative_approach": "CA0001",
    "purposes": "NDC",
    "sectors": "Energy generation",
    "activity_types": "Solar",
}


def words_shown(page: httpx.Response) -> str:
    """The refusal on the page as a person reads it (the alert's text, tags removed)."""
    found = re.search(r'role="alert"[^>]*>(.*?)</div>', page.text, re.DOTALL)
    assert found, (page.status_code, page.headers.get("location"), page.text[:500])
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def says(page: httpx.Response, check: str, field: str | None, tripped: set[str]) -> str:
    """The page refuses with `check`, naming `field` in words (None: the person acting, whom
    the words name instead), and speaks no library."""
    assert page.status_code >= 400, (check, page.status_code, page.text[:300])
    shown = words_shown(page)
    assert f"{check} {Check[check].title}" in shown, (check, shown)
    if field is not None:
        assert f"(field: {field}" in shown, (check, field, shown)
    assert not LIBRARY_WORDS.search(shown), (check, LIBRARY_WORDS.search(shown), shown)
    tripped.add(check)
    return shown


def step(browser: TestClient, slug: str, fields: dict[str, str]) -> httpx.Response:
    """A unit action's first step, "Check what will happen"."""
    return form(browser, f"/actions/{slug}", fields)


def done(browser: TestClient, slug: str, fields: dict[str, str], key: str) -> str:
    """A unit action carried out (its confirm step): the transaction recorded."""
    page = form(browser, f"/actions/{slug}", {**fields, "step": "confirm", "idempotency_key": key})
    assert page.status_code == 303, words_shown(page)
    return page.headers["location"].split("/transactions/")[1].split("?")[0]


def test_every_check_is_tripped_here_or_has_a_reason():
    codes = {check.code for check in Check}
    unreachable = {check.code for check in NOT_FROM_A_PAGE}
    assert TRIPPED_HERE | unreachable == codes, sorted(codes - TRIPPED_HERE - unreachable)
    assert not TRIPPED_HERE & unreachable, sorted(TRIPPED_HERE & unreachable)
    for check, reason in NOT_FROM_A_PAGE.items():
        assert len(reason) > 30, check  # a reason, not a placeholder


def test_every_refusal_a_page_can_show_names_the_field_in_words(
    world: HttpWorld, monkeypatch: pytest.MonkeyPatch
):
    api = world.api
    give_green_group_a(world, 100)
    api.add_user("secretariat.admin", "xxa.admin2", Role.ADMINISTRATOR, "XXA")
    before = sum(holdings(api).values())
    tripped: set[str] = set()
    xxa = browser_session(api, "xxa.admin")
    green = browser_session(api, "green.group.a")
    secretariat = browser_session(api, "secretariat.admin")
    form(secretariat, "/section", {"party": "XXA", "next": "/"})
    mo, amo = world["XXA Party mo_holding"], world["XXA Party amo_holding"]
    green_mo, xxc_itmo = world["XXA Green Group A mo_holding"], world["XXC Party itmo_holding"]
    to_green = {"source_account": mo, "destination_account": green_mo}

    # Format and data (C1xxx)
    authorize = {**AUTHORIZATION, "authorization_id": "XXA-NEW"}
    says(
        form(xxa, "/authorizations", {**authorize, "authorized_parties": "ZZZ"}),
        "C1001",
        "authorized parties, line 1",
        tripped,
    )
    says(
        form(xxa, "/authorizations", {**authorize, "cooperative_approach": "CA9999"}),
        "C1002",
        "cooperative approach",
        tripped,
    )
    says(
        form(xxa, "/authorizations", {**authorize, "authorization_id": "A" * 65}),
        "C1004",
        "authorization ID",
        tripped,
    )
    says(step(xxa, "transfer", {**to_green, "quantity": "0"}), "C1005", "units, quantity", tripped)
    says(
        step(xxa, "transfer", {**to_green, "ranges": "52000-50001"}),
        "C1005",
        "units, ranges, line 1",
        tripped,
    )
    shown = says(
        step(
            xxa,
            "issue",
            {"mitigation_activity": world.activity, "vintage": "2020", "quantity": "5"},
        ),
        "C1006",
        "vintage",
        tripped,
    )
    assert "vintage must be at least 2021" in shown  # a year, not a quantity
    activity = {
        "title": "XXA Wind Farm",
        "cooperative_approach": "CA0001",
        "sector": "Energy generation",
        "activity_type": "Wind",
        "mitigation_type": "Emission reductions",
    }
    says(form(xxa, "/activities", {**activity, "sector": "Nonsense"}), "C1007", "sector", tripped)
    says(xxa.get("/transactions?kind=zzz"), "C1007", "kind", tripped)
    says(
        form(xxa, "/authorizations", {**authorize, "date_of_authorization": "2019-01-01"}),
        "C1009",
        "date of authorization",
        tripped,
    )
    says(xxa.get("/journal?since=2025-13-01"), "C1009", "since", tripped)
    first = done(xxa, "transfer", {**to_green, "quantity": "5"}, "same-key")
    says(
        form(
            xxa,
            "/actions/transfer",
            {**to_green, "quantity": "6", "step": "confirm", "idempotency_key": "same-key"},
        ),
        "C1010",
        "the form's request key",
        tripped,
    )
    says(
        step(xxa, "transfer", {"source_account": mo, "quantity": "5"}),
        "C1011",
        "destination account",
        tripped,
    )
    says(form(xxa, "/approvals/XXA01-99999999/approve", {}), "C1012", "transaction", tripped)
    oversized = xxa.post(
        "/actions/transfer",
        content=b"ranges=" + b"1-1%0A" * 200_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    says(oversized, "C1014", "body", tripped)
    says(
        api.client.post(
            "/sign-in",
            data={"name": "xxa.admin", "password": "x", "code": "1"},
            headers={"Origin": "https://elsewhere.example"},
        ),
        "C1017",
        "origin",
        tripped,
    )
    says(secretariat.get("/aef/2099/consistency"), "C1019", "year", tripped)
    says(xxa.get("/units?q=abc"), "C1020", "unit", tripped)

    # Units (C2xxx)
    says(
        step(xxa, "transfer", {**to_green, "ranges": "999001-999100"}),
        "C2001",
        "units, ranges, line 1",
        tripped,
    )
    wind = {**AUTHORIZATION, "authorization_id": "XXA-WIND", "activity_types": "Wind"}
    assert (
        form(
            xxa,
            "/authorizations",
            {**wind, "sectors": "Transportation", "activity_types": "Transport"},
        ).status_code
        == 303
    )
    shown = says(
        step(xxa, "link", {"account": mo, "authorization_id": "XXA-WIND", "quantity": "5"}),
        "C2004",
        "units XXA01-",
        tripped,
    )
    assert "sector Energy generation is not authorized" in shown
    marked = form(
        secretariat,
        "/marks",
        {
            "registry_id": "XXA01",
            "serial_first": "1",
            "serial_last": "100",
            "inconsistency_code": "II01",
            "reason": "found by II01",
            "step": "confirm",
            "idempotency_key": "mark-1",
        },
    )
    assert marked.status_code == 303
    says(step(xxa, "transfer", {**to_green, "ranges": "1-5"}), "C2010", "units XXA01-1-5", tripped)
    says(
        form(
            secretariat,
            "/marks",
            {
                "registry_id": "XXA01",
                "serial_first": "1",
                "serial_last": "5",
                "inconsistency_code": "ZZ99",
                "reason": "r",
            },
        ),
        "C2011",
        "inconsistency code",
        tripped,
    )

    # Authorization (C3xxx)
    says(
        step(
            xxa,
            "international-transfer",
            {"source_account": mo, "destination_account": xxc_itmo, "quantity": "5"},
        ),
        "C3001",
        "source account",
        tripped,
    )
    says(
        step(xxa, "link", {"account": mo, "authorization_id": "XXA-NOPE", "quantity": "5"}),
        "C3002",
        "authorization ID",
        tripped,
    )
    says(
        step(
            xxa,
            "cancel",
            {"source_account": amo, "purpose": "OP", "purpose_text": "CORSIA", "quantity": "5"},
        ),
        "C3003",
        "units XXA01-",
        tripped,
    )
    only_xxb = {**AUTHORIZATION, "authorization_id": "XXA-XXB", "authorized_parties": "XXB"}
    assert form(xxa, "/authorizations", only_xxb).status_code == 303
    done(xxa, "link", {"account": mo, "authorization_id": "XXA-XXB", "quantity": "5"}, "link-xxb")
    says(
        step(
            xxa,
            "international-transfer",
            {
                "source_account": amo,
                "destination_account": xxc_itmo,
                "quantity": "5",
                "authorization_filter": "XXA-XXB",
            },
        ),
        "C3004",
        "units XXA01-",
        tripped,
    )
    timeframe = {
        **AUTHORIZATION,
        "authorization_id": "XXA-EARLY",
        "timeframe_first": "2021",
        "timeframe_last": "2022",
        "authorized_quantity": "100",
    }
    assert form(xxa, "/authorizations", timeframe).status_code == 303
    shown = says(
        step(xxa, "link", {"account": mo, "authorization_id": "XXA-EARLY", "quantity": "5"}),
        "C3006",
        "units XXA01-",
        tripped,
    )
    assert "outside the authorized timeframe 2021-2022" in shown
    says(
        step(
            xxa,
            "link",
            {"account": mo, "authorization_id": "XXA-NDC-2025-001", "quantity": "60000"},
        ),
        "C3007",
        "units",
        tripped,
    )
    says(
        step(xxa, "first-transfer", {"account": amo, "reason": "agreed", "quantity": "5"}),
        "C3008",
        "units XXA01-",
        tripped,
    )
    says(
        form(
            xxa,
            "/authorizations",
            {
                **AUTHORIZATION,
                "authorization_id": "XXA-NDC-2025-001",
                "date_of_authorization": "2025-01-01",
            },
        ),
        "C3009",
        "date of authorization",
        tripped,
    )
    # A first transfer while CA0001 has no initial report, the registry set to refuse.
    monkeypatch.setenv("ARTICLE6_FIRST_TRANSFER_WITHOUT_INITIAL_REPORT", "refuse")
    shown = says(
        step(
            xxa,
            "international-transfer",
            {
                "source_account": amo,
                "destination_account": xxc_itmo,
                "quantity": "5",
                "authorization_filter": "XXA-NDC-2025-001",
            },
        ),
        "C3010",
        "units",
        tripped,
    )
    assert "initial report" in shown
    monkeypatch.delenv("ARTICLE6_FIRST_TRANSFER_WITHOUT_INITIAL_REPORT")

    # Who acts (C4xxx)
    says(
        step(xxa, "transfer", {**to_green, "destination_account": "XXA01-999999", "quantity": "5"}),
        "C4001",
        "destination account",
        tripped,
    )
    shown = says(
        step(
            green,
            "issue",
            {"mitigation_activity": world.activity, "vintage": "2024", "quantity": "5"},
        ),
        "C4002",
        None,
        tripped,
    )
    assert "an authorized entity's representative may not administer the Party's" in shown
    says(
        step(
            green,
            "use",
            {
                "source_account": world["XXA Green Group A itmo_holding"],
                "ndc_year": "2025",
                "quantity": "5",
            },
        ),
        "C4003",
        "source account",
        tripped,
    )
    ok(
        api["secretariat.admin"].post(
            "/api/v1/cooperative-approaches",
            {"id": "CA0002", "name": "XXB-XXC Forests", "participating_parties": ["XXB", "XXC"]},
        )
    )
    says(
        form(xxa, "/activities", {**activity, "cooperative_approach": "CA0002"}),
        "C4004",
        "cooperative approach",
        tripped,
    )
    says(
        step(
            xxa,
            "external-transfer",
            {
                "source_account": amo,
                "acquiring_registry": "XXB01",
                "acquiring_account": "XXB01-000004",
                "acquiring_party": "XXB",
                "quantity": "5",
            },
        ),
        "C4005",
        "registry",
        tripped,
    )
    says(form(xxa, "/users/secretariat.admin/unlock", {}), "C4006", "user", tripped)
    says(form(xxa, f"/approvals/{first}/approve", {}), "C4007", "transaction", tripped)
    says(
        api.client.post(
            "/sign-in", data={"name": "xxa.admin", "password": "wrong", "code": "123456"}
        ),
        "C4009",
        "name",
        tripped,
    )
    for _ in range(8):
        throttled = api.client.post(
            "/sign-in", data={"name": "xxa.auditor", "password": "wrong", "code": "123456"}
        )
    says(throttled, "C4010", "name", tripped)
    says(
        xxa.post("/actions/transfer", data={**to_green, "quantity": "5"}),
        "C4011",
        "the form's security token",
        tripped,
    )
    says(
        form(
            xxa,
            "/password",
            {
                "old_password": "not-my-password",
                "new_password": "short",
                "new_password_again": "short",
                "code": "123456",
            },
        ),
        "C4015",
        "new password",
        tripped,
    )
    says(
        form(
            xxa,
            "/password",
            {
                "old_password": "not-my-password",
                "new_password": "a-long-enough-password",
                "new_password_again": "a-long-enough-password",
                "code": "123456",
            },
        ),
        "C4016",
        "old password",
        tripped,
    )
    says(form(xxa, "/users/xxa.admin/disable", {"step": "confirm"}), "C4018", "user", tripped)
    says(
        form(
            secretariat,
            "/users/secretariat.admin/roles/grant",
            {"scope": "registry", "role": "auditor"},
        ),
        "C4028",
        "user",
        tripped,
    )
    says(
        form(
            xxa,
            "/admin/accounts",
            {"kind": "ndc_use", "cooperative_approach": "CA0001", "holder": "PARTY"},
        ),
        "C4029",
        "kind",
        tripped,
    )
    says(
        form(browser_session(api, "xxa.auditor"), "/mechanism", {"by": "serial", "first": "1"}),
        "C5005",
        None,
        tripped,
    )

    # Uses and cancellations (C5xxx)
    says(
        step(
            xxa,
            "use",
            {
                "source_account": world["XXA Party itmo_holding"],
                "ndc_year": "2040",
                "quantity": "5",
            },
        ),
        "C5001",
        "NDC year",
        tripped,
    )
    says(
        step(
            xxa,
            "cancel",
            {"source_account": world["XXA Party ndc_use"], "purpose": "voluntary", "quantity": "5"},
        ),
        "C5002",
        "source account",
        tripped,
    )
    says(
        step(xxa, "cancel", {"source_account": amo, "purpose": "IMP", "quantity": "5"}),
        "C5004",
        "purpose text",
        tripped,
    )

    # The checks that need the world in some state.
    green_out = {"source_account": world[GREEN_AMO], "destination_account": amo}
    pending = done(green, "transfer", {**green_out, "quantity": "90"}, "green-most")
    says(
        step(green, "transfer", {**green_out, "quantity": "11"}),
        "C2002",
        "units, quantity",
        tripped,
    )
    with unit_of_work(api.registry.engine) as connection:
        stored_holds.place(connection, ReconciliationHold("R-1", api.clock() + timedelta(hours=1)))
    says(step(xxa, "transfer", {**to_green, "quantity": "5"}), "C2006", "reconciliation", tripped)
    with unit_of_work(api.registry.engine) as connection:
        stored_holds.place(connection, ReconciliationHold("R-1", api.clock() - timedelta(hours=1)))
    ok(
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/approval-policies",
            {"kind": "internal_transfer", "four_eyes": True},
        ),
        200,
    )
    asked = done(
        browser_session(api, "xxa.user"), "transfer", {**to_green, "quantity": "5"}, "four-eyes"
    )
    says(form(xxa, f"/approvals/{asked}/approve", {}), "C4012", "transaction", tripped)
    ok(
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/entities/XXA-E0001/status",
            {"status": "suspended", "cooperative_approach": "CA0001"},
        ),
        200,
    )
    says(
        step(
            green,
            "transfer",
            {**green_out, "quantity": "1"},
        ),
        "C3005",
        "units XXA01-",
        tripped,
    )
    says(
        form(xxa, "/incoming-transfers/setting", {"mode": "wait", "acceptance_days": "500"}),
        "C2014",
        "acceptance days",
        tripped,
    )
    says(form(xxa, f"/incoming-transfers/{first}/accept", {}), "C2013", "transaction", tripped)
    waiting = waiting_transfer(world)  # XXA's transfer to XXC, waiting for XXC's acceptance
    says(form(xxa, f"/incoming-transfers/{waiting}/accept", {}), "C2012", "transaction", tripped)
    says(
        form(browser_session(api, "xxc.admin"), f"/approvals/{waiting}/withdraw", {}),
        "C2016",
        "transaction",
        tripped,
    )
    report = {"cooperative_approach": "CA0001", "kind": "initial", "review_reference": "TER/1"}
    says(
        form(xxa, "/initial-reports", {**report, "report_date": "2099-01-01"}),
        "C3011",
        "report date",
        tripped,
    )
    says(
        form(
            browser_session(api, "xxc.admin"),
            "/admin/approval-policies",
            {"kind": "use", "four_eyes": "on"},
        ),
        "C4017",
        "four eyes",
        tripped,
    )
    reset = ok(api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.user/password-reset"), 200)
    api.passwords["xxa.user"] = reset["temporary_password"]
    owing = browser_session(api, "xxa.user")
    sent_away = owing.get("/actions/transfer")
    assert sent_away.status_code == 303 and sent_away.headers["location"] == "/password"
    notice = owing.get("/password")
    assert "C4014" in notice.text and "Choose your own now" in notice.text
    tripped.add("C4014")
    assert sum(holdings(api).values()) == before  # nothing created or lost on the way
    api.clock.moment += timedelta(days=8)  # past the pending request's deadline
    xxa = browser_session(api, "xxa.admin")  # signed in again after the days passed
    says(
        form(xxa, f"/approvals/{pending}/approve", {}),
        "C4008",
        "transaction",
        tripped,
    )

    # Trusted destinations and signed confirmation (XXA's safeguards).
    says(
        form(xxa, "/trusted-destinations", {"change": "add", "account": "not an account"}),
        "C1022",
        "account",
        tripped,
    )
    says(
        form(
            browser_session(api, "xxa.auditor"),
            "/trusted-destinations",
            {"change": "add", "account": world["XXC Party itmo_holding"]},
        ),
        "C4020",
        None,
        tripped,
    )
    switched = form(xxa, "/trusted-destinations", {"change": "set", "signed_confirmation": "on"})
    assert switched.status_code == 303, words_shown(switched)
    page, hidden = preview(xxa, world)
    assert 'name="second_factor_code"' in page
    wrong = {**hidden, "second_factor_code": "000000", "step": "confirm"}
    says(
        form(xxa, "/actions/international-transfer", wrong), "C4021", "second factor code", tripped
    )
    api.clock.moment += timedelta(seconds=30)  # the next code: the last one signed in
    changed = {**hidden, "quantity": "9", "second_factor_code": api.code("xxa.admin")}
    says(
        form(xxa, "/actions/international-transfer", {**changed, "step": "confirm"}),
        "C4022",
        "action digest",
        tripped,
    )

    assert tripped == TRIPPED_HERE - JOINING, sorted(TRIPPED_HERE - JOINING - tripped)


def test_joining_and_delegation_refusals_name_the_field_in_words(world: HttpWorld):
    api = world.api
    tripped: set[str] = set()
    before = sum(holdings(api).values())
    public = TestClient(api.client.app, follow_redirects=False)
    says(public.post("/join", data={**JOIN, "terms_accepted": ""}), "C1024", "terms", tripped)
    application = {
        "name": "Blue Carbon Ltd",
        "country_of_incorporation": "XXA",
        "identification_number": "BC-42",
        "cooperative_approach": "CA0001",
        "contact_email": "registry@bluecarbon.example",
    }
    program = {"documents": ("proof.exe", b"MZ not a document", "application/x-msdownload")}
    says(public.post("/apply/XXA", data=application, files=program), "C1025", "document", tripped)
    bogus = {"password": "a long enough password", "password_again": "a long enough password"}
    says(public.post("/enrolment-link/made-up-link", data=bogus), "C4024", "token", tripped)

    secretariat = browser_session(api, "secretariat.admin")
    form(secretariat, "/section", {"party": "XXA", "next": "/"})
    issue = {"mitigation_activity": world.activity, "vintage": "2024", "quantity": "5"}
    says(step(secretariat, "issue", issue), "C4023", None, tripped)

    assert public.post("/join", data=JOIN).status_code == 200
    listed = secretariat.get("/joining-requests").text
    request_id = re.search(r'data-request="(\d+)"', listed)
    assert request_id
    review = f"/joining-requests/{request_id.group(1)}/review"
    assert form(secretariat, review, {"decision": "open"}).status_code == 200
    says(form(secretariat, review, {"decision": "open"}), "C4025", "request", tripped)
    enrolled = form(secretariat, "/joining-requests/enrolment-links/xxa.admin")
    says(enrolled, "C1033", "user", tripped)

    assert public.post("/apply/XXA", data=application).status_code == 200
    admin = browser_session(api, "xxa.admin")
    number = re.search(r'data-application="(\d+)"', admin.get("/entity-applications").text)
    assert number
    decided = f"/entity-applications/{number.group(1)}/review"
    assert form(admin, decided, {"decision": "approve"}).status_code == 303
    says(form(admin, decided, {"decision": "approve"}), "C4027", "application", tripped)

    suspended = {"status": "suspended", "reason": "audit"}
    ok(api["secretariat.admin"].post("/api/v1/parties/XXA/section-status", suspended), 200)
    says(step(admin, "issue", issue), "C4026", "source account", tripped)
    assert sum(holdings(api).values()) == before
    assert tripped == JOINING, sorted(JOINING - tripped)
