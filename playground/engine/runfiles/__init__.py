"""Run files: a trainer, its data and its history as one ``.json`` or ``.npz`` file, to
download, continue and share.

:mod:`.files` writes and reads them; :mod:`.schema` holds the format, one table of every
field's domain, and the checks written from it; :mod:`.progress` checks a run's progress
(counters, history, optimizer state) against that table. Every field is checked before a
run is loaded.
"""

from .files import history_csv, load_run, run_to_json, run_to_npz
from .schema import VERSION, RunFileError

__all__ = ["VERSION", "RunFileError", "history_csv", "load_run", "run_to_json", "run_to_npz"]
