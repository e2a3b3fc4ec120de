"""Continuous spot-checking: `watch` (a daemon) and `spot-check` (one pass, for cron).

`schedule.py` chooses the blocks, `daemon.py` follows the head and judges them with the
tie-breaker, recording each in the history (`store/`); `metrics.py` (Prometheus), `alerts.py`
(webhook), `status.py` (the status page and /metrics) and `logs.py` only observe.
"""
