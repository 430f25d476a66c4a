"""Pages of organisations and their staff that need no other area."""

from organisations.web.manage import OrganisationAdminController
from organisations.web.moves import StaffMoveController
from organisations.web.staff import StaffExportController

ROUTE_HANDLERS = [StaffExportController, OrganisationAdminController, StaffMoveController]
