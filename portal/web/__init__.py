"""The shell's own pages: home and health, the audit log, the import page of every kind, notices."""

from portal.web.audit import AuditController
from portal.web.home import HomeController
from portal.web.importing import ImportController
from portal.web.notices import NoticeController

ROUTE_HANDLERS = [HomeController, AuditController, ImportController, NoticeController]
