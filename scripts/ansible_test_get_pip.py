"""Stand-in for the pip bootstrap script ansible-test downloads.

ansible-test creates one virtual environment per sanity test and puts pip into
it with get-pip.py from ci-files.testing.ansible.com, a host this machine does
not reach. scripts/sanity.sh saves this file where ansible-test caches that
script (its error message says to do so by hand). It does the same job: it puts
the pip bundled with Python (ensurepip) into the running environment, then
installs what ansible-test asked for (the pinned pip and packages) from the
package index pip is configured with (PyPI). The sanity requirements themselves
are then installed by ansible-test, at its own pinned versions.
"""

import subprocess
import sys

# get-pip.py's own switches; pip install does not know them.
GET_PIP_ONLY = ('--no-setuptools', '--no-wheel')


def main():
    # In a child process: ensurepip sets PIP_CONFIG_FILE=/dev/null in its own
    # environment, which would hide the machine's pip settings (index, CA) from
    # the install below.
    bootstrapped = subprocess.call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'],
                                   stdout=subprocess.DEVNULL)
    if bootstrapped != 0:
        return bootstrapped
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
    return subprocess.call([sys.executable, '-m', 'pip', 'install', '--quiet'] + args)


if __name__ == '__main__':
    sys.exit(main())
