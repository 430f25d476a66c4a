"""Exit 0 when the PostgreSQL at the URL given answers, 1 otherwise (used by `make test`)."""

import asyncio
import sys

import asyncpg


async def main(url: str) -> int:
    try:
        connection = await asyncpg.connect(
            url.replace("postgresql://", "postgres://", 1), timeout=5
        )
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return 1
    await connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
