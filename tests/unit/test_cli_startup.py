"""`portal --help` and the start of every command load neither pandas nor the web stack."""

import subprocess
import sys


def test_the_portal_command_starts_without_pandas_or_litestar():
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from portal.cli import portal_group\n"
        "result = CliRunner().invoke(portal_group, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'eligibility' in result.output and 'run' in result.output\n"
        "print(sorted(m for m in ('pandas', 'litestar', 'piccolo', 'openpyxl') if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
