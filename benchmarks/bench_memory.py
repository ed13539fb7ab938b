"""Peak memory of an idle bot whose database holds many registered users.

The bot runs in a child process, so the figure is its own: it opens the database, builds the
Telegram application on an offline Bot API, answers one /start, and reports its peak resident
memory as the kernel counts it for that process (`VmHWM`). `ru_maxrss` would not do: after
fork and exec a child's counter starts at its parent's peak, which is how a 92 MiB bot was once
reported as 189 MiB when run from the benchmark suite.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_prompts import fill_users
from benchmarks.bench_updates import command_update
from tests.offline import TOKEN, OfflineApi


async def _idle_bot(db_path: Path) -> None:
    from telegram import Update

    from bot.engine import Engine
    from bot.telegram_bot import build_application
    from storage.sqlite.db import Database
    from storage.sqlite.store import Store

    db = await Database.open(db_path)
    app = build_application(TOKEN, Engine(Store(db)), request=OfflineApi(), rate_limit=False)
    async with app:
        await app.process_update(Update.de_json(command_update(1, 99_999_999, "/start"), app.bot))
    await db.close()


def child(db_path: Path) -> None:
    """Run the idle bot and print its peak resident memory in MiB."""
    asyncio.run(_idle_bot(db_path))
    loaded = sorted(name for name in ("fpdf", "matplotlib", "numpy") if name in sys.modules)
    if loaded:
        raise AssertionError(f"an idle bot should not load {', '.join(loaded)}")
    print(peak_mib())


def peak_mib() -> float:
    """This process's own peak resident memory (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status: this benchmark needs Linux")


def run(scale: float = 1.0) -> dict[str, float]:
    """Measure with `scale` times 100,000 registered users."""
    users = max(100, round(100_000 * scale))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "memory.db"
        fill_users(path, users)
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_memory", "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    return {"users": float(users), "peak_rss_mib": float(result.stdout.strip().splitlines()[-1])}


def main() -> None:
    """Print the figure for 100,000 registered users."""
    figures = run(1.0)
    print(
        f"idle bot with {figures['users']:,.0f} registered users: "
        f"peak memory {figures['peak_rss_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]))
    else:
        main()
