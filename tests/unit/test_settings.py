"""The registry's settings come from `ARTICLE6_*` variables with the documented defaults; a value
that does not parse is refused naming its variable, and development defaults fail closed
elsewhere."""

from __future__ import annotations

import pytest

from article6.settings import DEVELOPMENT_SECRET, InsecureSettings, InvalidSetting, Settings

PRODUCTION = {"ARTICLE6_ENVIRONMENT": "production", "ARTICLE6_SECRET_KEY": "k" * 40}


def test_an_empty_environment_gives_the_development_defaults():
    settings = Settings.from_env({})
    assert settings.development and settings.secret_key == DEVELOPMENT_SECRET
    assert (settings.cookie_secure, settings.session_minutes, settings.lock_after) == (
        False,
        480,
        10,
    )
    assert (settings.checkpoint_path, settings.checkpoint_minutes) == (None, 60)


def test_each_variable_sets_its_setting_and_an_empty_one_counts_as_unset():
    settings = Settings.from_env(
        {
            "ARTICLE6_SESSION_MINUTES": "15",
            "ARTICLE6_COOKIE_SECURE": "yes",
            "ARTICLE6_CHECKPOINT_PATH": "",
            "ARTICLE6_CHECKPOINT_MINUTES": "0",
            "ARTICLE6_PASSWORD_COST": "test",
            "OTHER_SESSION_MINUTES": "99",
        }
    )
    assert (settings.session_minutes, settings.cookie_secure) == (15, True)
    assert (settings.checkpoint_path, settings.checkpoint_minutes) == (None, 0)
    assert settings.password_cost == "test"


def test_the_process_environment_is_read(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ARTICLE6_TOKEN_MINUTES", "5")
    assert Settings.from_env().token_minutes == 5


def test_cookies_are_secure_by_default_outside_development():
    assert Settings.from_env(PRODUCTION).cookie_secure is True
    with pytest.raises(InsecureSettings, match="Secure"):
        Settings.from_env({**PRODUCTION, "ARTICLE6_COOKIE_SECURE": "false"})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ARTICLE6_SESSION_MINUTES", "eight hours"),
        ("ARTICLE6_LOCK_AFTER", "0"),
        ("ARTICLE6_COOKIE_SECURE", "perhaps"),
        ("ARTICLE6_CHECKPOINT_MINUTES", "-1"),
    ],
)
def test_a_value_that_does_not_parse_is_refused_naming_its_variable(variable: str, value: str):
    with pytest.raises(InvalidSetting, match=f"^{variable}: "):
        Settings.from_env({variable: value})


def test_an_unknown_password_cost_is_refused_even_in_development():
    with pytest.raises(InsecureSettings, match="ARTICLE6_PASSWORD_COST"):
        Settings.from_env({"ARTICLE6_PASSWORD_COST": "cheap"})


def test_the_smtp_settings_come_from_their_variables_and_a_password_needs_tls():
    settings = Settings.from_env(
        {
            "ARTICLE6_SMTP_HOST": "mail.xxa.example",
            "ARTICLE6_SMTP_PORT": "465",
            "ARTICLE6_SMTP_TLS": "tls",
            "ARTICLE6_SMTP_FROM": "registry@xxa.example",
            "ARTICLE6_SMTP_USER": "registry",
            "ARTICLE6_SMTP_PASSWORD": "s" * 20,
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_tls) == (
        "mail.xxa.example",
        465,
        "tls",
    )
    assert (settings.smtp_from, settings.smtp_user) == ("registry@xxa.example", "registry")
    assert Settings.from_env({}).smtp_host is None  # no e-mail unless configured
    with pytest.raises(InsecureSettings, match="ARTICLE6_SMTP_TLS"):
        Settings.from_env({"ARTICLE6_SMTP_TLS": "maybe"})
    with pytest.raises(InsecureSettings, match="only over TLS"):
        Settings.from_env(
            {
                **PRODUCTION,
                "ARTICLE6_SMTP_HOST": "mail.xxa.example",
                "ARTICLE6_SMTP_TLS": "none",
                "ARTICLE6_SMTP_PASSWORD": "secret",
            }
        )
    with pytest.raises(InvalidSetting, match="ARTICLE6_SMTP_PORT"):
        Settings.from_env({"ARTICLE6_SMTP_PORT": "0"})
