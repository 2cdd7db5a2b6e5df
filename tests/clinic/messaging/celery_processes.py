"""Real Celery workers and beat for the end-to-end tests, each a separate process.

Each process leads its own process group, so killing the group takes the worker's pool
children with it, as a machine that loses power would. Output goes to a log file per
process; the messaging conftest adds the end of each log to a failing test's report.
"""

import os
import re
import signal
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# What a worker logs when a dispatch run has finished.
DISPATCH_FINISHED = re.compile(r"dispatch_due_messages\[[0-9a-f-]+\] succeeded")
LOG_TAIL_LINES = 300


class CeleryProcesses:
    def __init__(self, *, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}
        self.pool_sizes: dict[str, int] = {}

    def _start(self, name: str, *arguments: str) -> subprocess.Popen[bytes]:
        if name in self.running:
            raise ValueError(f"{name} is already running")
        log = self.log_dir / f"{name}.log"
        self.logs[name] = log
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "--app", "clinic", *arguments],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process
        return process

    def worker(self, name: str, *, concurrency: int = 1) -> subprocess.Popen[bytes]:
        self.pool_sizes[name] = concurrency
        # No gossip, mingle or heartbeat: they only slow the start and add chatter.
        return self._start(
            name, "worker", "--hostname", f"{name}@%h", "--concurrency", str(concurrency),
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
        )  # fmt: skip

    def beat(self) -> subprocess.Popen[bytes]:
        # The schedule lives in the database (django-celery-beat); the file named here
        # only keeps beat from writing one into the project folder.
        return self._start(
            "beat", "beat", "--loglevel", "INFO",
            "--schedule", str(self.log_dir / "beat-schedule"),
        )  # fmt: skip

    def kill(self, name: str) -> int:
        """SIGKILL the whole process group: no warm shutdown, no chance to tidy up."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait(timeout=30)

    def stop_all(self) -> None:
        """Ask each to stop, then kill what is left; nothing may outlive the test."""
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=15)
            # The pool's children too, even when the parent has gone already.
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        self.running.clear()

    def concurrency(self) -> int:
        """How many tasks the running workers may run at once."""
        return sum(self.pool_sizes.get(name, 0) for name in self.running)

    def exited(self) -> dict[str, int]:
        """Processes that stopped by themselves, with their exit codes."""
        return {
            name: code
            for name, process in self.running.items()
            if (code := process.poll()) is not None
        }

    def log(self, name: str) -> str:
        path = self.logs.get(name)
        if path is None or not path.exists():
            return ""
        return path.read_text(errors="replace")

    def dispatch_runs_finished(self) -> int:
        """How many dispatch runs the workers have finished, by their logs."""
        return sum(
            len(DISPATCH_FINISHED.findall(self.log(name))) for name in self.logs if name != "beat"
        )

    def log_tails(self) -> list[tuple[str, str]]:
        return [
            (name, "\n".join(self.log(name).splitlines()[-LOG_TAIL_LINES:])) for name in self.logs
        ]
