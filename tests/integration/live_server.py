"""A real `portal run` in a subprocess, on the suite's own database (already migrated by
the session fixture), for what only a real server shows: uvicorn's handling of forwarded
headers, and the OpenAPI schema exercised over HTTP."""

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
from pathlib import Path

from tests.conftest import DATABASE_URL


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def portal_run(**environ: str) -> Iterator[str]:
    """`portal run` on a free port of 127.0.0.1 with the given settings; its base URL."""
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "PORTAL_ENV": "development",
        **environ,
    }
    if "FORWARDED_ALLOW_IPS" not in environ:  # the default: no proxy
        env.pop("FORWARDED_ALLOW_IPS", None)
    port = _free_port()
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "portal", "run", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
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
                raise RuntimeError(f"portal run did not start: {Path(log.name).read_text()}")
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
        Path(log.name).unlink(missing_ok=True)
