"""Who may call which route: the expected allowed / denied matrix, the source of
`docs/access.md` and of the test that walks every route with every role.

The decisions themselves are taken by `article6.domain.access` (through the services); this
table states what those decisions must add up to, route by route, so a change in either shows.
Party-section routes are exercised in XXA's section; "other section" is XXC's administrator
calling those XXA routes, which must always be denied.
"""

from __future__ import annotations

from dataclasses import dataclass

from article6.domain.access import Delegable

COLUMNS = (
    "anonymous",
    "secretariat",
    "administrator",
    "party_user",
    "entity",
    "auditor",
    "registry_auditor",
    "other_section",
    "delegated_secretariat",
)
TITLES = {
    "anonymous": "not signed in",
    "secretariat": "secretariat administrator",
    "administrator": "Party Section Administrator",
    "party_user": "Party user",
    "entity": "authorized entity's representative",
    "auditor": "auditor (of the section)",
    "registry_auditor": "auditor (registry-wide)",
    "other_section": "another section's administrator",
    "delegated_secretariat": "secretariat administrator, under the Party's delegation",
}

SIGNED = frozenset(COLUMNS) - {"anonymous", "other_section", "delegated_secretariat"}
EVERYONE = frozenset(COLUMNS)
READERS = SIGNED
ADMINS = frozenset({"secretariat", "administrator"})
MOVERS = frozenset({"administrator", "party_user"})
PARTY_OWN = frozenset({"administrator"})
"""The Party's own actions in its section: its administrators, and the secretariat only under
the Party's delegation of that kind (the `delegated_secretariat` column)."""
APPROVERS = frozenset({"administrator"})
SECRETARIAT = frozenset({"secretariat"})
REGISTRY_READERS = frozenset({"secretariat", "registry_auditor"})
NO_ENTITY = READERS - {"entity"}


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    allowed: frozenset[str]
    note: str = ""
    delegation: Delegable | None = None

    def expects(self, column: str) -> bool:
        if column == "delegated_secretariat":
            return self.delegation is not None or "secretariat" in self.allowed
        if column == "other_section":
            if self.allowed is EVERYONE:
                return True
            return "{party}" not in self.path and "administrator" in self.allowed
        return column in self.allowed


