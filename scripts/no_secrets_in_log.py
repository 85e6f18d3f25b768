"""Fail when any lab password shows up in a log (the whole test run's output).

Usage: no_secrets_in_log.py LOG...   (run with the repo's .venv; needs the lab vault)

Reads every password of the lab vault with ansible-vault and looks for each in the
raw text and in the escaped forms tools print (JSON, Python repr); a hostile password
is also looked for by its longest plain-ASCII run, so an escaped variant is caught too.
Prints counts only, never a password."""

import sys

from lab_secrets import needles, passwords


def main():
    secrets = passwords()
    leaks = 0
    size = 0
    for path in sys.argv[1:]:
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
        size += len(text)
        for number, secret in enumerate(secrets):
            hits = sum(text.count(n) for n in needles(secret))
            if hits:
                leaks += hits
                print('LEAK: lab password #%d appears %d times in %s' % (number, hits, path))
    print('%d lab passwords looked for in %d characters of log: %d occurrences' % (len(secrets), size, leaks))
    return 1 if leaks else 0


if __name__ == '__main__':
    sys.exit(main())
