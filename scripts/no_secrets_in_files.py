"""Fail when a lab password is in a file any user on the host can read.

Usage: no_secrets_in_files.py PATH...   (root; run with the repo's .venv; needs the lab vault)

A file counts as world-readable when its mode lets others read it and every folder above
it lets others through; each such file under the given paths is searched for every lab
password (raw and in its escaped forms). Prints counts and file names, never a password."""

import os
import stat
import sys

from lab_secrets import needles, passwords


def reachable_by_others(path):
    """Whether a user who is neither owner nor group can reach `path` (every folder above is o+x)."""
    parent = os.path.dirname(os.path.abspath(path))
    while True:
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
        if parent == '/':
            return True
        parent = os.path.dirname(parent)


def world_readable_files(root):
    for folder, dirs, files in os.walk(root):
        try:
            if not reachable_by_others(os.path.join(folder, '.')):
                dirs[:] = []  # others cannot pass this folder: nothing below is theirs to read
                continue
            # A folder others may pass but not list still hands out files whose names are known.
            for name in files:
                path = os.path.join(folder, name)
                info = os.lstat(path)
                if stat.S_ISREG(info.st_mode) and info.st_mode & stat.S_IROTH:
                    yield path
        except FileNotFoundError:  # /tmp changes while it is read
            continue


def main():
    forms = [(number, [n.encode('utf-8') for n in needles(secret)]) for number, secret in enumerate(passwords())]
    leaks = checked = 0
    for root in sys.argv[1:]:
        for path in world_readable_files(root):
            try:
                with open(path, 'rb') as handle:
                    data = handle.read()
            except FileNotFoundError:
                continue
            checked += 1
            for number, needles_of_one in forms:
                if any(n in data for n in needles_of_one):
                    leaks += 1
                    print('LEAK: lab password #%d in world-readable %s' % (number, path))
    print('%d lab passwords looked for in %d world-readable files under %s: %d leaks'
          % (len(forms), checked, ' '.join(sys.argv[1:]), leaks))
    return 1 if leaks else 0


if __name__ == '__main__':
    sys.exit(main())
