"""Load: many logged-in users of every role at once (locust) against `portal run` with
several worker processes on PostgreSQL, and the same run against the bare handler.

    .venv/bin/python -m bench.load_bench                          # PostgreSQL, small preset
    .venv/bin/python -m bench.load_bench --preset large --users 80 --seconds 60
    make load

Loads the preset through the real import, gives one organisation a DG R&O user, a PRO
Partner, HR, an evaluator with a team and a staff member (cycles generated), starts the
portal with `--web-concurrency` workers and the bare handler (`bench/bare_app.py`) with as
many, then:

1. every role's pages at once, `--users` locust users spread over the roles, each with a
   session of its own: requests, failures (must be 0), p50/p95/p99 per page;
(first `--warmup` seconds of the same load, not counted: every worker loads its
templates, modules and caches)
2. the dashboard fragment (htmx) alone with `--users` users, and the bare handler (one
   hand-written query and a small template) with as many: the throughput ratio (target:
   at least 0.5).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.eligibility_bench import load_dataset, open_run, preset_arguments
from bench.pages_bench import PASSWORD, USER, free_port, start, stop

CODE = "ORG0000"
ROLE_PASSWORD = "load-bench-password-2026"  # noqa: S105 - a throw-away database


async def prepare_roles(day) -> dict[str, dict]:
    """The accounts of every role in one organisation, and each role's pages."""
    from accounts.service import save_user
    from core.audit import Actor
    from core.database import current_engine
    from cycles.service import generate
    from cycles.tables import EvaluationCycle, EvaluatorAssignment
    from organisations.tables import StaffMember

    engine = current_engine()
    if hasattr(engine, "start_connection_pool"):
        await engine.start_connection_pool()
    staff = await (
        StaffMember.select(StaffMember.id, StaffMember.email, StaffMember.start_date)
        .where((StaffMember.organisation.code == CODE) & StaffMember.end_date.is_null())
        .order_by(StaffMember.id)
        .limit(12)
    )
    evaluator, team = staff[0], staff[1:]
    await EvaluatorAssignment.insert(
        *[
            EvaluatorAssignment(
                staff=member["id"], role="first", evaluator=evaluator["id"],
                from_on=member["start_date"],
            )
            for member in team
        ]
    )  # fmt: skip
    await generate(Actor.command_line("load-bench"), day, CODE)
    cycle = (
        await EvaluationCycle.select(EvaluationCycle.id)
        .where(EvaluationCycle.staff == team[0]["id"])
        .order_by(EvaluationCycle.starts_on, ascending=False)
        .first()
    )
    accounts = {
        "partner": (f"partner@{CODE.lower()}.load.example", ["pro_partner"]),
        "hr": (f"hr@{CODE.lower()}.load.example", ["hr"]),
        "evaluator": (evaluator["email"], ["evaluator", "staff"]),
        "staff": (team[0]["email"], ["staff"]),
    }
    for email, roles in accounts.values():
        await save_user(email, email, roles, CODE, ROLE_PASSWORD, command="load-bench")
    if hasattr(engine, "close_connection_pool"):
        await engine.close_connection_pool()
    htmx = {"HX-Request": "true"}
    dossier = f"/cycles/{cycle['id']}" if cycle else "/my/dossier"
    return {
        "dgro": {
            "email": USER, "password": PASSWORD,
            "pages": [
                (f"/organisations?as_of={day}", {}, "overview"),
                (f"/organisations/{CODE}?as_of={day}", htmx, "dashboard fragment"),
                ("/certificates/queue", {}, "verification queue"),
                ("/audit", {}, "audit log"),
            ],
        },
        "partner": {
            "email": accounts["partner"][0], "password": ROLE_PASSWORD,
            "pages": [
                (f"/organisations/{CODE}?as_of={day}", {}, "dashboard"),
                (f"/organisations/{CODE}/staff", {}, "staff register"),
                (f"/organisations/{CODE}/qchecks", {}, "organisation Q-checks"),
            ],
        },
        "hr": {
            "email": accounts["hr"][0], "password": ROLE_PASSWORD,
            "pages": [
                (f"/organisations/{CODE}/cycles", {}, "HR cycle status"),
                (f"/organisations/{CODE}/functions", {}, "functions"),
            ],
        },
        "evaluator": {
            "email": accounts["evaluator"][0], "password": ROLE_PASSWORD,
            "pages": [("/team", {}, "my team"), (dossier, {}, "a team member's dossier")],
        },
        "staff": {
            "email": accounts["staff"][0], "password": ROLE_PASSWORD,
            "pages": [(dossier, {}, "my dossier"), ("/competencies", {}, "competency model")],
        },
    }  # fmt: skip


