"""A real `portal run` in a subprocess, on the suite's own database (already migrated by
the session fixture), for what only a real server shows: uvicorn's handling of forwarded
headers, the OpenAPI schema exercised over HTTP, and the server's log (uvicorn's access
log, Litestar's and the portal's own lines) as an operator reads it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import DATABASE_URL


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerLog:
    """The server's whole output, filled in once the server has stopped."""

    text: str = ""


@contextmanager
def portal_run_logged(**environ: str) -> Iterator[tuple[str, ServerLog]]:
    """`portal run` on a free port of 127.0.0.1 with the given settings: its base URL, and
    its log, read when the block ends and the server has shut down (every line flushed)."""
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "PORTAL_ENV": "development",
        "PYTHONUNBUFFERED": "1",
        **environ,
    }
    if "FORWARDED_ALLOW_IPS" not in environ:
        env.pop("FORWARDED_ALLOW_IPS", None)
    if "PUBLIC_URL" not in environ:
        env.pop("PUBLIC_URL", None)
    port = _free_port()
    log = ServerLog()
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as file:
        log_path = Path(file.name)
        server = subprocess.Popen(
            [sys.executable, "-m", "portal", "run", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/health", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"portal run did not start: {log_path.read_text()}")
            time.sleep(0.1)
        yield base_url, log
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.text = log_path.read_text()
        log_path.unlink(missing_ok=True)


@contextmanager
def portal_run(**environ: str) -> Iterator[str]:
    """`portal run` on a free port of 127.0.0.1 with the given settings; its base URL."""
    with portal_run_logged(**environ) as (base_url, _log):
        yield base_url
