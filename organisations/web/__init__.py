"""Pages of organisations and their staff that need no other area."""

from organisations.web.manage import OrganisationAdminController
from organisations.web.staff import StaffExportController

ROUTE_HANDLERS = [StaffExportController, OrganisationAdminController]
