"""A real portal server process and Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox(Message):
    """A real SMTP server's inbox (aiosmtpd): what the portal's mail delivery sent."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    inbox = Mailbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture(scope="session")
def portal_env(tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox) -> dict[str, str]:
    """The environment of the portal's processes: its database and the SMTP server above."""
    database = tmp_path_factory.mktemp("browser") / "portal.sqlite"
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PORTAL_ENV": "development",
        # The flows log in and out a dozen times within a minute, from one address.
        "LOGIN_ATTEMPTS_PER_MINUTE": "100",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),  # type: ignore[attr-defined]
        "SMTP_SENDER": "portal@dgro.example.be",
    }


def send_mail(env: dict[str, str]) -> str:
    """`portal send-mail`, as cron runs it: delivers the outbox to the SMTP server."""
    result = subprocess.run(
        [sys.executable, "-m", "portal", "send-mail"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@pytest.fixture(scope="session")
def live_server(portal_env: dict[str, str]) -> Iterator[str]:
    """`portal migrate`, `portal demo-data`, then `portal run` on a free port."""
    env = portal_env
    database = env["DATABASE_URL"].removeprefix("sqlite:///")
    for command in (["migrate"], ["demo-data"]):
        subprocess.run(
            [sys.executable, "-m", "portal", *command], env=env, check=True, capture_output=True
        )
    port = _free_port()
    log = Path(database).with_suffix(".log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "portal", "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"the portal did not start; see {log.name}")
        time.sleep(0.2)
    yield base_url
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    async with async_playwright() as playwright:
        instance = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        await instance.close()


@pytest.fixture
async def page(browser: Browser, live_server: str) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=live_server, locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    await context.close()