P = "/api/v1/parties/{party}"
FROM_PARTY = "from the Party's account; an entity's accounts only by its representatives"
RULES: list[Rule] = [
    # sign-in and the catalogue: open to everyone
    Rule("GET", "/api/v1/health", EVERYONE),
    Rule("GET", "/api/v1/checks", EVERYONE),
    Rule("POST", "/api/v1/session", EVERYONE, "with a valid password and code"),
    Rule("POST", "/api/v1/tokens", EVERYONE, "with a valid password and code"),
    Rule("POST", "/api/v1/enrolment", EVERYONE, "with a valid password, before enrolment"),
    Rule("POST", "/api/v1/enrolment/confirmation", EVERYONE, "with a valid password and code"),
    Rule("POST", "/api/v1/joining-requests", EVERYONE, "a Party asks for a section"),
    Rule("POST", "/api/v1/enrolment-links", EVERYONE, "with a link's token, once, unexpired"),
    # one's own session
    Rule("GET", "/api/v1/me", SIGNED | {"other_section"}),
    Rule("DELETE", "/api/v1/session", SIGNED | {"other_section"}, "ends one's own session"),
    Rule("DELETE", "/api/v1/tokens/current", SIGNED | {"other_section"}, "one's own token"),
    Rule(
        "POST",
        "/api/v1/me/password",
        SIGNED | {"other_section"},
        "one's own, with the current password and code",
    ),
    # one's own notifications and choices
    Rule("GET", "/api/v1/notifications", SIGNED | {"other_section"}, "one's own"),
    Rule("POST", "/api/v1/notifications/read", SIGNED | {"other_section"}, "one's own"),
    Rule(
        "POST",
        "/api/v1/notifications/{notification}/read",
        SIGNED | {"other_section"},
        "one's own; another's is unknown (C1012)",
    ),
    Rule("GET", "/api/v1/notifications/preferences", SIGNED | {"other_section"}, "one's own"),
    Rule("PUT", "/api/v1/notifications/preferences", SIGNED | {"other_section"}, "one's own"),
    # users and roles
    Rule("GET", "/api/v1/users", SECRETARIAT),
    Rule("POST", "/api/v1/users", SECRETARIAT),
    Rule("GET", "/api/v1/users/{user}", SECRETARIAT),
    Rule("PUT", "/api/v1/users/{user}/role", SECRETARIAT, "registry-wide roles"),
    Rule("DELETE", "/api/v1/users/{user}/role", SECRETARIAT),
    Rule("POST", "/api/v1/users/{user}/unlock", SECRETARIAT),
    Rule("POST", "/api/v1/users/{user}/second-factor-reset", SECRETARIAT),
    Rule("POST", "/api/v1/users/{user}/disable", SECRETARIAT, "ends every session and token"),
    Rule("POST", "/api/v1/users/{user}/enable", SECRETARIAT),
    Rule("POST", "/api/v1/users/{user}/password-reset", SECRETARIAT, "a temporary password"),
    Rule(
        "POST",
        "/api/v1/users/{user}/enrolment-link",
        SECRETARIAT,
        "a user not enrolled yet; replaces their link",
    ),
    Rule("GET", P + "/users", ADMINS),
    Rule("POST", P + "/users", ADMINS, "a user with one role of the section"),
    Rule("PUT", P + "/users/{user}/role", ADMINS),
    Rule("DELETE", P + "/users/{user}/role", ADMINS),
    Rule("POST", P + "/users/{user}/unlock", ADMINS),
    Rule("POST", P + "/users/{user}/second-factor-reset", ADMINS),
    Rule("POST", P + "/users/{user}/disable", ADMINS, "a user of the section only"),
    Rule("POST", P + "/users/{user}/enable", ADMINS),
    Rule("POST", P + "/users/{user}/password-reset", ADMINS, "a user of the section only"),
    Rule("POST", P + "/users/{user}/enrolment-link", ADMINS, "a user of the section only"),
    # the registry's world
    Rule("GET", "/api/v1/parties", READERS | {"other_section"}),
    Rule("POST", "/api/v1/parties", SECRETARIAT),
    Rule("GET", "/api/v1/joining-requests", SECRETARIAT),
    Rule(
        "POST", "/api/v1/joining-requests/{request}/review", SECRETARIAT, "once; a decline says why"
    ),
    Rule(
        "POST", P + "/section-status", SECRETARIAT, "closing only once the section holds no units"
    ),
    Rule(
        "POST",
        "/api/v1/mechanism-pulls",
        MOVERS | SECRETARIAT,
        "a Party's users for their own Party's authorizations (C5005)",
    ),
    Rule("GET", "/api/v1/mechanism-pulls", NO_ENTITY, "those of one's scope (C5005)"),
    Rule(
        "GET",
        "/api/v1/mechanism-pulls/{query_id}",
        NO_ENTITY,
        "one's own Party's; another's is unknown (C5005)",
    ),
    Rule("GET", "/api/v1/cooperative-approaches", READERS | {"other_section"}),
    Rule("POST", "/api/v1/cooperative-approaches", SECRETARIAT),
    Rule("GET", P + "/mitigation-activities", READERS),
    Rule("POST", P + "/mitigation-activities", ADMINS),
    Rule("GET", P + "/mitigation-activities/{activity}", READERS),
    Rule("GET", P + "/initial-reports", READERS),
    Rule("POST", P + "/initial-reports", ADMINS, "an update follows the initial report (C3011)"),
    Rule("GET", P + "/authorizations", READERS),
    Rule(
        "POST",
        P + "/authorizations",
        PARTY_OWN,
        "a second record of an ID is a new version",
        Delegable.AUTHORIZATION,
    ),
    Rule("GET", P + "/authorizations/{authorization_id}/versions", READERS),
    Rule("GET", P + "/entities", READERS, "an entity sees only itself"),
    Rule("POST", P + "/entities", ADMINS),
    Rule("GET", P + "/entities/{entity}", READERS, "its own entity, for a representative"),
    Rule("POST", P + "/entities/{entity}/status", ADMINS),
    Rule("POST", P + "/accounts", ADMINS, "for the Party or one of its active entities (C4029)"),
    Rule("POST", P + "/accounts/{account}/status", ADMINS),
    Rule("POST", P + "/approval-policies", ADMINS),
    # a Party's safeguards on units leaving its section (trusted list, signed confirmation)
    Rule("GET", P + "/safeguards", READERS),
    Rule("PUT", P + "/safeguards", APPROVERS, "the section's own administrators only (C4020)"),
    Rule("POST", P + "/trusted-destinations", APPROVERS, "counts after the registry's delay"),
    Rule("DELETE", P + "/trusted-destinations/{account}", APPROVERS),
    Rule("POST", P + "/action-digests", READERS, "computes only; nothing is kept"),
    Rule("POST", P + "/entity-applications", EVERYONE, "an entity applies, with its documents"),
    Rule("GET", P + "/entity-applications", ADMINS),
    Rule(
        "GET",
        P + "/entity-applications/{application}/documents/{document}",
        ADMINS,
        "an attachment, only while its SHA-256 is the journaled one (C1026)",
    ),
    Rule(
        "POST",
        P + "/entity-applications/{application}/review",
        PARTY_OWN,
        "once; a decline says why",
    ),
    Rule("GET", P + "/delegations", READERS),
    Rule("PUT", P + "/delegations/{kind}", PARTY_OWN, "the Party's administrators only"),
    Rule("DELETE", P + "/delegations/{kind}", PARTY_OWN, "the Party's administrators only"),
    # units
    Rule("POST", P + "/issuances", PARTY_OWN, "", Delegable.ISSUANCE),
    Rule("POST", P + "/authorization-links", PARTY_OWN, "", Delegable.AUTHORIZATION),
    Rule("POST", P + "/transfers", MOVERS, FROM_PARTY, Delegable.TRANSFER),
    Rule("POST", P + "/international-transfers", MOVERS, FROM_PARTY, Delegable.TRANSFER),
    Rule("POST", P + "/external-transfers", MOVERS, FROM_PARTY, Delegable.TRANSFER),
    Rule("POST", P + "/uses", MOVERS, "from the Party's account", Delegable.USE),
    Rule("POST", P + "/cancellations", MOVERS, FROM_PARTY, Delegable.CANCELLATION),
    Rule("POST", P + "/first-transfer-records", PARTY_OWN, "", Delegable.FIRST_TRANSFER_RECORD),
    Rule(
        "POST",
        P + "/transactions/{transaction}/approval",
        APPROVERS,
        "not one's own request; under four eyes, an independent person (C4012)",
    ),
    Rule("POST", P + "/transactions/{transaction}/rejection", APPROVERS),
    Rule(
        "POST",
        P + "/transactions/{transaction}/withdrawal",
        frozenset({"entity"}),
        "only the initiating user (here the entity's representative who asked)",
    ),
    Rule("POST", "/api/v1/expiry", SECRETARIAT, "also returns transfers not accepted in time"),
    # the acquiring Party's acceptance of incoming transfers (issue #18)
    Rule("POST", P + "/acceptance-setting", ADMINS),
    Rule("GET", P + "/incoming-transfers", NO_ENTITY),
    Rule(
        "POST",
        P + "/transactions/{transaction}/acceptance",
        APPROVERS,
        "a transfer into the Party's account only; never the transferring Party (C2012)",
    ),
    Rule("POST", P + "/transactions/{transaction}/refusal", APPROVERS, "with a reason"),
    # marks on unit ranges named in an inconsistency
    Rule("POST", "/api/v1/unit-marks", SECRETARIAT, "marked units do not move (C2010)"),
    Rule("POST", "/api/v1/unit-marks/{mark}/lift", SECRETARIAT),
    Rule(
        "GET",
        "/api/v1/unit-marks",
        SIGNED,
        "all for the registry-wide roles; else the marks touching the section's (an entity's:"
        " its own) holdings",
    ),
    # queries
    Rule("GET", P + "/accounts", READERS, "an entity sees its own and the terminal accounts"),
    Rule("GET", P + "/accounts/{account}", NO_ENTITY, "the Party's account"),
    Rule("GET", P + "/holdings", READERS, "an entity's own holdings only"),
    Rule("GET", P + "/blocks", READERS, "an entity's own blocks only"),
    Rule("GET", P + "/transactions", READERS, "an entity's own transactions only"),
    Rule("GET", P + "/transactions/{transaction}", NO_ENTITY, "the Party's issuance"),
    Rule("GET", P + "/transactions.{file_format}", READERS, "an entity's own transactions only"),
    Rule("GET", P + "/holdings.{file_format}", READERS, "an entity's own holdings only"),
    Rule("GET", P + "/first-transfers", READERS),
    Rule(
        "GET",
        P + "/units/{unit}",
        NO_ENTITY,
        "a unit in the Party's account; an entity sees only what moved its accounts",
    ),
    Rule("GET", P + "/journal", NO_ENTITY),
    Rule("GET", "/api/v1/journal", REGISTRY_READERS),
    Rule("GET", "/api/v1/verification", REGISTRY_READERS),
    Rule("GET", "/api/v1/journal/verification", REGISTRY_READERS),
    Rule("POST", "/api/v1/journal/verification", REGISTRY_READERS, "reads only, in the background"),
    # Reports
    Rule("GET", P + "/aef/{year}", NO_ENTITY, "the AEF is the Party's"),
    Rule("GET", P + "/aef/{year}/submissions", NO_ENTITY),
    Rule("POST", P + "/aef/{year}/submissions", ADMINS, "a finished year only"),
    Rule(
        "GET",
        "/api/v1/aef/{year}/consistency",
        REGISTRY_READERS,
        "every Party's AEF: the CARP's consistency checks",
    ),
    Rule("GET", P + "/adjustments/{year}", NO_ENTITY, "as the Party's AEF, from its Table 3"),
    Rule("GET", P + "/accounts/{account}/statement", NO_ENTITY, "the Party's account"),
    Rule("GET", P + "/transactions/{transaction}/certificate", NO_ENTITY, "the Party's issuance"),
    Rule("GET", "/api/v1/public/parties", EVERYONE, "the Parties with a public report"),
    Rule("GET", "/api/v1/public/parties/{party}", EVERYONE, "the public report"),
]


