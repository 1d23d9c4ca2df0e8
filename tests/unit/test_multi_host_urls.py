"""A registry given a primary and its standby in libpq's multi-host form connects through
SQLAlchemy, which needs each host as a `host=` parameter (docs/operations.md, failover)."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from article6.store.database import normalise


def test_the_libpq_host_list_becomes_one_host_parameter_each_in_order() -> None:
    url = normalise(
        "postgresql://article6@primary:5432,standby:5433/article6"
        "?target_session_attrs=read-write&connect_timeout=5"
    )

    assert url == (
        "postgresql+psycopg://article6@/article6?host=primary:5432&host=standby:5433"
        "&target_session_attrs=read-write&connect_timeout=5"
    )
    parsed = make_url(url)
    assert parsed.query["host"] == ("primary:5432", "standby:5433")
    assert parsed.query["target_session_attrs"] == "read-write"
    assert parsed.database == "article6"
    assert parsed.username == "article6"


def test_a_password_a_host_without_port_and_no_query_are_kept() -> None:
    url = normalise("postgres://article6:s%40cret@a,b:6543/registry")

    assert url == "postgresql+psycopg://article6:s%40cret@/registry?host=a&host=b:6543"
    assert make_url(url).password == "s@cret"


def test_one_host_and_the_sqlalchemy_form_are_left_as_they_are() -> None:
    single = "postgresql://article6@db:5432/article6?sslmode=require"
    sqlalchemy_form = "postgresql://article6@/article6?host=a:5432&host=b:5432"

    assert normalise(single) == "postgresql+psycopg://article6@db:5432/article6?sslmode=require"
    assert normalise(sqlalchemy_form) == (
        "postgresql+psycopg://article6@/article6?host=a:5432&host=b:5432"
    )
    assert normalise("sqlite:///article6.db") == "sqlite:///article6.db"
