"""The users of the load benchmark (`bench/load_bench.py`), one class per role, each with
a session of its own, reading its role's pages. `LOAD_ACCOUNTS` (JSON, set by the
benchmark) gives each role's pages and the session cookies logged in beforehand; the bare
handler's "role" has no session."""

from __future__ import annotations

import json
import os

from locust import FastHttpUser, between, task

ACCOUNTS: dict[str, dict] = json.loads(os.environ.get("LOAD_ACCOUNTS", "{}"))


class RoleUser(FastHttpUser):
    """Reads its role's pages in turn with a session the benchmark logged in beforehand
    (logging in is argon2's deliberate slowness, not what is measured)."""

    abstract = True
    wait_time = between(0, 0.05)
    role = ""
    started = 0

    def on_start(self) -> None:
        account = ACCOUNTS[self.role]
        self.pages = account["pages"]
        sessions = account.get("sessions") or [""]
        cls = type(self)
        self.cookie = sessions[cls.started % len(sessions)]
        cls.started += 1
        self.index = 0

    @task
    def read(self) -> None:
        path, headers, name = self.pages[self.index % len(self.pages)]
        self.index += 1
        if self.cookie:
            headers = {**headers, "Cookie": self.cookie}
        with self.client.get(path, headers=headers, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")


def _role_class(role: str) -> type[RoleUser]:
    return type(f"{role.title().replace('_', '')}User", (RoleUser,), {"role": role})


# One class per role named in LOAD_ACCOUNTS (the bare run names one: "bare").
for _role in ACCOUNTS:
    globals()[f"{_role}_user"] = _role_class(_role)
