"""Range audits: verify many blocks, in a process pool or on a Dask distributed cluster.

Work travels as bytes: each job is one bundle's JSON (`witnessverify-bundle/1`) and a name; a
worker (`verify_bytes`, a plain function of plain data, so any process or machine with the
package can run it) returns the verdict as a plain dict. Jobs come from bundle files, folders of
them, tar or zip archives of them, or a block range fetched from nodes by hash (the fetching
stays in the calling process, one request at a time per node). With `--db`, each result is
written to the history as it arrives (mode "audit"), and blocks already there are skipped, so an
interrupted audit resumes where it stopped.
"""

from __future__ import annotations

import os
import tarfile
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional

import rlp
from eth_hash.auto import keccak

from . import progress
from .errors import InputError

MAX_IN_FLIGHT_PER_WORKER = 2  # bundles held at once per worker: memory stays bounded


@dataclass
class Job:
    name: str
    data: bytes  # a bundle's JSON; empty for a file (`path`) or when fetching failed (`error`)
    error: str = ""
    key: Optional[tuple[int, int, str]] = None  # (chain id, number, hash) when known before verifying
    path: Optional[str] = None  # a bundle file the worker reads itself: paths travel, not bytes
    # or a worker function and its arguments (audit_fetch.py: a height the worker fetches)
    runner: Optional[tuple] = None

    def task(self, chain: Optional[str]) -> tuple:
        """(function, arguments) a worker runs for this job."""
        if self.runner is not None:
            fn, args = self.runner
            return fn, (*args, chain)
        if self.path is not None:
            return verify_path, (self.name, self.path, chain)
        return verify_bytes, (self.name, self.data, chain)


def verify_path(name: str, path: str, chain: Optional[str] = None) -> dict:
    """The worker for a bundle file: reads it where it runs (a cluster's workers share the
    files' folder), then as verify_bytes."""
    try:
        st = os.stat(path)
        data = Path(path).read_bytes()
    except OSError as exc:
        return _unreadable(name, f"{path}: cannot read: {exc.strerror}")
    out = verify_bytes(name, data, chain)
    # which file, as it was: a resumed audit skips it by these alone, reading nothing
    out["file"] = {"path": path, "size": st.st_size, "mtimeNs": st.st_mtime_ns}
    return out


def file_state(path: str) -> Optional[tuple[int, int]]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def resumable(jobs: Iterator[Job], done_keys: set, done_files: dict, skipped: Callable[[], None]) -> Iterator[Job]:
    """The jobs a resumed audit still has to do. A bundle file recorded with the same size and
    modification time is skipped by its path alone, unread; other inputs by their block's key,
    read here (archive members are in hand already; files recorded before sizes were kept are
    read by their worker, and a block recorded twice is refused by the history)."""
    for job in jobs:
        if job.path is not None:
            if done_files and done_files.get(job.path) == file_state(job.path):
                skipped()
                continue
        elif done_keys and job.key is None:  # an archive member: its bytes are in hand
            job.key = job_key(job.data) if job.data else None
            if job.key is not None and job.key in done_keys:
                skipped()
                continue
        yield job


def _unreadable(name: str, reason: str) -> dict:
    """The worker's result for a bundle it could not read or parse."""
    return {"source": name, "verdict": "ERROR", "reason": reason, "chainId": None,
            "block": {"number": None, "hash": None}, "gasUsed": 0, "seconds": 0.0}


def verify_bytes(name: str, data: bytes, chain: Optional[str] = None) -> dict:
    """The worker: one bundle's JSON bytes in, its verdict as a JSON-able dict out."""
    from .bundle import BUNDLE_FORMAT
    from .safeparse import load_json
    from .sources import bundle_from_json
    from .sources.detect import shaped

    started = time.process_time()
    try:
        doc = load_json(data, name)
        if not isinstance(doc, dict) or doc.get("format") != BUNDLE_FORMAT:
            raise InputError(f"{name}: not a witnessverify bundle ({BUNDLE_FORMAT})")
        bundle = shaped("bundle", name, lambda: bundle_from_json(doc, Path(name)))
    except InputError as exc:
        return _unreadable(name, str(exc))
    return judged(bundle, chain, started)


def judged(bundle, chain: Optional[str], started: float) -> dict:
    """A bundle's verdict as a JSON-able dict, with the CPU seconds since `started`."""
    from .pipeline import verify_bundle
    from .report import to_json

    outcome = verify_bundle(bundle, chain)
    out = to_json(outcome)
    out["internal"] = bool(getattr(outcome, "internal", False))
    out["cpuSeconds"] = round(time.process_time() - started, 6)
    return out


def job_key(data: bytes) -> Optional[tuple[int, int, str]]:
    """(chain id, number, hash) of a bundle's block, read cheaply, or None if unreadable."""
    from .safeparse import load_json

    try:
        doc = load_json(data, "bundle")
        header = rlp.decode(bytes.fromhex(doc["block"][2:]))[0]
        return (int(doc.get("chainId") or 0), int.from_bytes(header[8], "big"),
                "0x" + keccak(rlp.encode(header)).hex())
    except Exception:  # noqa: BLE001 - unreadable here: the worker names the problem
        return None


# -- where jobs come from -----------------------------------------------------------------------

