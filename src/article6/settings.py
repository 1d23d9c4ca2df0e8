"""The registry's settings, read from `ARTICLE6_*` environment variables by pydantic-settings.

Outside development it fails closed: the server refuses to start with the development secret,
cheap password hashing or insecure cookies. A value that does not parse is refused with the
variable's name, before anything starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEVELOPMENT_SECRET = "article6-development-secret-do-not-use-in-production"
PREFIX = "ARTICLE6_"


class InsecureSettings(RuntimeError):
    """A setting that is only acceptable in development was used elsewhere."""


class InvalidSetting(ValueError):
    """An `ARTICLE6_*` variable whose value is not one the setting can take."""


def _secure_outside_development(values: dict[str, Any]) -> bool:
    return bool(values["environment"] != "development")


class Settings(BaseSettings):
    """Each field is read from `ARTICLE6_<FIELD>`; an empty variable counts as unset."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_ignore_empty=True,
        frozen=True,
        extra="ignore",
        use_attribute_docstrings=True,
    )

    # Each field's docstring is its meaning in docs/operations.md (`article6 settings`).
    environment: str = "development"
    """`development`, or anything else (`production`), where the development defaults below
    are refused at start."""
    secret_key: str = DEVELOPMENT_SECRET
    """Signs sessions and CSRF tokens: a random value of at least 32 characters outside
    development. A secret: give it in the environment file."""
    cookie_secure: bool = Field(default_factory=_secure_outside_development)
    """Cookies only over HTTPS; on unless in development, where the site is plain HTTP, and
    refused off elsewhere."""
    session_minutes: int = Field(default=8 * 60, ge=1)
    """How long a browser session lasts."""
    token_minutes: int = Field(default=60, ge=1)
    """How long an API bearer token lasts."""
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    """The largest request body the API and the pages read (C1014)."""
    throttle_after: int = Field(default=3, ge=1)
    """Failed sign-ins of one name before each further attempt is slowed down."""
    lock_after: int = Field(default=10, ge=1)
    """Failed sign-ins of one name before it is locked."""
    lock_minutes: int = Field(default=30, ge=1)
    """How long a locked name stays locked."""
    address_throttle_after: int = Field(default=20, ge=1)
    """Failed sign-ins from one client address (an IPv6 /64), across every name it tries,
    within the window before it slows down like one name; never locked (a whole office may
    share the address)."""
    address_window_minutes: int = Field(default=60, ge=1)
    """The window in which a client address's failed sign-ins are counted."""
    issuer: str = "article6"
    """The issuer an authenticator app shows beside the second factor's code."""
    password_cost: str = "standard"
    """`standard` (argon2id, RFC 9106 low-memory profile) or `test` (cheapest; development
    only)."""
    checkpoint_path: str | None = None
    """Where signed journal checkpoints are appended (a file, or a directory for
    journal-checkpoints.jsonl): somewhere the database's administrators cannot rewrite."""
    checkpoint_minutes: int = Field(default=60, ge=0)
    """The serve loop signs the journal's head this often (when it moved); 0 turns it off."""
    read_database_url: str | None = None
    """A read replica (a streaming standby's URL) for the public report, statements, AEF
    drafts and unit search, which then show how far behind it is; unset, they read the
    database. Holds a password if the URL does."""
    temporary_password_hours: int = Field(default=72, ge=1)
    """How long a temporary password from an administrator's reset opens the change; after
    that it is refused like a wrong password and the user needs another reset."""
    enrolment_link_hours: int = Field(default=72, ge=1)
    """How long an enrolment link sent to a new Party's nominated administrator may be used
    (once); after that the secretariat sends another."""
    public_url: str | None = None
    """The registry's address as its users reach it (`https://registry.example.org`): the
    enrolment links e-mailed start with it; unset, a page's or API call's own address is used,
    and the command line cannot e-mail a link (it prints it instead)."""
    max_document_bytes: int = Field(default=512 * 1024, ge=1)
    """The largest document an entity attaches to its application to a Party (C1025)."""
    metrics_token: str | None = None
    """The bearer token the monitoring system presents to scrape /metrics; unset, /metrics
    is open in development only. A secret."""
    log_format: Literal["json", "text"] = "json"
    """The server's log lines: `json` (one object a line, with the request id) or `text`."""
    smtp_host: str | None = None
    """The SMTP server notifications chosen by e-mail are sent through; unset, no e-mail is sent
    (notifications stay in the registry's inbox)."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    """The SMTP server's port."""
    smtp_from: str = "registry@localhost"
    """The sender address of the notifications' e-mail."""
    smtp_tls: str = "starttls"
    """`starttls` (upgrade on the submission port), `tls` (implicit TLS, usually port 465) or
    `none` (a local relay only; refused with a password outside development)."""
    smtp_user: str | None = None
    """The SMTP user name, when the server asks for one."""
    smtp_password: str | None = None
    """The SMTP password, sent only over TLS outside development. A secret."""
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    """How long one SMTP connection may wait."""
    trusted_destination_delay_hours: int = Field(default=7 * 24, ge=0)
    """How long after a Party Section Administrator adds a trusted destination it starts to
    count (7 days, as in the EU registry); until then transfers to it wait for approval as to
    any account off the list. 0 (for a demonstration or tests) makes an addition count at
    once."""
    notification_seconds: float = Field(default=10.0, ge=0)
    """The serve loop projects notifications from the journal and sends the e-mails due this
    often; 0 turns it off (`article6 notifications deliver` from cron then does it)."""

    first_transfer_without_initial_report: Literal["warn", "refuse"] = "warn"
    """A first transfer under a cooperative approach whose initial report the Party has not
    recorded: `warn` completes it with a warning (C3010) on the receipt, `refuse` refuses it."""

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Values given in code, then the environment (the process's, or the mapping
        `from_env` was given); no dotenv or secrets files."""
        given = _GIVEN.get()
        environment = env_settings if given is None else _GivenEnvironment(settings_cls, given)
        return (init_settings, environment)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of the process's environment (or of `environ`), checked to fail closed."""
        try:
            with _reading(environ):
                settings = cls()
        except ValidationError as error:
            raise InvalidSetting(
                "; ".join(
                    f"{PREFIX}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                    for e in error.errors()
                )
            ) from None
        settings.check()
        return settings

    def check(self) -> None:
        """Fail closed: development defaults are refused in any other environment."""
        if self.password_cost not in ("standard", "test"):
            raise InsecureSettings(
                "ARTICLE6_PASSWORD_COST is 'standard' (or 'test' in development)"
            )
        if self.smtp_tls not in ("starttls", "tls", "none"):
            raise InsecureSettings("ARTICLE6_SMTP_TLS is 'starttls', 'tls' or 'none'")
        if self.development:
            return
        if self.smtp_host and self.smtp_password and self.smtp_tls == "none":
            raise InsecureSettings("an SMTP password is sent only over TLS outside development")
        if self.password_cost != "standard":
            raise InsecureSettings("cheap password hashing is for tests in development only")
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            raise InsecureSettings(
                "set ARTICLE6_SECRET_KEY to a random value of at least 32 characters"
            )
        if not self.cookie_secure:
            raise InsecureSettings("session cookies must be Secure outside development")