def percentile(times: dict[str, int], share: float) -> float:
    """The response time (ms) under which `share` of the requests fell, from locust's
    histogram of rounded times."""
    total = sum(times.values())
    seen = 0
    for value, count in sorted((float(k), v) for k, v in times.items()):
        seen += count
        if seen >= share * total:
            return value
    return 0.0


async def log_in_sessions(host: str, accounts: dict, per_role: int) -> None:
    """Log every role in `per_role` times (a session each) and keep the cookies."""
    from bench.pages_bench import login_as

    for account in accounts.values():
        account["sessions"] = []
        for _ in range(per_role):
            cookies = await login_as(host, account["email"], account["password"])
            account["sessions"].append("; ".join(f"{k}={v}" for k, v in cookies.items()))


def run_locust(host: str, accounts: dict, users: int, seconds: int) -> list[dict]:
    env = {**os.environ, "LOAD_ACCOUNTS": json.dumps(accounts)}
    done = subprocess.run(  # noqa: S603 - our own locustfile
        [
            str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py",
            "--headless", "--users", str(users), "--spawn-rate", str(max(users // 2, 1)),
            "--run-time", f"{seconds}s", "--host", host, "--json", "--only-summary",
            "--loglevel", "ERROR", "--stop-timeout", "5",
        ],
        env=env, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.exit(f"locust failed: {done.stderr[-2000:]}")


def report(stats: list[dict], seconds: int) -> tuple[int, int]:
    print(f"{'page':<28}{'requests':>9}{'fail':>6}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}  ms")
    requests = failures = 0
    for entry in sorted(stats, key=lambda e: e["name"]):
        times = entry["response_times"]
        requests += entry["num_requests"]
        failures += entry["num_failures"]
        print(
            f"{entry['name']:<28}{entry['num_requests']:>9}{entry['num_failures']:>6}"
            f"{entry['num_requests'] / seconds:>8.0f}{percentile(times, 0.5):>7.0f}"
            f"{percentile(times, 0.95):>7.0f}{percentile(times, 0.99):>7.0f}"
        )
    return requests, failures


def main() -> None:
    parser = preset_arguments(__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load first, not counted")
    args = parser.parse_args()
    args.postgres = not args.sqlite
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        folder = Path(tmp)
        env, sizes = open_run(args, folder)
        day = asyncio.run(load_dataset(folder, *sizes, seed=1, user=(USER, PASSWORD)))
        accounts = asyncio.run(prepare_roles(day))
        env = {**env, "LOGIN_ATTEMPTS_PER_MINUTE": "1000000"}
        bin_dir = Path(sys.executable).parent
        portal_port, bare_port = free_port(), free_port()
        portal = start(
            [str(bin_dir / "portal"), "run", "--port", str(portal_port),
             "--web-concurrency", str(args.workers)],
            portal_port, env,
        )  # fmt: skip
        bare = start(
            [str(bin_dir / "uvicorn"), "bench.bare_app:app", "--port", str(bare_port),
             "--workers", str(args.workers), "--no-access-log"],
            bare_port, env,
        )  # fmt: skip
        try:
            host = f"http://127.0.0.1:{portal_port}"
            print(f"\n1. {args.users} users of every role for {args.seconds} s, "
                  f"{args.workers} worker(s)")  # fmt: skip
            asyncio.run(log_in_sessions(host, accounts, max(args.users // len(accounts), 1)))
            if args.warmup:  # every worker loads its templates, caches and modules first
                run_locust(host, accounts, args.users, args.warmup)
            requests, failures = report(
                run_locust(host, accounts, args.users, args.seconds), args.seconds
            )
            print(f"all pages: {requests:,} requests, {failures} failed")
            fragment = {"dgro": {**accounts["dgro"], "pages": [accounts["dgro"]["pages"][1]]}}
            bare_pages = {"bare": {"pages": [(f"/bare/{CODE}", {}, "bare handler")]}}
            print(f"\n2. the dashboard fragment and the bare handler, {args.users} users each")
            portal_stats = run_locust(host, fragment, args.users, args.seconds)
            bare_stats = run_locust(
                f"http://127.0.0.1:{bare_port}", bare_pages, args.users, args.seconds
            )
            report(portal_stats + bare_stats, args.seconds)
            portal_rate = next(e for e in portal_stats if e["name"] == "dashboard fragment")
            bare_rate = next(e for e in bare_stats if e["name"] == "bare handler")
            ratio = portal_rate["num_requests"] / max(bare_rate["num_requests"], 1)
            print(f"dashboard fragment ÷ bare handler throughput: {ratio:.2f} (target 0.5)")
            if failures or portal_rate["num_failures"]:
                sys.exit("some requests failed")
        finally:
            stop(portal)
            stop(bare)


if __name__ == "__main__":
    main()
