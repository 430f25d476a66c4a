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


def test_the_app_and_the_portal_command_fill_the_hooks_of_the_areas():
    """The threshold watch and what names a competency are hooks the shell fills at
    start-up (portal/hooks.py): without them a Q-check write would warn nobody, and a
    model reload could drop a competency an objective or a track names."""
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from competencies.uses import NAMED_BY\n"
        "from qchecks.watch import WATCHES\n"
        "{start}\n"
        "print(len(WATCHES), sorted(use.what for use in NAMED_BY))\n"
    )
    starts = {
        "app": "from portal.app import create_app\ncreate_app()",
        "command": (
            "from portal.cli import portal_group\n"
            "CliRunner().invoke(portal_group, ['competencies', 'load', '--help'])"
        ),
    }
    for name, start in starts.items():
        filled = subprocess.run(
            [sys.executable, "-c", probe.format(start=start)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert filled == "1 ['evaluation objective(s)', 'track(s)']", name
