"""Login, logout, the choice of language, one's own account, the account mails' links and
the management of accounts."""

from accounts.web.account import AccountController
from accounts.web.auth import AuthController
from accounts.web.language import LanguageController
from accounts.web.tokens import TokenController
from accounts.web.users import UsersController

ROUTE_HANDLERS = [
    AuthController,
    LanguageController,
    AccountController,
    TokenController,
    UsersController,
]