_GIVEN: ContextVar[Mapping[str, str] | None] = ContextVar("article6_settings_environ", default=None)


@contextmanager
def _reading(environ: Mapping[str, str] | None) -> Iterator[None]:
    token = _GIVEN.set(environ)
    try:
        yield
    finally:
        _GIVEN.reset(token)


class _GivenEnvironment(EnvSettingsSource):
    """The environment source over a given mapping instead of the process's variables."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items() if value}


SERVER_VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        "`sqlite:///article6.db`",
        "The registry's (or the hub's) database: `sqlite:///PATH` or `postgresql://USER@HOST/DB`; "
        "a primary and its standby as `postgresql://USER@H1:P1,H2:P2/DB?target_session_attrs="
        "read-write`. `--database` overrides it. A secret if the URL holds a password.",
    ),
    "ROLE": ("unset", "Set by `article6 serve --role`: the protocol role the server also plays."),
    "REGISTRY_ID": (
        "unset",
        "Set by `article6 serve --registry-id`: this registry's code on the protocol.",
    ),
    "HUB_DATABASE_URL": (
        "`sqlite:///article6-hub.db`",
        "The hub's own database (`article6 hub`); never the registry's. `--database` overrides it.",
    ),
    "HUB_OPERATORS": (
        "none",
        "The hub's operators, `NAME=PUBLIC_KEY` separated by commas: only their signed "
        "requests open its administrative endpoints (added to by `article6 hub --operator`).",
    ),
    "HUB_RECONCILIATION_MINUTES": (
        "`10`",
        "The hub: the least time between the starts of two reconciliations (C6109).",
    ),
    "INTEROP_MAX_BODY_BYTES": (
        "8 MiB",
        "The largest protocol message the hub or a registry's protocol endpoint reads (C1014).",
    ),
}
"""The variables the command line and the app factories read themselves, outside `Settings`."""


def settings_markdown() -> str:
    """The table of every `ARTICLE6_*` variable for docs/operations.md (`article6 settings`)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        if field.default_factory is not None:
            default = "on outside development"
        else:
            default = "unset" if field.default is None else f"`{field.default}`"
        meaning = " ".join((field.description or "").split())
        lines.append(f"| `{PREFIX}{name.upper()}` | {default} | {meaning} |")
    for name, (default, meaning) in SERVER_VARIABLES.items():
        lines.append(f"| `{PREFIX}{name}` | {default} | {meaning} |")
    return "\n".join(lines) + "\n"
