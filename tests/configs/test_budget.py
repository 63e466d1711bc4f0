"""The one `--budget` grammar: known texts and the overrides they stand for."""

from __future__ import annotations

import pytest

from configs.budget import BudgetError, budget_overrides


def test_samples_expansions_and_seconds():
    assert budget_overrides("32x100@600", attempts_allowed=False) == [
        "search.samples_per_expansion=32", "search.max_expansions=100", "search.wall_time_s=600.0"]
    assert budget_overrides("16x24", attempts_allowed=True) == [
        "search.samples_per_expansion=16", "search.max_expansions=24"]


def test_attempts_only_where_the_command_makes_several():
    assert budget_overrides("2x16x24@6", attempts_allowed=True) == [
        "search.samples_per_expansion=16", "search.max_expansions=24", "benchmark.attempts=2",
        "search.wall_time_s=6.0"]
    assert budget_overrides("1x16x24", attempts_allowed=False) == [
        "search.samples_per_expansion=16", "search.max_expansions=24"]
    with pytest.raises(BudgetError, match="one attempt"):
        budget_overrides("2x16x24", attempts_allowed=False)


def test_a_preset_names_a_search_config():
    assert budget_overrides("llemma", attempts_allowed=True) == ["search=llemma"]


@pytest.mark.parametrize("text", ["lots", "16x", "1x0x3", "16x24@0", "x16x24", "16x24@-1", "1x2x3x4"])
def test_anything_else_is_an_error_naming_the_grammar_or_the_zero(text):
    with pytest.raises(BudgetError, match="--budget"):
        budget_overrides(text, attempts_allowed=True)
