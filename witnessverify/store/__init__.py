"""Where results are kept: the SQLite history of checks (`history.py`)."""

from .history import SCHEMA_VERSION, CheckRecord, History, HistoryError, default_path

__all__ = ["History", "HistoryError", "CheckRecord", "SCHEMA_VERSION", "default_path"]
