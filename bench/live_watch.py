"""The watchers' side of bench/booking_rush.py --watchers: start them (bench/ws_watchers.py,
its own process), collect what they saw, and sum it up per round."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]


class Watchers:
    """`len(tokens)` residents subscribed to the event, split over the servers' ports."""

    def __init__(
        self, ports: list[int], tokens: list[str], event_gid: str, *, dsn: str, event_id: int
    ) -> None:
        self._tokens = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)  # noqa: SIM115
        self._tokens.write("\n".join(tokens) + "\n")
        self._tokens.close()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.ws_watchers",
                "--ports",
                ",".join(map(str, ports)),
                "--tokens",
                self._tokens.name,
                "--event",
                event_gid,
                "--dsn",
                dsn,
                "--event-id",
                str(event_id),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("READY"):
            self.process.kill()
            raise RuntimeError(f"watchers did not start: {line!r}")
        self.ready_line = line.strip()

    def report(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("REPORT\n")
        self.process.stdin.flush()
        report: dict[str, Any] = orjson.loads(self.process.stdout.readline())
        self.process.wait(timeout=30)
        Path(self._tokens.name).unlink()
        return report


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(report: dict[str, Any]) -> dict[str, Any]:
    """Pushes per subscriber, and the delay from the last booking's commit (its NOTIFY heard
    by a plain listener) to each subscriber's 0."""
    seen = report["watchers"]
    sold_out = report["sold_out_notified_at"]
    delays = [
        w["zero_at"] - sold_out for w in seen if w["zero_at"] is not None and sold_out is not None
    ]
    pushes = [w["pushes"] for w in seen]
    return {
        "watchers": len(seen),
        "missed_zero": sum(1 for w in seen if w["zero_at"] is None),
        "closed": sum(1 for w in seen if w["close"] is not None),
        "pushes_mean": statistics.fmean(pushes) if pushes else 0.0,
        "pushes_max": max(pushes, default=0),
        "zero_delay_p50_ms": 1000 * _pct(delays, 50) if delays else None,
        "zero_delay_p99_ms": 1000 * _pct(delays, 99) if delays else None,
        "zero_delay_max_ms": 1000 * max(delays) if delays else None,
        "watcher_cpu_s": report["cpu_seconds"],
    }


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def print_live(by_watchers: dict[int, list[dict[str, Any]]]) -> None:
    """Each round as it ran (interleaved), then each count's medians against none."""
    print("\nlive seats: rounds (watchers subscribed before the rush, split over the servers)")
    print(
        f"{'watchers':>8} {'book/s':>8} {'sell-out s':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'cpu ms/bk':>9} {'push/sub':>8} {'max':>4} {'to 0 p50':>9} {'p99 ms':>7} {'max ms':>7} {'missed':>6} "
        f"{'client cpu s':>12}"
    )
    count = max(len(runs) for runs in by_watchers.values())
    for i in range(count):
        for n, runs in by_watchers.items():
            if i >= len(runs):
                continue
            r = runs[i]
            live = r.get("live")
            tail = (
                f"{live['pushes_mean']:>8.1f} {live['pushes_max']:>4} "
                f"{live['zero_delay_p50_ms'] or float('nan'):>9.0f} "
                f"{live['zero_delay_p99_ms'] or float('nan'):>7.0f} "
                f"{live['zero_delay_max_ms'] or float('nan'):>7.0f} {live['missed_zero']:>6} "
                f"{live['watcher_cpu_s']:>12.1f}"
                if live
                else ""
            )
            print(
                f"{n:>8} {r['bookings_per_s']:>8.0f} {r['sell_out_s']:>10.2f} "
                f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                f"{r['server_cpu_ms_per_booking']:>9.2f} {tail}"
            )
    base_rate, base_time = (
        _median(by_watchers[0], "bookings_per_s"),
        _median(by_watchers[0], "sell_out_s"),
    )
    for n, runs in by_watchers.items():
        if not n:
            continue
        rate, took = _median(runs, "bookings_per_s"), _median(runs, "sell_out_s")
        p99 = max(r["live"]["zero_delay_p99_ms"] or float("inf") for r in runs)
        missed = sum(r["live"]["missed_zero"] for r in runs)
        cpu = _median(runs, "server_cpu_ms_per_booking") / _median(
            by_watchers[0], "server_cpu_ms_per_booking"
        )
        print(
            f"{n} watchers vs none (medians): bookings/s {rate / base_rate:.2f}x "
            f"(target >= 0.8 at 1,000, >= 0.6 at 4,000), sell-out time {took / base_time:.2f}x "
            f"(target <= 1.25); last booking -> 0 p99 worst round {p99:.0f} ms (target <= 1000), "
            f"missed {missed} (target 0); server CPU per booking {cpu:.2f}x"
        )
