"""Bad input is refused before anything changes: one clear message naming the
customer and the variable, no password in the output (even at -vvv), no task
after the validation, no file under the lab's base folder touched.

Each case runs the operator's command (site.yml, playbooks/switch.yml, or
site.yml --tags rebuild) against the lab inventory with the bad value in an
extra vars file; see bad_input_cases.py. Independent of the lab's state: the
customers may be deployed, seeded or absent. Nothing here starts or stops a
container.
"""

import warnings

import pytest

import bad_input_cases as bic

pytestmark = pytest.mark.skipif(
    not bic.lab_ready(), reason="no lab vault yet (%s): run lab/setup.sh first" % bic.VAULT_PASS)


def _hide(text):
    for secret in bic.secrets_to_hide():
        text = text.replace(secret, "<password>")
    return text


@pytest.fixture(scope="module")
def outcomes(request):
    """Run every selected case once, a few at a time (the runs only read)."""
    selected = [item.callspec.params["case"] for item in request.session.items
                if getattr(item, "module", None) is request.module and hasattr(item, "callspec")
                and "case" in item.callspec.params]
    return {o.case.id: o for o in bic.run_all(selected)}


@pytest.mark.parametrize("case", bic.CASES, ids=[c.id for c in bic.CASES])
def test_bad_input_is_refused_before_anything_changes(case, outcomes):
    outcome = outcomes[case.id]
    if outcome.skipped:
        pytest.skip(outcome.skipped)
    unsettled = bic.unsettled(outcome)
    if unsettled:
        pytest.skip(unsettled)
    found = bic.problems(outcome)
    shown = outcome.run.output if outcome.run else outcome.guard.output
    assert not found, "%s\n--- message ---\n%s\n--- output (tail) ---\n%s" % (
        "\n".join(found), _hide(outcome.message), _hide(shown[-4000:]))
    note = bic.lab_note(outcome)
    if note:
        warnings.warn(note)


def test_the_lab_inventory_itself_passes_the_checks():
    """The baseline every case changes one value of is valid: each refusal is the bad value's."""
    outcome = bic.run_case(bic.Case("baseline", "", "", ()))
    if outcome.guard.rc != 0 and outcome.foreign:
        pytest.skip("other processes worked on the lab meanwhile (%s): %s" % (
            "; ".join(outcome.foreign)[:300], _hide(bic.error_message(outcome.guard.output))))
    assert outcome.guard.rc == 0, _hide(outcome.guard.output[-4000:])
    assert outcome.run is None
    for secret in bic.secrets_to_hide():
        assert secret not in outcome.guard.output


def test_every_validation_message_is_distinct_per_case(outcomes):
    """One clear message per bad input: no two different inputs get the same text."""
    seen = {}
    for cid, outcome in outcomes.items():
        if outcome.run is None or outcome.skipped:
            continue
        seen.setdefault(outcome.message, []).append(cid)
    same = [ids for ids in seen.values() if len(ids) > 1]
    assert not same, same
