"""Fixtures the entries tests share."""

import pytest

from entries.hooks import results_exist_checks


@pytest.fixture
def has_results(monkeypatch):
    """A fake later app: candidates whose last name is in the yielded set have results, so
    their identity is fixed."""
    with_results = set()

    def check(candidate):
        return candidate.last_name in with_results

    monkeypatch.setattr(results_exist_checks, "receivers", (check,))
    return with_results


@pytest.fixture
def admin(people):
    """The demo centre's exams officer (its centre admin)."""
    return people["centre_admin"]
