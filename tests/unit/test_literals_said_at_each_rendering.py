"""A template's words are said in each reader's language, also where a filter runs over a
literal (`{{ "ITMO"|said }}`): Jinja folds such an expression once, when it compiles the
template, unless told not to, and every later reader then gets the first reader's language."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from article6 import translation
from article6.web.documents.rendering import environment
from article6.web.rendering import templates


@pytest.mark.parametrize("env", [templates.env, environment()], ids=["pages", "documents"])
def test_a_literal_said_through_a_filter_follows_each_reader(env: Environment) -> None:
    with translation.speaking("en"):
        legend = env.from_string('{{ "ITMO"|said }} · {{ _("used") }}')
        assert legend.render() == "ITMO · used"
    with translation.speaking("fr"):
        assert legend.render() == "RATI · utilisées"
    with translation.speaking("es"):
        assert legend.render().startswith("RMTI")
