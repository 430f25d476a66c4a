"""The registry of import kinds (SPEC 5.1): each area contributes its own, in this order.

`portal import`, the import page and the demo data all import through `import_file`.
"""

from __future__ import annotations

from certification.importing import CERTIFICATES
from core.importing import ImportResult, ImportScope, kinds_by_name, run_import
from cycles.importing import FUNCTIONS
from organisations.importing import ORGANISATIONS, STAFF
from qchecks.importing import QCHECKS

IMPORT_KINDS = kinds_by_name(ORGANISATIONS, STAFF, CERTIFICATES, QCHECKS, FUNCTIONS)
KINDS = tuple(IMPORT_KINDS)
COLUMNS = {name: kind.columns for name, kind in IMPORT_KINDS.items()}


async def import_file(kind: str, file_name: str, data: bytes, scope: ImportScope) -> ImportResult:
    """Import one file of `kind`: all or nothing, audited (see `core.importing.run_import`)."""
    return await run_import(IMPORT_KINDS, kind, file_name, data, scope)


__all__ = ["COLUMNS", "IMPORT_KINDS", "KINDS", "ImportScope", "import_file"]