def jobs_from_paths(paths: list[str], meter: Optional[progress.Counter] = None) -> Iterator[Job]:
    """Bundle files, folders of them (recursively), and tar / zip archives of them. The folders
    are listed first, so `meter` learns the total at once (a tar archive's members when the
    run reaches it: listing them means reading it)."""
    found: list[tuple[str, Path]] = []
    for p in map(Path, paths):
        if not p.exists():
            found.append(("missing", p))
        elif p.is_dir():
            found += [("file", f) for f in sorted(x for x in p.rglob("*.json") if not any(part.startswith(".") for part in x.parts))
                      if not f.name.upper().startswith(("PROVENANCE", "README"))]
        elif tarfile.is_tarfile(p):
            found.append(("tar", p))
        elif zipfile.is_zipfile(p):
            found.append(("zip", p))
        else:
            found.append(("file", p))
    learn = meter.learn if meter is not None else (lambda n: None)
    learn(sum(kind in ("file", "missing") for kind, _ in found))
    for kind, p in found:
        if kind == "missing":
            yield Job(str(p), b"", f"{p}: no such file or folder")
        elif kind == "tar":
            yield from _tar_jobs(p, learn)
        elif kind == "zip":
            with zipfile.ZipFile(p) as z:
                members = sorted((i for i in z.infolist() if i.filename.endswith(".json") and not i.is_dir()),
                                 key=lambda i: i.filename)
                learn(len(members))
                for info in members:
                    yield Job(f"{p}!{info.filename}", z.read(info))
        else:
            yield _file_job(p)


def _file_job(f: Path) -> Job:
    if not os.access(f, os.R_OK):
        return Job(str(f), b"", f"{f}: cannot read: permission denied")
    return Job(str(f), b"", path=str(f.resolve()))


def _tar_jobs(p: Path, learn: Callable[[int], None]) -> Iterator[Job]:
    with tarfile.open(p) as t:
        members = sorted((m for m in t.getmembers() if m.isfile() and m.name.endswith(".json")), key=lambda m: m.name)
        learn(len(members))
        for m in members:
            f = t.extractfile(m)
            yield Job(f"{p}!{m.name}", f.read() if f else b"")


# -- where jobs run ------------------------------------------------------------------------------

class LocalPool:
    """A process pool on this machine."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers)

    def run(self, jobs: Iterator[Job], chain: Optional[str]) -> Iterator[tuple[Job, dict]]:
        pending: dict = {}
        limit = self.workers * MAX_IN_FLIGHT_PER_WORKER
        for job in jobs:
            if job.error:
                yield job, _error(job)
                continue
            fn, args = job.task(chain)
            pending[self.pool.submit(fn, *args)] = job
            if len(pending) >= limit:
                yield from self._drain(pending, wait_all=False)
        while pending:
            yield from self._drain(pending, wait_all=False)

    @staticmethod
    def _drain(pending: dict, wait_all: bool):
        done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for fut in done:
            job = pending.pop(fut)
            try:
                yield job, fut.result()
            except Exception as exc:  # noqa: BLE001 - a worker died: this block's result says so
                yield job, _error(job, f"worker failed: {type(exc).__name__}: {exc}", internal=True)

    def close(self) -> None:
        self.pool.shutdown(cancel_futures=True)


def _error(job: Job, reason: str = "", internal: bool = False) -> dict:
    """The result of a job no worker could judge, naming its block when the job knows it."""
    return {**_unreadable(job.name, reason or job.error),
            "block": {"number": job.key[1] if job.key else None, "hash": job.key[2] if job.key else None},
            "internal": internal}


# -- the run ---------------------------------------------------------------------------------------

class Progress(progress.Counter):
    """The audit's meter (progress.py): blocks done of how many, blocks/s, Mgas/s, how many
    are not VALID, ETA; and at the end the same figures as the audit's summary line."""

    def __init__(self, total: Optional[int], stream=None) -> None:
        super().__init__("audit", total, "block(s)", stream)
        self.gas = self.bad = self.unreadable = 0

    def add(self, result: dict) -> None:  # type: ignore[override]
        self.gas += result.get("gasUsed") or 0
        self.bad += result.get("verdict") != "VALID"
        # an input that named no block (a missing or unreadable file)
        self.unreadable += not (result.get("block") or {}).get("hash") and result.get("verdict") == "ERROR"
        super().add()

    def text(self) -> str:
        t = max(time.monotonic() - self.started, 1e-9)
        blocks = self.done - self.unreadable
        unread = f", {self.unreadable} unreadable input(s)" if self.unreadable else ""
        return (f"audit: {blocks}{f'/{self.total - self.unreadable}' if (self.total or 0) > self.unreadable else ''} block(s){unread}, {blocks / t:.2f} blocks/s, "
                f"{self.gas / t / 1e6:.2f} Mgas/s, {self.bad} not VALID, {t:.1f}s{self.eta(t)}")

    def summary(self) -> None:
        self.clear()
        self.line.stream.write(self.text() + "\n")
        self.line.stream.flush()


def record(history, result: dict) -> None:
    """One audit result into the history (mode "audit"; overall = the engine's verdict)."""
    from .store import CheckRecord

    block = result.get("block") or {}
    rec = CheckRecord(chain_id=result.get("chainId") or 0, number=block.get("number") if block.get("number") is not None
                      else -1, block_hash=block.get("hash") or "", mode="audit", overall=result["verdict"],
                      report=result, reason=result.get("reason") or "", engine_verdict=result["verdict"],
                      fork=result.get("fork"), gas_used=result.get("gasUsed"), seconds=result.get("seconds"),
                      mgas_per_s=result.get("mgasPerSecond"),
                      output_root=(result.get("output") or {}).get("outputRoot"),
                      verdicts=[("engine", "engine", result["verdict"], (result.get("reason") or "")[:500], [])])
    history.record(rec)
