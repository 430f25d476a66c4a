"""Pages of organisations and their staff that need no other area."""

from organisations.web.staff import StaffExportController

ROUTE_HANDLERS = [StaffExportController]
