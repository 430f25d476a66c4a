"""Login, logout and the choice of language."""

from accounts.web.auth import AuthController
from accounts.web.language import LanguageController

ROUTE_HANDLERS = [AuthController, LanguageController]
