"""Process-wide setup for the server, done once by the entry point (never on import)."""

from __future__ import annotations

import functools
import sys

from threadpoolctl import threadpool_limits


@functools.cache
def configure_process():
    """One BLAS thread and a 1 ms thread switch interval.

    The server's sessions share the cores with each other (and here with the browser):
    idle OpenBLAS threads spinning after each small product doubled a frame's CPU, and the
    training shapes gain nothing from a second thread. The event loop that reads a Pause
    click and every session's script thread share one GIL: at the default 5 ms interval a
    click waited for many turns while several sessions played."""
    threadpool_limits(1, user_api="blas")
    sys.setswitchinterval(0.001)
