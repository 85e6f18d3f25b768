"""The bad inputs that need customers already deployed: tests/validation runs before any
scenario, on a lab with no containers, and skips them there. Here site.yml has just
deployed both customers, so each such case must run, and be refused cleanly."""

import os
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "validation"))

import bad_input_cases as bic  # noqa: E402

DEPLOYED_CASES = [c for c in bic.CASES if c.needs is bic._needs_deployed_lab]  # pylint: disable=protected-access


def test_some_case_needs_the_deployed_lab():
    assert DEPLOYED_CASES, "no bad-input case needs a deployed lab any more: remove this file"


@pytest.mark.parametrize("case", DEPLOYED_CASES, ids=[c.id for c in DEPLOYED_CASES])
def test_refused_on_the_deployed_lab(case):
    outcome = bic.run_case(case)
    assert not outcome.skipped, outcome.skipped
    found = bic.problems(outcome)
    message = outcome.message
    for secret in bic.secrets_to_hide():
        message = message.replace(secret, "<password>")
    assert not found, "%s\n--- message ---\n%s" % ("\n".join(found), message)
    # problems() forgives changed files while other lab writers run, and molecule, this
    # test's own ancestor, always counts as one here: so ask directly.
    assert not outcome.changed_files, outcome.changed_files[:10]
