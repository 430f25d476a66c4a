"""In-app notices: a message for an audience, kept as a kind and its parameters so that
each reader sees it in their own language and the e-mail outbox can send it later.

Audiences: `dgro` (every DG R&O user) and `pro_partner` (the PRO Partner users of
`organisation_code`). The area that raises a notice owns its kind and words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from core.tables import Notice

DGRO = "dgro"
PRO_PARTNER = "pro_partner"
UNREAD_SHOWN = 50


async def notify(
    kind: str, audiences: Sequence[str], organisation_code: str | None, params: Mapping[str, Any]
) -> None:
    """One notice per audience; inside the write's transaction, so it lands with the write."""
    now = dt.datetime.now(dt.UTC)
    await Notice.insert(
        *[
            Notice(
                created_at=now,
                kind=kind,
                audience=audience,
                organisation_code=organisation_code,
                params=dict(params),
            )
            for audience in audiences
        ]
    )


def _audience_clause(is_dgro: bool, pro_partner_of: str | None):
    clauses: list[Any] = []
    if is_dgro:
        clauses.append(Notice.audience == DGRO)
    if pro_partner_of:
        clauses.append(
            (Notice.audience == PRO_PARTNER) & (Notice.organisation_code == pro_partner_of)
        )
    if not clauses:
        return None
    where: Any = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


async def notices_for(
    is_dgro: bool, pro_partner_of: str | None, *, organisation_code: str | None = None
) -> list[dict[str, Any]]:
    """The newest notices a reader may see (DG R&O's, and those of the organisation they are
    PRO Partner of), optionally about one organisation; JSON parameters decoded."""
    where = _audience_clause(is_dgro, pro_partner_of)
    if where is None:
        return []
    if organisation_code is not None:
        where = where & (Notice.organisation_code == organisation_code)
    rows = (
        await Notice.select()
        .where(where)
        .order_by(Notice.id, ascending=False)
        .limit(UNREAD_SHOWN)
        .output(load_json=True)
    )
    return list(rows)


async def mark_read(notice_id: int, is_dgro: bool, pro_partner_of: str | None) -> bool:
    """Mark one of the reader's notices read; False when it is not theirs (or absent)."""
    where = _audience_clause(is_dgro, pro_partner_of)
    if where is None:
        return False
    changed = await (
        Notice.update({Notice.read_at: dt.datetime.now(dt.UTC)})
        .where((Notice.id == notice_id) & where)
        .returning(Notice.id)
    )
    return bool(changed)
