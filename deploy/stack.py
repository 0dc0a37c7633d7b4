"""The deploy/up stack driven from Python: for the browser test and the capacity benchmark.

``start_stack(n, run_dir)`` runs ``deploy/up`` on free 127.0.0.1 ports (HAProxy, its stats
page and n consecutive app ports) in a new session and returns once HAProxy reports every app
process UP; ``Stack.stop()`` stops supervisord by its PID and then kills, by PID, any process
of the stack still alive (supervisor puts each program in a process group of its own, so a
process-group kill of supervisord would miss them).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

UP = Path(__file__).resolve().parent / "up"
MISSING = ("haproxy or supervisord not found: apt-get install -y haproxy supervisor "
           "(Debian packages)")


def missing_tools():
    """None if haproxy and supervisord are installed, else a hint."""
    for program in ("haproxy", "supervisord"):
        if not any(os.access(p, os.X_OK) for p in (shutil.which(program) or "",
                                                   f"/usr/sbin/{program}",
                                                   f"/usr/bin/{program}")):
            return MISSING
    return None


def _bindable(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(n):
    """n consecutive free 127.0.0.1 ports (the app processes' ports are consecutive)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n < 65536 and all(_bindable(p) for p in range(base, base + n)):
            return base
    raise RuntimeError(f"no {n} consecutive free ports")


def _descendants(pid):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Stack:
    def __init__(self, proc, n, run_dir, port, base_port, stats_port):
        self.proc, self.n, self.run_dir = proc, n, Path(run_dir)
        self.url = f"http://127.0.0.1:{port}"
        self.stats_url = f"http://127.0.0.1:{stats_port}/;csv"
        self.names = [f"app-{p}" for p in range(base_port, base_port + n)]

    def stats(self):
        """HAProxy's stats CSV: {server name: row} for the app processes."""
        with urllib.request.urlopen(self.stats_url, timeout=5) as resp:
            text = resp.read().decode().lstrip("# ")
        return {row["svname"]: row for row in csv.DictReader(io.StringIO(text))
                if row["pxname"] == "apps" and row["svname"] in self.names}

    def ctl(self, *args):
        """supervisorctl against this stack, e.g. ctl("stop", "app:app-8600")."""
        return subprocess.run(["supervisorctl", "-c", str(self.run_dir / "supervisord.conf"),
                               *args], capture_output=True, text=True, timeout=30).stdout

    def app_pids(self):
        """{process name: PID} of the running app processes."""
        pids = {}
        for line in self.ctl("status").splitlines():
            parts = line.replace(",", " ").split()
            if len(parts) > 3 and parts[1] == "RUNNING" and parts[2] == "pid":
                pids[parts[0].split(":")[-1]] = int(parts[3])
        return {name: pid for name, pid in pids.items() if name in self.names}

    def logs(self):
        """The stack's logs, for a failure message."""
        out = []
        for path in sorted(self.run_dir.glob("**/*.log")):
            out.append(f"--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(out)

    def stop(self):
        """Stop supervisord (it stops its programs), then kill leftovers by PID."""
        if self.proc.poll() is None:
            leftovers = _descendants(self.proc.pid)
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            for pid in leftovers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def start_stack(n, run_dir, log=None, timeout=120, python=sys.executable):
    """``deploy/up -n n`` on free ports; returns a :class:`Stack` once every app is UP in
    HAProxy's health checks. Raises RuntimeError (after stopping it) otherwise."""
    port = free_ports(1)
    stats_port = port
    while stats_port == port:
        stats_port = free_ports(1)
    base_port = port
    while not set(range(base_port, base_port + n)).isdisjoint({port, stats_port}):
        base_port = free_ports(n)
    cmd = [sys.executable, str(UP), "-n", str(n), "--port", str(port), "--stats-port",
           str(stats_port), "--base-port", str(base_port), "--run-dir", str(run_dir),
           "--python", python]
    proc = subprocess.Popen(cmd, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    stack = Stack(proc, n, run_dir, port, base_port, stats_port)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if all(row["status"] == "UP" for row in stack.stats().values()) and \
                    len(stack.stats()) == n:
                return stack
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stack.stop()
            raise RuntimeError(f"the stack did not come up within {timeout} s (exit code "
                               f"{proc.returncode})\n{stack.logs()}")
        time.sleep(0.3)
