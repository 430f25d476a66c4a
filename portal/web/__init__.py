"""The shell's own pages: home and health, the audit log, the import page of every kind, notices."""

from portal.web.audit import AuditController
from portal.web.dev_mail import DevMailController
from portal.web.home import HomeController
from portal.web.importing import ImportController
from portal.web.notices import NoticeController

ROUTE_HANDLERS = [HomeController, AuditController, ImportController, NoticeController]
# Registered only outside production (portal.app).
DEVELOPMENT_HANDLERS = [DevMailController]
