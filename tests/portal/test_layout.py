"""The area shape written in docs/architecture.md is the tree's (issue 25, item 6): every
area and sub-package is in the table, holds each file the table marks ✓ and none it
marks —, and a missing file has its reason written next to it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AREAS = ("organisations", "accounts", "certification", "qchecks", "competencies", "cycles")
NOT_PACKAGES_OF_THE_SHAPE = {"web", "piccolo_migrations", "data", "__pycache__"}


def documented() -> tuple[list[str], dict[str, dict[str, bool]], dict[str, str]]:
    """The table's file columns, each package's marks and its reason for what is missing."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    header_at = next(i for i, line in enumerate(lines) if line.startswith("| package |"))
    header = [cell.strip() for cell in lines[header_at].strip("|").split("|")]
    files = header[1:-1]
    marks: dict[str, dict[str, bool]] = {}
    reasons: dict[str, str] = {}
    for line in lines[header_at + 1 :]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != len(header) or not (ROOT / cells[0]).is_dir():
            break
        assert all(c in ("✓", "—") for c in cells[1:-1]), line
        marks[cells[0]] = {name: cell == "✓" for name, cell in zip(files, cells[1:-1], strict=True)}
        reasons[cells[0]] = cells[-1]
    return files, marks, reasons


def packages_of_the_shape() -> set[str]:
    found = set(AREAS)
    for area in AREAS:
        for child in (ROOT / area).iterdir():
            if (
                child.is_dir()
                and child.name not in NOT_PACKAGES_OF_THE_SHAPE
                and (child / "__init__.py").exists()
            ):
                found.add(f"{area}/{child.name}")
    return found


def present(package: str, name: str) -> bool:
    if name == "web":
        return (ROOT / package / "web" / "__init__.py").exists()
    return (ROOT / package / f"{name}.py").exists()


def test_every_package_of_the_tree_is_in_the_table_and_no_other():
    _, marks, _ = documented()
    assert set(marks) == packages_of_the_shape()


def test_each_package_holds_exactly_the_files_the_table_marks():
    files, marks, _ = documented()
    drift = [
        f"{package}/{name}: the table says {'✓' if marked else '—'}"
        for package, row in marks.items()
        for name, marked in row.items()
        if present(package, name) != marked
    ]
    assert not drift, drift
    assert files == [
        "tables", "rules", "lifecycle", "forms", "queries", "service", "importing", "cli", "web",
    ]  # fmt: skip


def test_a_missing_file_has_its_reason_written():
    _, marks, reasons = documented()
    unexplained = [p for p, row in marks.items() if not all(row.values()) and not reasons[p]]
    assert not unexplained
