"""Every message the code and the templates say is in the NL, FR and DE catalogues, translated
(ground rule 5): a message added without `make extract-messages` and its translations
would show in English on a Dutch, French or German page."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from core.settings import PROJECT_ROOT

KEYWORDS = ("_", "gettext", "_gettext", "ngettext:1,2")


def _extracted(tmp_path) -> set[str]:
    sources = subprocess.run(
        ["make", "--no-print-directory", "-s", "print-sources"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    output = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "--mapping"]
    command += ["babel.cfg", "--no-location", "--output", str(output)]
    command += [f"--keywords={keyword}" for keyword in KEYWORDS]
    subprocess.run([*command, *sources], cwd=PROJECT_ROOT, capture_output=True, check=True)
    with output.open("rb") as pot:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(pot)
            if message.id
        }


def test_every_message_of_the_code_is_translated_in_nl_fr_and_de(tmp_path):
    said = _extracted(tmp_path)
    assert len(said) > 1000  # the extraction read the code and the templates
    for language in ("nl", "fr", "de"):
        path = PROJECT_ROOT / "core" / "translations" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as po:
            catalogue = {
                (m.id if isinstance(m.id, str) else m.id[0]): m
                for m in read_po(po)
                if m.id
                and m.string
                and (m.string if isinstance(m.string, str) else all(m.string))
                and not m.fuzzy
            }
        missing = sorted(said - catalogue.keys())
        assert missing == [], f"{language}: not translated: {missing[:10]}"
