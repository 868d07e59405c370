"""Fixtures the entries tests share."""

import pytest

from entries.services.candidates import register_results_exist_check, results_exist_checks


@pytest.fixture
def has_results():
    """A fake later app: candidates whose last name is in the yielded set have results, so
    their identity is fixed."""
    with_results = set()

    def check(candidate):
        return candidate.last_name in with_results

    register_results_exist_check(check)
    try:
        yield with_results
    finally:
        results_exist_checks.remove(check)
