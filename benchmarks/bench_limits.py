"""A patient's reply during a wave of check-in prompts: how long it waits for its slot.

A wave of prompts is queued on the send limiter at Telegram's pace (29.4 a second), then a
patient presses a button and the bot's reply asks for a slot. The baseline is
python-telegram-bot's AIORateLimiter at the same pace (first come, first served); BackTrack's
FairLimiter gives replies the next slot. Both in the same run.

    python -m benchmarks.bench_limits [--prompts N]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

from bot.limits import BULK, FairLimiter
from bot.telegram_bot import SEND_RATE


async def _reply_wait(limiter: BaseRateLimiter[int], prompts: int) -> float:
    await limiter.initialize()

    async def send() -> bool:
        return True

    try:
        wave = [
            asyncio.create_task(
                limiter.process_request(send, (), {}, "sendMessage", {"chat_id": n + 2}, BULK)
            )
            for n in range(prompts)
        ]
        await asyncio.sleep(0.2)
        start = time.perf_counter()
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None)
        waited = time.perf_counter() - start
        await asyncio.gather(*wave)
        return waited
    finally:
        await limiter.shutdown()


def run(prompts: int = 150) -> dict[str, float]:
    """The reply's wait behind the wave, with each limiter, and their ratio."""

    async def both() -> tuple[float, float]:
        baseline = AIORateLimiter(overall_max_rate=1, overall_time_period=1 / SEND_RATE)
        fifo = await _reply_wait(baseline, prompts)
        fair = await _reply_wait(FairLimiter(SEND_RATE), prompts)
        return fifo, fair

    fifo, fair = asyncio.run(both())
    return {"prompts": float(prompts), "fifo_s": fifo, "fair_s": fair, "ratio": fifo / fair}


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prompts", type=int, default=150)
    f: dict[str, Any] = run(parser.parse_args(argv).prompts)
    print(
        f"a reply during a wave of {f['prompts']:.0f} prompts waits {f['fifo_s']:.2f} s with "
        f"AIORateLimiter, {f['fair_s'] * 1000:.0f} ms with FairLimiter ({f['ratio']:.0f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
