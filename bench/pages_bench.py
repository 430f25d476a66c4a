"""Benchmark: the portal's pages against a bare handler on the same database, in one run.

    .venv/bin/python -m bench.pages_bench                       # SQLite, small preset
    .venv/bin/python -m bench.pages_bench --postgres --preset large

Loads a generated dataset through the real import, starts the portal (`portal run`) and
the bare handler (`bench/bare_app.py`) with uvicorn, one and two workers, and drives
each with an asyncio load generator (httpx, keep-alive): p50/p95 with one client and
the throughput with four. Prints each page's figures, the bare handler's and the ratio.
Targets (issue 7): the dashboard fragment at least half the bare handler's throughput;
every page's p95 under 100 ms with one client.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.eligibility_bench import load_dataset, open_run, preset_arguments

PASSWORD = "bench-password-2026"  # noqa: S105 - a throw-away database
USER = "bench@dgro.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - our own commands
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its workers are stopped with it, as one process group
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    sys.exit(f"{command[0]} did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    """Stop the server and every worker it started (its process group)."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


async def login(base: str) -> httpx.Cookies:
    return await login_as(base, USER, PASSWORD)


async def login_as(base: str, email: str, password: str) -> httpx.Cookies:
    """A fresh session of `email` on the portal at `base` (through the login form)."""
    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        assert token, "no CSRF token on the login page"
        answer = await client.post(
            "/login", data={"email": email, "password": password, "_csrf_token": token.group(1)}
        )
        assert answer.status_code == 303, (email, answer.status_code)
        return client.cookies


async def drive(
    url: str, clients: int, seconds: float, headers: dict[str, str], cookies: httpx.Cookies | None
) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p95 ms) of `clients` loops on `url` for `seconds`."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def loop(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.get(url, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(cookies=cookies, limits=limits, timeout=60) as client:
        await client.get(url, headers=headers)  # warm up
        started = time.perf_counter()
        await asyncio.gather(*(loop(client) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    return len(latencies) / elapsed, statistics.median(ordered) * 1000, p95 * 1000


def measure(url, headers, cookies, seconds):
    single = asyncio.run(drive(url, 1, seconds, headers, cookies))
    loaded = asyncio.run(drive(url, 4, seconds, headers, cookies))
    return single, loaded


def main() -> None:
    parser = preset_arguments(__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        folder = Path(tmp)
        env, sizes = open_run(args, folder)
        day = asyncio.run(load_dataset(folder, *sizes, seed=1, user=(USER, PASSWORD)))
        code = "ORG0000"
        pages = {
            "dashboard": (f"/organisations/{code}?as_of={day}", {}),
            "dashboard fragment": (f"/organisations/{code}?as_of={day}", {"HX-Request": "true"}),
            "look-ahead fragment": (
                f"/organisations/{code}/look-ahead?as_of={day}",
                {"HX-Request": "true"},
            ),
            "overview": (f"/organisations?as_of={day}", {}),
            "staff register": (f"/organisations/{code}/staff", {}),
        }
        bin_dir = Path(sys.executable).parent
        for workers in args.workers:
            portal_port, bare_port = free_port(), free_port()
            portal = start(
                [
                    str(bin_dir / "portal"),
                    "run",
                    "--port",
                    str(portal_port),
                    "--web-concurrency",
                    str(workers),
                ],
                portal_port,
                env,
            )
            bare = start(
                [
                    str(bin_dir / "uvicorn"),
                    "bench.bare_app:app",
                    "--port",
                    str(bare_port),
                    "--workers",
                    str(workers),
                    "--no-access-log",
                ],
                bare_port,
                env,
            )
            try:
                cookies = asyncio.run(login(f"http://127.0.0.1:{portal_port}"))
                (b1, b4) = measure(
                    f"http://127.0.0.1:{bare_port}/bare/{code}", {}, None, args.seconds
                )
                print(
                    f"\n{workers} worker(s); bare handler: p50 {b1[1]:.1f} ms, p95 {b1[2]:.1f} ms, "
                    f"{b4[0]:.0f} req/s with 4 clients"
                )
                print(
                    f"{'page':<22}{'p50 ms':>8}{'p95 ms':>8}{'req/s (4)':>11}"
                    f"{'÷ bare req/s':>14}{'p95 < 100 ms':>14}"
                )
                for name, (path, headers) in pages.items():
                    one, four = measure(
                        f"http://127.0.0.1:{portal_port}{path}", headers, cookies, args.seconds
                    )
                    print(
                        f"{name:<22}{one[1]:>8.1f}{one[2]:>8.1f}{four[0]:>11.0f}"
                        f"{four[0] / b4[0]:>14.2f}{'yes' if one[2] < 100 else 'no':>14}"
                    )
            finally:
                stop(portal)
                stop(bare)


if __name__ == "__main__":
    main()
