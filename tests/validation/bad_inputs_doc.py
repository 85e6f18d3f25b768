"""Write docs/bad-inputs.md from real runs of every case in bad_input_cases.py.

    cd /work/main && source scripts/env.sh && python tests/validation/bad_inputs_doc.py

The message column is what ansible-playbook printed (its `[ERROR]: Task failed:`
text); "changed anything?" is what the same checks as test_bad_input.py found.
Exits 1 when a case was not refused cleanly (the table says which).
"""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bad_input_cases as bic  # noqa: E402

DOC = os.path.join(bic.REPO, "docs", "bad-inputs.md")

HEADER = """# Bad inputs and the messages they get

Every input below is refused **before anything changes**: the run stops in the
validation (site.yml's first play, the pre_tasks of `playbooks/switch.yml`, or
`cold_rebuild`'s customer check for `--tags rebuild`), with one message naming the
customer and the variable and saying what to do. No message, and nothing else
printed, contains a password, even at `-vvv`.

The table is generated from real runs against the lab inventory by
`tests/validation/bad_inputs_doc.py`: `ansible-playbook -i inventories/lab ... -l h200
-e @customers.json`, the extra vars file holding the lab's `lightrag_pg_customers`
with the one bad value. The message column is ansible-playbook's own
`[ERROR]: Task failed:` text, copied from that run. `tests/validation/test_bad_input.py`
runs the same cases and asserts, for each: the run fails; the message names the
customer and the variable; the play recap says `changed=0`; no task after the
validation ran; no file or folder under the lab's base folder (`{base}`)
changed its mtime; no lab or test password appears in the output. "Changed
anything?" is the outcome of those checks in this run. The lab's customers were
**{lab_state}** during this run.

Regenerate: `cd /work/main && source scripts/env.sh && python tests/validation/bad_inputs_doc.py`
(last: {when}).

## How a taken port is told apart from the customer's own

On a deployed host each customer's PostgreSQL and LightRAG listen on their own
ports, so "something listens on the port" is not enough. The check
(`roles/pg_customer/tasks/assert_ports_free.yml`) reads two things on the host:

- the listening TCP sockets, IPv4 and IPv6, from `/proc/net/tcp` and `/proc/net/tcp6`
  (always there, no `ss`/`netstat` needed, works in check mode);
- which running container publishes which host port, from `docker ps` (name,
  `com.docker.compose.project` label, published ports).

A port is the customer's own when a container of its Compose project
`lightrag-<name>` publishes it; then it is fine whoever else listens. Otherwise it
is taken when another container publishes it (the message names that container
and its project) or when any socket listens on it (the message gives the address
and the `ss` command that shows the process). `docker ps` is used rather than the
`docker-proxy` process behind the socket because the proxy's command line only
holds a container IP, not its project, and because with Docker's userland proxy
turned off a published port has no listening socket at all. When Docker is not
installed yet (or does not answer) nothing can be the customer's own: every
listener counts as taken and the message says that Docker could not be asked.

## The table

| input tried | how (command / variable) | message the operator gets | changed anything? |
|---|---|---|---|
"""


def cell(text):
    return text.replace("|", "\\|").replace("\n", "<br>")


def main():
    deployed = bic._needs_deployed_lab() is None
    outcomes = bic.run_all(bic.CASES)
    rows, bad = [], 0
    for o in outcomes:
        c = o.case
        # Every run gets the customers in an extra vars file (changed when the case changes them).
        cmd = "`%s`" % " ".join(["ansible-playbook", "-i", "inventories/lab", c.playbook, "-l", "h200",
                                 "-e", "@customers.json"] + list(c.args) + (["-vvv"] if c.verbose else []))
        how = "%s<br>%s" % (c.how, cmd)
        if o.skipped:
            rows.append("| %s | %s | (not run: %s) | - |" % (cell(c.what), cell(how), cell(o.skipped)))
            continue
        found = bic.problems(o)
        if bic.unsettled(o):
            rows.append("| %s | %s | (not conclusive: %s) | - |" % (cell(c.what), cell(how), cell(bic.unsettled(o))))
            continue
        if found:
            bad += 1
            changed = "**check:** " + "; ".join(found)
        elif bic.lab_note(o):
            changed = ("no (play recap `changed=0`, no task after the validation; paths under the lab's base folder"
                       " did change meanwhile, while another process was working on the lab)")
        else:
            changed = "no"
        rows.append("| %s | %s | %s | %s |" % (cell(c.what), cell(how), cell(o.message or "(no message)"), cell(changed)))
    text = HEADER.format(base=bic.LAB_BASE, lab_state="deployed" if deployed else "not deployed",
                         when=datetime.date.today().isoformat()) + "\n".join(rows) + "\n"
    for secret in bic.secrets_to_hide():
        if secret in text:
            raise SystemExit("a password would end up in %s: not written" % DOC)
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(text)
    print("%s: %d cases, %d not refused cleanly" % (DOC, len(outcomes), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
