"""Call a module's main() in this process with patched arguments: much faster
than a real ansible run, for tests that vary only options."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args


def run_main(module, args, capsys):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            module.main()
    result = json.loads(capsys.readouterr().out)
    result['rc'] = exited.value.code
    return result
