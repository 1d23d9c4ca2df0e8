"""The numbered business checks (RULES.md 9.5): the public error codes of the registry.

Every refusal names one of these codes and the field or block it concerns. Codes are stable:
a code is never reused for another meaning. `docs/checks.md` is generated from this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from article6.domain.wording import words


class Check(Enum):
    """Each member is (code, short title, what it guards)."""

    # Format and data (C1xxx)
    C1001 = (
        "C1001",
        words("Party code"),
        words("A Party code is three capital letters and is registered."),
    )
    C1002 = (
        "C1002",
        words("Cooperative approach"),
        words("A cooperative approach ID is CA + 4 digits and is registered."),
    )
    C1003 = (
        "C1003",
        words("Registry ID"),
        words("A registry ID is the Party code + 2 digits and its prefix is that Party."),
    )
    C1004 = (
        "C1004",
        words("Authorization ID"),
        words(
            "An authorization ID is the Party's own reference (such as 1006.4/2810): 1 to 64 printable characters (the stored column's width), no control character, no whitespace at either end; a version is a positive integer."
        ),
    )
    C1005 = (
        "C1005",
        words("Quantity and range"),
        words(
            "A quantity is a positive whole number within the registry's limit; a serial range has first <= last; a quantity given with serial ranges is the number of units they hold."
        ),
    )
    C1006 = (
        "C1006",
        words("Vintage"),
        words("A vintage is a year from 2021 onward and not in the future."),
    )
    C1007 = (
        "C1007",
        words("Controlled vocabulary"),
        words(
            "A value of a controlled list (purpose, sector, activity type, metric, ...) is one of the nomenclature's values."
        ),
    )
    C1008 = (
        "C1008",
        words("Non-GHG metric"),
        words("A non-GHG metric and its quantity are given if and only if the metric is non-GHG."),
    )
    C1009 = (
        "C1009",
        words("Dates and periods"),
        words(
            "Dates are valid, and a period's first year is not after its last; a date of authorization is from 2021 (decision 2/CMA.3) and not after today."
        ),
    )
    C1010 = (
        "C1010",
        words("Idempotency key reused"),
        words("An idempotency key already used for a different request cannot be reused."),
    )
    C1011 = (
        "C1011",
        words("Required text"),
        words("A required text is present and within its length limit."),
    )
    C1012 = (
        "C1012",
        words("Unknown record"),
        words("The mitigation activity, entity, account or transaction named exists."),
    )
    C1013 = (
        "C1013",
        words("Request body"),
        words(
            "A request body is well-formed JSON and every value in it has a type the registry accepts."
        ),
    )
    C1014 = (
        "C1014",
        words("Request size"),
        words("A request body stays within the registry's size limit."),
    )
    C1015 = (
        "C1015",
        words("Content type"),
        words("A request body is sent as application/json."),
    )
    C1016 = (
        "C1016",
        words("Request nesting"),
        words("A request body nests arrays and objects at most 16 levels deep."),
    )
    C1017 = (
        "C1017",
        words("Request origin"),
        words("A sign-in form is posted from the registry's own pages, never from another site."),
    )
    C1018 = (
        "C1018",
        words("AEF file placed"),
        words(
            "An AEF file given to the consistency checks is readable and its Table 1 names the Party, the reported year and the version."
        ),
    )
    C1019 = (
        "C1019",
        words("Reported year"),
        words(
            "A reported year is a calendar year from 2021 (the first year of Article 6.2 reporting) to the current year."
        ),
    )
    C1020 = (
        "C1020",
        words("Unit to find"),
        words(
            "A unit is looked up by its serial number (1000042), its registry and serial (XXA01-1000042) or its unique identifier."
        ),
    )
    C1022 = (
        "C1022",
        words("Trusted destination"),
        words(
            "A trusted destination is an account number (the registry's code, a hyphen, then capital letters and digits) of another Party section or of another registry, never of the section's own; it is added once and removed only while on the list."
        ),
    )
    C1024 = (
        "C1024",
        words("Terms of participation"),
        words(
            "A request to join accepts the registry's terms in their current version, names a focal point with an e-mail address and at least one Party Section Administrator."
        ),
    )
    C1025 = (
        "C1025",
        words("Attached document"),
        words(
            "An attached document has a name, a known type and at most the registry's size limit; its SHA-256 digest is journaled."
        ),
    )
    C1026 = (
        "C1026",
        words("Document integrity"),
        words(
            "A stored document is served only while its SHA-256 digest is the one journaled when it was attached; a document that differs is refused and the refusal journaled."
        ),
    )
    C1027 = (
        "C1027",
        words("Language"),
        words(
            "A language chosen for the pages and e-mails is one the registry is translated into"
            " (en, fr, es, ar)."
        ),
    )
    C1033 = (
        "C1033",
        words("New enrolment link"),
        words(
            "A new enrolment link goes to an enabled user who has not enrolled a second factor yet; it replaces the user's previous link."
        ),
    )
    # Units and blocks (C2xxx)
    C2001 = (
        "C2001",
        words("Units held"),
        words(
            "The units exist in this registry and are held, unreserved, in the transferring account."
        ),
    )
    C2002 = (
        "C2002",
        words("Units available"),
        words("Units that are used, cancelled or reserved by a pending transaction cannot move."),
    )
    C2003 = (
        "C2003",
        words("Serial overlap"),
        words("A serial range never overlaps another range of the same originating registry."),
    )
    C2004 = (
        "C2004",
        words("Homogeneous units"),
        words(
            "The units match the account's cooperative approach and the command's unit attributes."
        ),
    )
    C2005 = (
        "C2005",
        words("Duplicate incoming units"),
        words("Incoming units are not already present in this registry."),
    )
    C2006 = (
        "C2006",
        words("Reconciliation in progress"),
        words(
            "While a reconciliation holds the registry (from the hub's request for totals until its result, an hour at most), every transaction is refused and the hub refuses transfers to or from it; queries go on."
        ),
    )
    C2007 = (
        "C2007",
        words("Blocks per transaction"),
        words("A transaction moves at most the registry's limit of unit blocks."),
    )
    C2008 = (
        "C2008",
        words("Journal checkpoint in order"),
        words(
            "A registry's signed journal checkpoint never goes back to an earlier entry nor gives another hash for an entry already checkpointed (a fork); the hub keeps such a checkpoint as evidence and flags it."
        ),
    )
    C2009 = (
        "C2009",
        words("Journal checkpoint signature"),
        words(
            "A journal checkpoint is signed with the registry's own key, and the journal still passes through it: its entry at that number has that hash."
        ),
    )
    C2010 = (
        "C2010",
        words("Marked units"),
        words(
            "Units in a range the secretariat marked after a consistency check (or a notice from the hub or a file) cannot be transferred, used, cancelled or first transferred until the mark is lifted; a quantity without ranges takes unmarked units when there are enough."
        ),
    )
    C2011 = (
        "C2011",
        words("Unit mark"),
        words(
            "A mark names a code of the CARP's consistency checks (II01-II07, STC01-STC04, ISC01-ISC04, IRC01, IPC01, IP01-IP04, DR01-DR04), an originating registry (Party code + 2 digits, or A64), a serial range with first <= last and its source (check, hub or file); only a mark that exists and is not lifted can be lifted."
        ),
    )
    C2012 = (
        "C2012",
        words("Acceptance by the acquiring Party"),
        words(
            "A transfer waiting for the acquiring Party's acceptance is accepted or refused only by an administrator of the acquiring Party's section, never by the transferring Party; a refusal gives its reason."
        ),
    )
    C2013 = (
        "C2013",
        words("Transfer awaiting acceptance"),
        words(
            "Only a transfer still waiting for acceptance is accepted, refused or returned; it is accepted or refused until its acceptance deadline, and returned to the transferring account only after it."
        ),
    )
    C2014 = (
        "C2014",
        words("Acceptance setting"),
        words(
            "A Party accepts incoming transfers automatically, or has them wait for its acceptance a whole number of days from 1 to 90."
        ),
    )
    C2015 = (
        "C2015",
        words("Withdrawal of a transfer awaiting acceptance"),
        words(
            "A transfer is withdrawn only while it waits for the acquiring side: in this registry the acquiring Party's acceptance, across registries the acquiring registry's answer; once accepted it is no longer withdrawn, and across registries the hub decides which came first."
        ),
    )
    C2016 = (
        "C2016",
        words("Who withdraws a transfer"),
        words(
            "A transfer waiting for the acquiring side is withdrawn only by the transferring Party: the user who initiated it or an administrator of its section, never the acquiring Party."
        ),
    )
    # Authorization (C3xxx)
    C3001 = (
        "C3001",
        words("Authorized units"),
        words(
            "Units need a linked authorization before any first transfer; unauthorized MOs cannot leave the ARS."
        ),
    )
    C3002 = (
        "C3002",
        words("Authorization in force"),
        words(
            "The authorization exists, belongs to the Party and cooperative approach, and is not revoked."
        ),
    )
    C3003 = (
        "C3003",
        words("Purpose"),
        words(
            "NDC use needs an NDC purpose; IMP use an IMP or OIMP purpose; OP cancellation an OP or OIMP purpose."
        ),
    )
    C3004 = (
        "C3004",
        words("Authorized Party"),
        words("The acquiring Party is one the authorization names, when it names any."),
    )
    C3005 = (
        "C3005",
        words("Authorized entity"),
        words(
            "An entity acts only while authorized and active for the cooperative approach, and only if the authorization admits it."
        ),
    )
    C3006 = (
        "C3006",
        words("Authorized timeframe"),
        words("The vintage lies within the authorization's timeframe, when it has one."),
    )
    C3007 = (
        "C3007",
        words("Authorized quantity"),
        words("Units linked to an authorization never exceed its authorized quantity."),
    )
    C3008 = (
        "C3008",
        words("First transfer"),
        words(
            "Each unit is first transferred exactly once, at the event the authorization defines."
        ),
    )
    C3009 = (
        "C3009",
        words("Authorization change"),
        words(
            "A new version keeps the authorization's cooperative approach and Party, is not dated before the version it changes, and cannot lower the quantity below what is linked."
        ),
    )
    C3010 = (
        "C3010",
        words("Initial report before first transfer"),
        words(
            "A first transfer under a cooperative approach whose initial report is not recorded is warned about, or refused when the registry is set to refuse."
        ),
    )
    C3011 = (
        "C3011",
        words("Initial report record"),
        words(
            "An initial report names a cooperative approach the Party participates in, a date not in the future, and a reference to the technical expert review report; an update is dated after the report it updates."
        ),
    )
    # Accounts and actors (C4xxx)
    C4001 = (
        "C4001",
        words("Account"),
        words(
            "The accounts exist and are open, and the acquiring account may receive these units."
        ),
    )
    C4002 = (
        "C4002",
        words("Who may act"),
        words(
            "The user's role allows the action, an entity's representative acts only on that entity's accounts, and the approver of a transaction is not its initiator."
        ),
    )
    C4003 = (
        "C4003",
        words("Party-only action"),
        words(
            "Only the Party itself (not an entity) uses units towards its NDC or administers its section."
        ),
    )
    C4004 = (
        "C4004",
        words("Party participation"),
        words("Both Parties participate, actively, in the cooperative approach."),
    )
    C4005 = (
        "C4005",
        words("Connected registry"),
        words("Transfers go only to registered, connected registries."),
    )
    C4006 = (
        "C4006",
        words("Party section"),
        words("An actor reads and acts only within their own Party section."),
    )
    C4007 = (
        "C4007",
        words("Transaction state"),
        words("The transaction is in a state that allows this step."),
    )
    C4008 = (
        "C4008",
        words("Approval expired"),
        words("A pending transaction past its deadline can no longer be approved."),
    )
    C4009 = (
        "C4009",
        words("Sign-in"),
        words(
            "A user signs in with their name, password and a current second-factor code; a session or token is valid, unexpired and not revoked."
        ),
    )
    C4010 = (
        "C4010",
        words("Sign-in throttled"),
        words(
            "Repeated failed sign-ins are slowed down and then locked for a while; every failure is journaled."
        ),
    )
    C4011 = (
        "C4011",
        words("Cross-site request"),
        words(
            "A state-changing request made with a browser session carries the session's CSRF token."
        ),
    )
    C4012 = (
        "C4012",
        words("Four eyes: independent people"),
        words(
            "Under a four-eyes policy the approver is not the initiator, nor anyone who created the initiator's account or whose account the initiator created, directly or through others, nor anyone created by the same person (the secretariat excepted)."
        ),
    )
    C4013 = (
        "C4013",
        words("Signing key announcement"),
        words(
            "A registry announces a new signing key only for itself, in a message signed with its current key, naming that key as the one it follows, with the new key's own signature over the announcement (proof that the registry holds it), a key it never used before, valid from no earlier than the key it follows."
        ),
    )
    C4014 = (
        "C4014",
        words("Password change required"),
        words(
            "A user whose password an administrator reset may only change it (and sign out) until they have."
        ),
    )
    C4015 = (
        "C4015",
        words("Password policy"),
        words(
            "A password has 12 to 128 characters, is neither the user name nor the password it replaces, and is typed the same twice where a form asks for it twice."
        ),
    )
    C4016 = (
        "C4016",
        words("Password change"),
        words(
            "A password is changed with the current password and a current second-factor code; a wrong one counts as a failed sign-in."
        ),
    )
    C4017 = (
        "C4017",
        words("Four eyes: two approvers"),
        words(
            "A four-eyes policy is switched on only for a section where at least two people may approve (its Party Section Administrators, not disabled); with fewer, its requests could only expire."
        ),
    )
    C4018 = (
        "C4018",
        words("Disable or enable a user"),
        words(
            "An administrator disables a user who is enabled and enables one who is disabled; nobody disables themselves."
        ),
    )
    C4020 = (
        "C4020",
        words("Trusted destinations"),
        words(
            "Only a Party Section Administrator keeps the section's trusted destinations and its safeguards; while the list is on, a transfer to an account outside it and outside the section waits for an administrator's approval, and an addition counts only after the registry's delay."
        ),
    )
    C4021 = (
        "C4021",
        words("Signed confirmation: code"),
        words(
            "Where the Party requires signed confirmation, a transfer, use, cancellation or approval is confirmed with the user's current second-factor code, which is accepted once only."
        ),
    )
    C4022 = (
        "C4022",
        words("Signed confirmation: the action confirmed"),
        words(
            "The code confirms the digest of the exact action previewed (accounts, units, quantity, purpose); a request that differs from what was previewed is refused."
        ),
    )
    C4023 = (
        "C4023",
        words("Delegation"),
        words(
            "The secretariat issues, records authorizations, transfers, uses, cancels or records first transfers in a Party's section only for the kinds of action that Party has delegated to it (and not revoked); only the Party's own administrator delegates or revokes."
        ),
    )
    C4024 = (
        "C4024",
        words("Enrolment link"),
        words("An enrolment link is used once, before it expires, by the person it was sent to."),
    )
    C4025 = (
        "C4025",
        words("Joining request"),
        words(
            "A Party's request to join is reviewed once, for a Party without a section, and a declined request says why."
        ),
    )
    C4026 = (
        "C4026",
        words("Section status"),
        words(
            "A suspended section moves no units out and records no new transaction; a closed section does nothing; a section is closed only when it holds no units."
        ),
    )
    C4027 = (
        "C4027",
        words("Entity application"),
        words(
            "An entity's application to a Party is reviewed once, by that Party's administrator, and a declined application says why."
        ),
    )
    C4028 = (
        "C4028",
        words("One's own roles"),
        words(
            "Nobody grants or revokes a role of their own: another administrator does, so no one widens or drops their own access."
        ),
    )
    C4029 = (
        "C4029",
        words("Opening an account"),
        words(
            "An administrator opens, in their own section, an account of a kind the registry has, for the Party or for one of its entities authorized and active for the cooperative approach; use and cancellation accounts are the Party's, and a holder has one account of each kind per cooperative approach."
        ),
    )
    # Action-specific (C5xxx)
    C5001 = (
        "C5001",
        words("NDC year"),
        words("The year of NDC use lies within the Party's NDC implementation period."),
    )
    C5002 = (
        "C5002",
        words("Terminal account"),
        words("Nothing ever leaves a use or cancellation account."),
    )
    C5003 = (
        "C5003",
        words("Article 6.4 units"),
        words(
            "A6.4ER units arrive authorized and first transferred, from the mechanism registry only."
        ),
    )
    C5004 = (
        "C5004",
        words("Purpose of cancellation"),
        words("A use for IMP or a cancellation for OP names its purpose (for example CORSIA)."),
    )
    C5005 = (
        "C5005",
        words("Pull from the 6.4 registry"),
        words(
            "A Party's users pull the A6.4ER holdings and history of their own Party's authorizations only; the secretariat pulls registry-wide."
        ),
    )
    # Interoperability protocol and the hub (C6xxx)
    C6001 = (
        "C6001",
        words("Message schema"),
        words(
            "A protocol message is well-formed and matches the JSON Schema of its type and protocol version."
        ),
    )
    C6002 = (
        "C6002",
        words("Known sender"),
        words("The sending registry is in the receiver's directory and connected."),
    )
    C6003 = (
        "C6003",
        words("Message signature"),
        words(
            "A message carries a valid Ed25519 signature by the sending registry's key over its envelope and body."
        ),
    )
    C6004 = (
        "C6004",
        words("Replayed message"),
        words(
            "A message id is processed once; a repeated message is acknowledged and changes nothing."
        ),
    )
    C6005 = (
        "C6005",
        words("Message age"),
        words(
            "A message is accepted only within its validity window: not expired and not sent from the future."
        ),
    )
    C6006 = (
        "C6006",
        words("Addressee"),
        words("A message is processed only by the registry it is addressed to."),
    )
    C6007 = (
        "C6007",
        words("Protocol version"),
        words("The message's major protocol version is one the receiver implements."),
    )
    C6008 = (
        "C6008",
        words("Mechanism registry's signature"),
        words(
            "An answer from the Article 6.4 mechanism registry carries a valid Ed25519 signature by that registry's key over what it attests."
        ),
    )
    C6009 = (
        "C6009",
        words("Answer to this request"),
        words(
            "An answer names a request this registry sent and is still waiting for, is addressed to this registry, and echoes the query exactly as asked."
        ),
    )
    C6101 = (
        "C6101",
        words("Units in the transferring registry"),
        words(
            "The units are recorded in the transferring registry, or are units it issued itself that no registry has reported before."
        ),
    )
    C6102 = (
        "C6102",
        words("Units not used or cancelled"),
        words(
            "The units are not used, cancelled, or in another pending transfer between registries."
        ),
    )
    C6103 = (
        "C6103",
        words("Units in one registry"),
        words("No unit of a proposal is recorded in any registry other than the transferring one."),
    )
    C6104 = (
        "C6104",
        words("Authorized transfer"),
        words(
            "The units' authorization is in force and allows their transfer to the acquiring Party."
        ),
    )
    C6105 = (
        "C6105",
        words("Transfer deadline"),
        words(
            "A transfer between registries not completed by its deadline is cancelled and its units released."
        ),
    )
    C6106 = (
        "C6106",
        words("Transaction known"),
        words(
            "A response or status concerns a transaction the recipient knows, in a state that allows it."
        ),
    )
    C6107 = (
        "C6107",
        words("Own transaction"),
        words(
            "A registry proposes only under its own transaction ids and asks the hub only about transactions it sends or acquires; an id the hub does not know is unknown to anyone else."
        ),
    )
    C6108 = (
        "C6108",
        words("Hub operator"),
        words(
            "An administrative request to the hub is signed by a hub operator's key the hub is configured with, is fresh, and is never replayed."
        ),
    )
    C6109 = (
        "C6109",
        words("Reconciliation frequency"),
        words(
            "A reconciliation starts only when none is in progress and the last one started at least the hub's minimum interval ago."
        ),
    )
    C6112 = (
        "C6112",
        words("Queries to the 6.4 registry"),
        words(
            "The hub forwards a query only from the registry that names itself as asking (a Party registry for its own Parties), to the connected mechanism registry, and an answer only from that registry to the registry that asked, once."
        ),
    )
    C6113 = (
        "C6113",
        words("Fresh answer"),
        words(
            "An answer from the mechanism registry was made after its request and at most its validity period before it arrives."
        ),
    )
    C6114 = (
        "C6114",
        words("Answer size"),
        words(
            "An answer holds no more blocks than its query allows and no more actions than the protocol's bound, and its attested part is within the size limit."
        ),
    )
    C6115 = (
        "C6115",
        words("Hold for acceptance"),
        words(
            "The hub takes a hold for acceptance only from the registry acquiring the transfer, for the acquiring Party the proposal names, while the transfer is checked and not yet answered."
        ),
    )
    C6116 = (
        "C6116",
        words("Deadline of a hold for acceptance"),
        words(
            "A hold for acceptance ends later than the transfer's deadline in force, in the future, and at most the hub's bound after the proposal's own deadline."
        ),
    )
    C6117 = (
        "C6117",
        words("Withdrawal across registries"),
        words(
            "The hub takes a withdrawal only from the registry transferring the units, while the acquiring registry has not accepted the transfer."
        ),
    )
    C6118 = (
        "C6118",
        words("Key rotation of a registry"),
        words(
            "A registry takes another registry's new key only as the hub forwards it, following the key it holds for that registry, proven by the new key's own signature, and valid from a time not before the key it follows."
        ),
    )
    C6119 = (
        "C6119",
        words("Answer about where units are"),
        words(
            "The hub's answer to a question about where units are replies to that question, names its asker and answers each range asked, once, in order, with no range outside it."
        ),
    )
    C6120 = (
        "C6120",
        words("The hub's signed answer"),
        words(
            "An answer about where units are is a fresh message from the hub, addressed to the registry that asked and signed with the hub's key this registry holds."
        ),
    )
    C6121 = (
        "C6121",
        words("Whole history of a page"),
        words(
            "A page from the 6.4 registry that does not say its history was cut short carries every action on its serials: followed in order, the actions lead each range it holds from its issuance to the account and state it is held in."
        ),
    )
    C6122 = (
        "C6122",
        words("Actions of a page"),
        words(
            "Every action a page from the 6.4 registry lists moved serials of that page, and is listed once."
        ),
    )

    # History import (C7xxx)
    C7001 = (
        "C7001",
        words("History file readable"),
        words(
            "A history file is an AEF workbook, CSV directory or JSON document, or JSON lines in the documented format, readable whole; a problem names the file and its sheet and cell or line."
        ),
    )
    C7002 = (
        "C7002",
        words("History file valid"),
        words(
            "Every AEF of a history passes the AEF validation (fields, vocabularies, dates, identifiers), named by sheet and cell."
        ),
    )
    C7003 = (
        "C7003",
        words("History of the Party"),
        words(
            "Every file of a history is the importing Party's AEF, and the Party has a section in this registry."
        ),
    )
    C7004 = (
        "C7004",
        words("One AEF per year"),
        words(
            "A history gives one AEF per reported year, the years consecutive, none already submitted or imported here."
        ),
    )
    C7005 = (
        "C7005",
        words("Continuity of holdings"),
        words(
            "Each year's holdings are the previous year's holdings plus that year's actions (ISC01-ISC04), and nothing leaves before it arrived."
        ),
    )
    C7006 = (
        "C7006",
        words("Identifiers unique"),
        words(
            "No two held ranges of a history overlap, and no imported transaction or unit identifier is already recorded in this registry."
        ),
    )
    C7007 = (
        "C7007",
        words("Units held once"),
        words(
            "No unit held at the end of a history is held in this registry by another Party's section or recorded as in a connected registry."
        ),
    )
    C7008 = (
        "C7008",
        words("History precedes live actions"),
        words(
            "An imported period ends before the Party section's first live action; live actions stay dated by the registry's clock."
        ),
    )
    C7009 = (
        "C7009",
        words("History on request"),
        words(
            "Only the secretariat imports a history, on the Party's request, whose reference is recorded."
        ),
    )
    C7010 = (
        "C7010",
        words("Detail of held units"),
        words(
            "Held units get the attributes a block needs (sector, mitigation activity, account) from the history's Table 2 or its JSON lines, and their account is the Party's."
        ),
    )
    C7011 = (
        "C7011",
        words("Imported authorized entity"),
        words(
            "Each entity of a history's Table 5 has a name, a country of incorporation, an identification number and a cooperative approach of the Party; an entity recorded here under the same name has the same country and identification number."
        ),
    )
    C7012 = (
        "C7012",
        words("Units held in no other registry"),
        words(
            "Before a history is recorded the hub is asked whether any unit it holds is held or issued in another registry; none may be, and an import the hub could not be asked about is refused unless the secretariat chose, journaled, to record it without asking."
        ),
    )

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def title(self) -> str:
        return self.value[1]

    @property
    def rule(self) -> str:
        return self.value[2]


@dataclass(frozen=True)
class Refusal:
    """One failed check, with the field or block it concerns and a sentence for people."""

    check: Check
    field: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {
            "check": self.check.code,
            "title": self.check.title,
            "field": self.field,
            "detail": self.detail,
        }


class CommandRefused(Exception):
    """A command failed one or more checks and changed nothing."""

    def __init__(self, refusals: list[Refusal], retry_after: int | None = None) -> None:
        if not refusals:
            raise ValueError("a refusal needs at least one failed check")
        self.refusals = refusals
        self.retry_after = retry_after  # seconds, when waiting would change the answer
        super().__init__("; ".join(f"{r.check.code} {r.field}: {r.detail}" for r in refusals))

    @property
    def codes(self) -> list[str]:
        return [r.check.code for r in self.refusals]


def refuse(check: Check, field: str, detail: str) -> CommandRefused:
    return CommandRefused([Refusal(check, field, detail)])


def catalogue_markdown() -> str:
    """The checks catalogue as Markdown, the source of docs/checks.md."""
    lines = [
        "# Numbered checks",
        "",
        "Every refused command names one or more of these codes and the field or block concerned.",
        "The catalogue is generated from `src/article6/domain/checks.py` (`article6 checks`).",
        "",
        "| code | check | rule |",
        "|---|---|---|",
    ]
    lines += [f"| {c.code} | {c.title} | {c.rule} |" for c in Check]
    return "\n".join(lines) + "\n"
