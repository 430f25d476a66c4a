"""Random but plausible certification data, as raw facts and as import CSV files.

The same generator feeds the benchmark (1,000 organisations, 100,000 staff, 1,000,000
Q-checks) and the tests that compare the database path with the reference rules.

    python -m bench.generate --organisations 50 --staff 2000 --qchecks 20000 --out /tmp/data
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from certification.rules import (
    CertificateFacts,
    OrganisationFacts,
    QCheckFacts,
    StaffFacts,
)
from portal.imports import COLUMNS

TRACKS = ("AZ", "SELTEST", "ASSESS", "INTERVIEW")
STATUSES = ("valid", "valid", "valid", "valid", "pending", "suspended", "revoked")
ROLE_SETS = (("NL", "FR"), ("NL", "FR"), ("NL", "FR"), ("NL",), ("FR",), ("NL", "FR", "DE"))


@dataclass
class Dataset:
    reference_day: dt.date
    organisations: list[OrganisationFacts] = field(default_factory=list)
    names: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    staff: list[StaffFacts] = field(default_factory=list)
    emails: dict[int, str] = field(default_factory=dict)
    certificates: list[CertificateFacts] = field(default_factory=list)
    qchecks: list[QCheckFacts] = field(default_factory=list)
    qcheck_meta: list[tuple[str, str, dt.date]] = field(default_factory=list)


def _day(rng: random.Random, around: dt.date, before: int, after: int) -> dt.date:
    return around + dt.timedelta(days=rng.randint(-before, after))


def generate(
    seed: int,
    organisations: int,
    staff: int,
    qchecks: int,
    reference_day: dt.date = dt.date(2026, 12, 31),
) -> Dataset:
    """A dataset whose organisations spread over all three levels around `reference_day`."""
    rng = random.Random(seed)
    data = Dataset(reference_day=reference_day)
    for number in range(organisations):
        code = f"ORG{number:04d}"
        roles = rng.choice(ROLE_SETS)
        partner = f"partner{number}@{code.lower()}.example.be" if rng.random() < 0.85 else None
        data.organisations.append(OrganisationFacts(code, roles, partner is not None))
        data.names[code] = (f"Organisatie {number}", f"Organisation {number}", partner)

    # Larger organisations are rarer: weights follow a long tail.
    weights = [1 / (1 + i % 37) for i in range(organisations)]
    staff_orgs = rng.choices(data.organisations, weights=weights, k=staff)
    for staff_id, organisation in enumerate(staff_orgs, start=1):
        start = _day(rng, reference_day, 3650, 200)
        end = None
        if rng.random() < 0.12:
            end = start + dt.timedelta(days=rng.randint(0, 2500))
        role = rng.choice(organisation.language_roles)
        data.staff.append(StaffFacts(staff_id, organisation.code, role, start, end))
        data.emails[staff_id] = f"s{staff_id}@{organisation.code.lower()}.example.be"

        if rng.random() < 0.3:
            for track in rng.sample(TRACKS, k=rng.randint(1, 3)):
                obtained = min(_day(rng, reference_day, 2500, 120), dt.date.today())
                until = None
                if rng.random() < 0.35:
                    until = obtained + dt.timedelta(days=rng.randint(0, 2200))
                data.certificates.append(
                    CertificateFacts(staff_id, track, rng.choice(STATUSES), obtained, until)
                )

    # A Q-check's consultant is on the staff of its organisation on the closing date, and
    # nothing that happened lies in the future (SPEC 5.1): the import refuses anything else.
    today = dt.date.today()
    by_org: dict[str, list[StaffFacts]] = {}
    for member in data.staff:
        if member.start_date <= today:
            by_org.setdefault(member.organisation, []).append(member)
    checked_orgs = [o for o in data.organisations if o.code in by_org]
    checked_weights = [
        w for o, w in zip(data.organisations, weights, strict=True) if o.code in by_org
    ]
    q_orgs = rng.choices(checked_orgs, weights=checked_weights, k=qchecks)
    for number, organisation in enumerate(q_orgs):
        consultant = rng.choice(by_org[organisation.code])
        latest = min(consultant.end_date or today, today)
        earliest = max(consultant.start_date, reference_day - dt.timedelta(days=1100))
        earliest = min(earliest, latest)
        closed = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
        checked = min(closed + dt.timedelta(days=rng.randint(0, 120)), today)
        score = max(0, min(10000, int(rng.gauss(8100, 900))))
        data.qchecks.append(QCheckFacts(organisation.code, consultant.id, checked, score))
        data.qcheck_meta.append((f"SEL-{number:07d}", consultant.language_role, closed))
    return data


def write_csv(data: Dataset, folder: Path) -> dict[str, Path]:
    """The four import files of SPEC 5.1 for this dataset."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        kind: folder / f"{kind}.csv"
        for kind in ("organisations", "staff", "certificates", "qchecks")
    }
    with paths["organisations"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS["organisations"])
        for organisation in data.organisations:
            nl, fr, partner = data.names[organisation.code]
            writer.writerow(
                [organisation.code, nl, fr, "|".join(organisation.language_roles), partner or ""]
            )
    with paths["staff"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS["staff"])
        for member in data.staff:
            writer.writerow(
                [
                    member.organisation,
                    data.emails[member.id],
                    f"First{member.id}",
                    f"Last{member.id}",
                    member.language_role,
                    member.start_date.isoformat(),
                    member.end_date.isoformat() if member.end_date else "",
                ]
            )
    seen: set[tuple[int, str, dt.date]] = set()
    with paths["certificates"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS["certificates"])
        for cert in data.certificates:
            key = (cert.staff_id, cert.track, cert.obtained_on)
            if key in seen:
                continue
            seen.add(key)
            writer.writerow(
                [
                    data.emails[cert.staff_id],
                    cert.track,
                    cert.obtained_on.isoformat(),
                    cert.status,
                    cert.valid_until.isoformat() if cert.valid_until else "",
                ]
            )
    with paths["qchecks"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS["qchecks"])
        for qcheck, (reference, role, closed) in zip(data.qchecks, data.qcheck_meta, strict=True):
            writer.writerow(
                [
                    reference,
                    qcheck.organisation,
                    data.emails[qcheck.consultant_id],
                    role,
                    closed.isoformat(),
                    qcheck.checked_on.isoformat(),
                    f"{qcheck.score_hundredths // 100}.{qcheck.score_hundredths % 100:02d}",
                ]
            )
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--staff", type=int, default=100_000)
    parser.add_argument("--qchecks", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    data = generate(args.seed, args.organisations, args.staff, args.qchecks)
    for kind, path in write_csv(data, args.out).items():
        print(f"{kind}: {path}")


if __name__ == "__main__":
    main()