def rule_for(method: str, path: str) -> Rule | None:
    for rule in RULES:
        if rule.method == method and rule.path == path:
            return rule
    return None


def markdown() -> str:
    """docs/access.md."""
    lines = [
        "# Access matrix",
        "",
        "Who may call each route of `/api/v1`. Generated from"
        " `src/article6/api/access_matrix.py` (`python -m article6.api.access_matrix >"
        " docs/access.md`); `tests/api/test_access_matrix.py` walks every route with every"
        " role and checks each cell.",
        "",
        "Roles are held for a Party section (the secretariat's, and optionally an auditor's, for"
        " the whole registry). Section routes are shown as exercised in XXA's section; the last"
        " column is XXC's administrator calling those XXA routes. ✓ allowed, ✗ denied (401 when"
        " not signed in, otherwise 403 with check C4002, C4006 or C4023). The decisions are"
        " taken in one place, `article6.domain.access`.",
        "",
        "Who acts, whatever the door (API, web, command line):",
        "",
        "- The secretariat administers the registry (Parties and sections, users' first"
        " enrolment, reconciliation, the hub) but a Party's own actions in its section (issuing,"
        " recording authorizations and linking units to them, transferring, using, cancelling,"
        " recording first transfers) are the Party's: the secretariat does one only if the"
        " Party's administrator has delegated that kind to it (C4023), and only as the Party's"
        " administrator could. Each delegation is recorded, journaled and revocable; a"
        ' transaction done under one names it (`under_delegation`). The column "under the'
        " Party's delegation\" shows the secretariat once XXA has delegated every kind.",
        "- Units leave an authorized entity's accounts only at the request of that entity's"
        " representatives, and the Party approves; a Party's users and administrators move"
        " units from the Party's accounts only (C4002 on `source_account`). A use or"
        " cancellation names as its entity the entity whose representative asked.",
        "- An approver is never the user who asked, compared by user, not by the role either"
        " holds now (C4002); only that user withdraws the request (a transfer waiting for the"
        " acquiring Party's acceptance, or for another registry's answer, is withdrawn by that"
        " user or an administrator of the transferring Party, never the acquiring one: C2016)."
        " Under a four-eyes policy"
        " (a request from the Party's own account) the approver must also be independent of"
        " the initiator (C4012): not someone whose account the initiator created, directly or"
        " through others; not someone who created the initiator's account, directly or through"
        " others (the creator sets an account's first password); and not someone created by"
        " the same person as the initiator. Creators are followed up to, not including, a"
        " holder of the secretariat's role or the installer; so a section's four eyes need two"
        " administrators the secretariat created, or one each made by them. An entity's request"
        " is approved by any administrator of its Party other than the one who asked.",
        "- A Party Section Administrator manages (grants, revokes, unlocks, resets, disables,"
        " enables) only the"
        " users of their own section: users whose roles are all in that section, or, holding"
        " none, whose creator's roles are (C4006).",
        "- An entity's representative sees only the transactions into or out of its entity's"
        " accounts (every one it asked for included), and a unit's history only for a unit in"
        " its accounts or one it moved into a use or cancellation account.",
        "- Pull and view of the Article 6.4 mechanism registry (web page `/mechanism`, API"
        " `/api/v1/mechanism-pulls`): the"
        " secretariat pulls for every Party's authorizations or one Party's; a Party's"
        " administrators and users pull for their own Party's only; auditors view the pulls of"
        " their scope and pull none; entities' representatives neither pull nor view (C5005).",
        "",
        "A user whose password an administrator reset signs in only to change it: until they"
        " have, every route that needs a sign-in answers 403 with check C4014, except"
        " `POST /api/v1/me/password`, `DELETE /api/v1/session` and"
        " `DELETE /api/v1/tokens/current` (`tests/api/test_passwords.py` walks every route).",
        "",
        "| route | " + " | ".join(TITLES[c] for c in COLUMNS) + " | note |",
        "|---|" + "---|" * (len(COLUMNS) + 1),
    ]
    for rule in RULES:
        cells = " | ".join("✓" if rule.expects(c) else "✗" for c in COLUMNS)
        lines.append(f"| `{rule.method} {rule.path}` | {cells} | {rule.note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
