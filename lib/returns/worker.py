"""The isolated reader: python-calamine runs in a separate, resource-limited process.

Why: calamine aborts the whole process (SIGABRT, uncatchable) on some files, and a Streamlit server
is one process for every user. So values are read in a child process with an address-space cap
(RLIMIT_AS 2 GiB), a CPU-time cap per file and a wall-clock timeout enforced by the parent. If the
child dies or overruns, the upload is refused with :data:`safety.MSG_STOPPED`, the child is
replaced, and the app carries on.

Why it is kept warm: a fresh Python costs ~100 ms, while reading a typical return costs ~3 ms. One
child is started once and reused (at most :data:`MAX_WORKERS` run side by side for concurrent
uploads), and replaced transparently after a crash, a timeout or :data:`JOBS_PER_WORKER` files.

Protocol over a socket pair (length-prefixed frames from ``multiprocessing.connection``, pickled)::

    parent → child   ("job", cpu_seconds, max_reply), then the bytes  child opens the workbook
    parent → child   ("meta",)  (.xls/.ods: the parent has no list)   child replies ("meta", [(name, type,
                                                                      visibility), ...]) or ("error", kind)
    parent → child   ("read", sheet_name)  ... one per sheet          child replies ("rows", rows) or
                                                                      ("error", kind), one per read
    parent → child   ("read", sheet_name, limits)  (.xls/.ods)        child checks the extent calamine
                                                                      built, replies ("sheet", (rows,
                                                                      merged)) or ("error", (what, ...))
    parent → child   ("done",) or ("cancel",)                         cancel is acknowledged: ("cancelled",)

For .xlsx the child parses shared strings and styles while the parent is still checking sheet
extents, and reads each sheet as soon as the parent has passed it, so checking and reading overlap.
For .xls and .ods there is no cheap extent check before calamine has built a sheet, so the child
checks what it built against the limits before converting a single cell (and its memory cap stops
anything bigger than that).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import gc
import hmac
import io
import logging
import os
import pickle
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import psutil

from lib.returns import safety
from lib.returns.safety import (
    MSG_DAMAGED,
    MSG_ENCRYPTED,
    MSG_STOPPED,
    MSG_UNREADABLE,
    RejectedFile,
    cell_ref,
    display_name,
)

log = logging.getLogger(__name__)

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024  # RLIMIT_AS of the child (address space, POSIX only: a backstop)
# Resident memory the child may use, watched from the parent with psutil, which works the same on
# Windows, Linux and macOS: past it the child is killed and the file refused. A national file's read
# peaks near 300 MB; anything the pre-check lets through stays under this.
RSS_CAP = 480 * 1024 * 1024
GUARD_INTERVAL = 0.02  # seconds between looks at the child's memory
START_TIMEOUT = 30.0  # seconds for a new child to import python-calamine and say "ready"
CANCEL_GRACE = 0.5  # seconds a child gets to acknowledge a cancelled job before it is killed
MAX_WORKERS = 2
JOBS_PER_WORKER = 500
DEFAULT_MAX_REPLY = 512 * 1024 * 1024  # bytes per reply when the caller gives no tighter bound
PROJECT_ROOT = Path(__file__).resolve().parents[2]

Rows = list[list[object]]
Merged = list[tuple[int, int, int, int]]


class SheetValues(NamedTuple):
    """One sheet as read: its rows and (for .xls only, from calamine) its merged ranges, 0-based inclusive."""

    rows: Rows
    merged: Merged


class Limits(NamedTuple):
    """The caps a sheet calamine has built must meet before it is converted (.xls/.ods)."""

    rows: int
    cols: int
    area: int
    cells: int
    merged: int


def default_limits() -> Limits:
    """The same caps as the .xlsx pre-check (read at call time, so a test can lower them)."""
    return Limits(safety.MAX_ROWS, safety.MAX_COLS, safety.MAX_AREA, safety.MAX_CELLS, safety.MAX_MERGED)


_ERROR_MESSAGES = {"password": MSG_ENCRYPTED, "missing": MSG_DAMAGED, "unreadable": MSG_UNREADABLE,
                   "stopped": MSG_STOPPED}


# ---------------------------------------------------------------------------------------------
# Child side


def _set_limits() -> None:
    """Cap the child's address space and core dumps (best effort: macOS ignores RLIMIT_AS)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _set_cpu_budget(seconds: float) -> None:
    """Allow this job ``seconds`` more CPU time; past that the kernel sends SIGXCPU and the child dies."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    with contextlib.suppress(ValueError, OSError):
        _cur, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _classify(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "PasswordError":
        return "password"
    if name == "WorksheetNotFound":
        return "missing"
    if isinstance(exc, MemoryError | RecursionError):
        return "stopped"
    return "unreadable"


def _shared(rows: Rows) -> Rows:
    """Equal texts and dates made one object (a long file repeats its codes, names and months on every
    row), so the pickled reply sends each distinct one once and the parent holds it once: a national
    file's rows take far less memory and unpickle faster. Numbers are left alone (0.0 and -0.0 are
    equal but not the same). Empty cells ("" from calamine) become None."""
    seen: dict[object, object] = {"": None}
    shared = (str, datetime.datetime, datetime.date, datetime.time, datetime.timedelta)
    return [[seen.setdefault(v, v) if v.__class__ in shared else v for v in row] for row in rows]


def _read_sheet(book: Any, name: str) -> Rows:
    """One sheet as rows from A1 (empty cells → None), as python-calamine reads it."""
    return _shared(book.get_sheet_by_name(name).to_python(skip_empty_area=False))


def _read_checked(book: Any, name: str, limits: tuple[int, int, int, int, int]) -> tuple[str, Any]:
    """One .xls/.ods sheet, refused before conversion if what calamine built is over the limits.

    Numbers come back as float (calamine gives int for whole numbers in these formats) so every
    format looks the same downstream; bools stay bools.
    """
    max_rows, max_cols, max_area, max_cells, max_merged = limits
    sheet = book.get_sheet_by_name(name)
    end = sheet.end
    nrows, ncols = (end[0] + 1, end[1] + 1) if end else (0, 0)
    if nrows > max_rows or ncols > max_cols or nrows * ncols > max_area:
        return "error", ("extent", nrows, ncols)
    rows = sheet.to_python(skip_empty_area=False)
    cells = sum(len(row) - row.count("") for row in rows)
    if cells > max_cells:
        return "error", ("cells", cells)
    ranges = sheet.merged_cell_ranges or []
    if len(ranges) > max_merged:
        return "error", ("merged", len(ranges))
    merged = [(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])) for a, b in ranges]
    out = _shared([[float(v) if type(v) is int else v for v in row] for row in rows])
    return "sheet", (out, merged)


def _metadata(book: Any) -> list[tuple[str, str, str]]:
    """(name, type, visibility) of every sheet, e.g. ("Data", "WorkSheet", "Hidden")."""
    return [(str(m.name), str(m.typ).rsplit(".", 1)[-1], str(m.visible).rsplit(".", 1)[-1])
            for m in book.sheets_metadata]


def _dumps(obj: object) -> bytes:
    try:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        return pickle.dumps(("error", "stopped"))


def serve(conn: Connection) -> None:
    """The child's loop: one job at a time until the parent closes the connection."""
    gc.disable()  # job data has no reference cycles; collecting is wasted time on big sheets
    import python_calamine

    gc.freeze()  # the occasional collection below then only looks at objects made by jobs
    conn.send_bytes(b"ready")
    jobs = 0
    while True:
        try:
            _tag, cpu_seconds, max_reply = pickle.loads(conn.recv_bytes())  # noqa: S301 - from the app
        except (EOFError, OSError):
            return
        _set_cpu_budget(float(cpu_seconds))
        data = conn.recv_bytes()
        book: Any = None
        error: str | None = None
        try:
            book = python_calamine.CalamineWorkbook.from_object(io.BytesIO(data))
        except BaseException as exc:
            error = _classify(exc)
        while True:
            command = pickle.loads(conn.recv_bytes())  # noqa: S301 - from the app
            if command[0] in ("read", "meta"):
                reply: tuple[str, Any] = ("error", error)
                if error is None:
                    try:
                        if command[0] == "meta":
                            reply = ("meta", _metadata(book))
                        elif len(command) > 2:
                            reply = _read_checked(book, command[1], command[2])
                        else:
                            reply = ("rows", _read_sheet(book, command[1]))
                    except BaseException as exc:
                        error = _classify(exc)
                        reply = ("error", error)
                payload = _dumps(reply)
                del reply
                if len(payload) > max_reply:  # far more than the file could hold: refuse, do not flood
                    payload = pickle.dumps(("error", "stopped"))
                    error = "stopped"
                conn.send_bytes(payload)
                del payload
                continue
            if command[0] == "cancel":
                conn.send_bytes(pickle.dumps(("cancelled", None)))
            break
        del book, data
        jobs += 1
        if jobs % 50 == 0:
            gc.collect()


def _child_main(port: int) -> None:
    """Connect back to the parent on the loopback interface, prove who we are, then serve.

    Why a connection back rather than an inherited socket: Windows cannot pass a socket to a child
    this way, and this works the same on every system. The token (read from stdin, never on the
    command line) is what tells the parent this connection is its own child."""
    _set_limits()
    token = sys.stdin.buffer.readline().strip()
    sys.stdout = sys.stderr  # nothing may write into the protocol by accident
    sock = socket.create_connection(("127.0.0.1", port), timeout=START_TIMEOUT)
    sock.settimeout(None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # small frames go at once (no Nagle delay)
    sock.sendall(token + b"\n")
    serve(Connection(sock.detach()))


# ---------------------------------------------------------------------------------------------
# Parent side


class _SafeUnpickler(pickle.Unpickler):
    """Replies may only contain plain data and datetime values: no other classes are ever built."""

    _ALLOWED = frozenset({("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"),
                          ("datetime", "timedelta"), ("datetime", "timezone")})

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self._ALLOWED:
            return getattr(datetime, name)
        raise pickle.UnpicklingError("unexpected class in reader reply")


def _loads(payload: bytes) -> Any:
    """Unpickle a reply with the garbage collector paused (it would rescan millions of fresh objects)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _SafeUnpickler(io.BytesIO(payload)).load()
    finally:
        if was_enabled:
            gc.enable()


class MemoryGuard:
    """Watches one process's resident memory from a thread of the parent and kills it past ``cap`` bytes.

    Why not only RLIMIT_AS: Windows has no such limit, and on POSIX it caps address space, not memory in
    use. The guard is portable (psutil), and the wall-clock timeout of each job backs it up."""

    def __init__(self, pid: int, cap: int, interval: float = GUARD_INTERVAL) -> None:
        self.pid, self.cap, self.interval = pid, cap, interval
        self.peak = 0
        self.tripped: str | None = None  # why the process was killed, if it was
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"memory-guard-{pid}", daemon=True)

    def start(self) -> MemoryGuard:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)

    def _watch(self) -> None:
        try:
            proc = psutil.Process(self.pid)
            while not self._stop.is_set():
                rss = proc.memory_info().rss
                self.peak = max(self.peak, rss)
                if rss > self.cap:
                    self.tripped = f"memory guard: {rss / 2**20:.0f} MB in use, over the {self.cap / 2**20:.0f} MB cap"
                    proc.kill()
                    return
                self._stop.wait(self.interval)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return  # the process ended (or is no longer ours to watch)


class Worker:
    """One child process and the parent's end of its socket."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=4)
        self.token = secrets.token_hex(16).encode()
        code = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from lib.returns.worker import _child_main; _child_main(int(sys.argv[2]))"
        )
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-c", code, str(PROJECT_ROOT), str(self.listener.getsockname()[1])],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
                start_new_session=True,  # POSIX: out of the terminal's process group; ignored on Windows
            )
            assert self.proc.stdin is not None
            self.proc.stdin.write(self.token + b"\n")
            self.proc.stdin.close()
        except BaseException:
            self.listener.close()
            raise
        self.conn: Connection | None = None  # once the child has connected back (see _connect)
        self.ready = False
        self.jobs = 0
        self.dead = False
        self.guard: MemoryGuard | None = None  # watching while a job runs

    def _connect(self, timeout: float) -> Connection:
        """Accept the child's connection back; any other caller (a wrong or missing token) is turned away."""
        until = time.monotonic() + timeout
        while True:
            left = until - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                raise TimeoutError
            self.listener.settimeout(min(left, 0.1))  # short waits: a child that died is noticed at once
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            sock.settimeout(max(until - time.monotonic(), 0.001))
            try:
                said = sock.recv(len(self.token) + 1)
            except OSError:
                said = b""
            if hmac.compare_digest(said.strip(), self.token):
                sock.settimeout(None)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # commands are small frames
                self.listener.close()
                return Connection(sock.detach())
            sock.close()

    @property
    def channel(self) -> Connection:
        """The connection to the child (there once :meth:`wait_ready` has returned)."""
        assert self.conn is not None, "wait_ready() first"
        return self.conn

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if self.conn is None:
            try:
                self.conn = self._connect(timeout)
            except OSError:  # timed out (TimeoutError is an OSError) or the listener failed
                self.kill()
                raise RejectedFile(MSG_STOPPED, "worker did not start") from None
        if not self.conn.poll(timeout):
            self.kill()
            raise RejectedFile(MSG_STOPPED, "worker did not start")
        try:
            if self.conn.recv_bytes() != b"ready":
                raise EOFError
        except (EOFError, OSError):
            self.kill()
            raise RejectedFile(MSG_STOPPED, "worker failed to start") from None
        self.ready = True

    def kill(self) -> None:
        """Stop this child for good (it may be stuck on a hostile file)."""
        self.dead = True
        with contextlib.suppress(ProcessLookupError, OSError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._close_sockets()

    def _close_sockets(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.close()
        if self.conn is not None:
            with contextlib.suppress(OSError):
                self.conn.close()

    def close(self) -> None:
        """Ask an idle child to exit (closing the socket ends its loop)."""
        self.dead = True
        self._close_sockets()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=2)
        if self.proc.poll() is None:
            self.kill()

    def death_detail(self) -> str:
        if self.guard is not None and self.guard.tripped:
            return self.guard.tripped
        code = self.proc.poll()
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                return f"reader killed by {signal.Signals(-code).name}"
        return f"reader exited ({code})"


class WorkerPool:
    """Warm children shared by all threads of the app; a dead or worn-out child is replaced."""

    def __init__(self, size: int = MAX_WORKERS) -> None:
        self.size = size
        self.idle: list[Worker] = []
        self.running = 0
        self.cond = threading.Condition()

    def prestart(self) -> None:
        """Start a child in the background so the first upload does not wait for it."""
        with self.cond:
            if not self.idle and self.running == 0:
                self.idle.append(Worker())

    def acquire(self) -> Worker:
        with self.cond:
            while not self.idle and self.running >= self.size:
                self.cond.wait()
            self.running += 1
            worker = self.idle.pop() if self.idle else None
        if worker is not None and worker.proc.poll() is not None:  # died while idle (OOM killer, admin)
            worker.kill()
            worker = None
        if worker is None:
            try:
                worker = Worker()
            except BaseException:
                with self.cond:
                    self.running -= 1
                    self.cond.notify()
                raise
        return worker

    def release(self, worker: Worker) -> None:
        replacement: Worker | None = None
        if worker.dead or worker.jobs >= JOBS_PER_WORKER:
            if not worker.dead:
                worker.close()
            with contextlib.suppress(OSError):
                replacement = Worker()  # starts now, in the background, ready for the next upload
        else:
            replacement = worker
        with self.cond:
            self.running -= 1
            if replacement is not None:
                self.idle.append(replacement)
            self.cond.notify()

    def shutdown(self) -> None:
        with self.cond:
            idle, self.idle = self.idle, []
        for worker in idle:
            worker.close()


_POOL = WorkerPool()
atexit.register(_POOL.shutdown)


def prestart() -> None:
    """Warm up the reader process (call at app start-up; optional)."""
    _POOL.prestart()


class Job:
    """One file in one child: :meth:`read` per sheet, then :meth:`results` (or :meth:`cancel`) once."""

    def __init__(self, data: bytes, timeout: float, max_reply: int = DEFAULT_MAX_REPLY) -> None:
        """``max_reply`` bounds the bytes of each reply, so a file that expands on reading cannot flood
        the app's memory (the child's own memory is capped separately)."""
        self.deadline = time.monotonic() + timeout
        self.max_reply = max_reply
        try:
            self.worker = _POOL.acquire()
        except OSError as exc:  # cannot start a process (out of memory, process limit)
            self.finished = True
            raise RejectedFile(MSG_STOPPED, f"could not start the reader: {exc.__class__.__name__}") from None
        self.finished = False
        self.pending = 0
        self.names: list[str] = []
        self.worker.guard = MemoryGuard(self.worker.proc.pid, RSS_CAP).start()
        try:
            self.worker.wait_ready(max(START_TIMEOUT, timeout))
            self.worker.jobs += 1
            self.worker.channel.send_bytes(pickle.dumps(("job", timeout + 1.0, max_reply)))
            self.worker.channel.send_bytes(data)
        except (OSError, EOFError):
            self._fail("could not send the file", died=True)
        except RejectedFile:
            self._finish()
            raise

    def _finish(self) -> None:
        if not self.finished:
            self.finished = True
            if self.worker.guard is not None:
                self.worker.guard.stop()
                if self.worker.guard.tripped:
                    self.worker.dead = True
            _POOL.release(self.worker)

    def _fail(self, detail: str, *, died: bool = False) -> NoReturn:
        if died:  # the socket closed: let the exit status arrive so the log says why
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.worker.proc.wait(timeout=1)
        detail = f"{detail}; {self.worker.death_detail()}"
        self.worker.kill()
        self._finish()
        log.warning("spreadsheet reader stopped: %s", detail)
        raise RejectedFile(MSG_STOPPED, detail)

    def read(self, sheet_name: str, limits: Limits | None = None) -> None:
        """Ask for one sheet's values: an .xlsx sheet that has passed the extent check, or (with
        ``limits``) an .xls/.ods sheet the child checks itself."""
        command = ("read", sheet_name) if limits is None else ("read", sheet_name, tuple(limits))
        try:
            self.worker.channel.send_bytes(pickle.dumps(command))
        except (OSError, EOFError):
            self._fail("could not send a command", died=True)
        self.pending += 1
        self.names.append(sheet_name)

    def sheets(self) -> list[tuple[str, str, str]]:
        """(name, type, visibility) of every sheet, as calamine lists them; call before any :meth:`read`."""
        assert self.pending == 0, "sheets() must come before read()"
        try:
            self.worker.channel.send_bytes(pickle.dumps(("meta",)))
            reply = self._recv(self.deadline - time.monotonic())
        except (OSError, EOFError):
            self._fail("connection lost", died=True)
        if reply is None:
            self._fail("timed out")
        if reply[0] != "meta":
            self.cancel()
            raise RejectedFile(self._message(reply[1], ""), f"reader error: {reply[1]}")
        return [(str(n), str(t), str(v)) for n, t, v in reply[1]]

    @staticmethod
    def _message(error: Any, sheet: str) -> str:
        """The plain-English message for an error the child reported while reading ``sheet``."""
        if isinstance(error, tuple) and error and error[0] == "extent":
            rows, cols = int(error[1]), int(error[2])
            return safety.MSG_EXTENT.format(
                sheet=display_name(sheet), ref=cell_ref(max(rows - 1, 0), max(cols - 1, 0)), rows=rows, cols=cols,
                max_rows=safety.MAX_ROWS, max_cols=safety.MAX_COLS, max_area=safety.MAX_AREA)
        if isinstance(error, tuple) and error and error[0] == "cells":
            return safety.MSG_TOO_MANY_CELLS.format(sheet=display_name(sheet), limit=safety.MAX_CELLS)
        if isinstance(error, tuple) and error and error[0] == "merged":
            return safety.MSG_TOO_MANY_MERGED.format(sheet=display_name(sheet), limit=safety.MAX_MERGED)
        return _ERROR_MESSAGES.get(str(error), MSG_UNREADABLE)

    def _recv(self, timeout: float) -> tuple[str, Any] | None:
        """The next reply, or None if none came within ``timeout``; raises if the child died."""
        if not self.worker.channel.poll(max(timeout, 0.0)):
            return None
        payload = self.worker.channel.recv_bytes(self.max_reply + 1024)
        try:
            kind, value = _loads(payload)
        except Exception:
            self._fail("unreadable reply")
        return str(kind), value

    def cancel(self) -> None:
        """The file was refused: stop the child's work on it, killing it if it does not stop at once."""
        if self.finished:
            return
        try:
            self.worker.channel.send_bytes(pickle.dumps(("cancel",)))
            until = time.monotonic() + CANCEL_GRACE
            while True:
                reply = self._recv(until - time.monotonic())
                if reply is None or reply[0] == "cancelled":
                    break
        except (OSError, EOFError, RejectedFile):
            reply = None
        if reply is None:
            self.worker.kill()
        self._finish()

    def results(self) -> list[SheetValues]:
        """The values of each sheet asked for, in order; RejectedFile if the child failed or overran."""
        out: list[SheetValues] = []
        error: tuple[Any, str] | None = None
        try:
            self.worker.channel.send_bytes(pickle.dumps(("done",)))
            for index in range(self.pending):
                reply = self._recv(self.deadline - time.monotonic())
                if reply is None:
                    self._fail("timed out")
                if reply[0] == "rows":
                    out.append(SheetValues(reply[1], []))
                elif reply[0] == "sheet":
                    out.append(SheetValues(reply[1][0], [tuple(m) for m in reply[1][1]]))
                elif error is None:
                    error = (reply[1], self.names[index])
        except (OSError, EOFError):
            self._fail("connection lost", died=True)
        self._finish()
        if error is not None:
            raise RejectedFile(self._message(*error), f"reader error: {error[0]}")
        return out

    def __del__(self) -> None:
        if not getattr(self, "finished", True):
            with contextlib.suppress(Exception):
                self.worker.kill()
                self._finish()


def read_values(data: bytes, sheet_names: list[str], *, timeout: float = 30.0,
                max_reply: int = DEFAULT_MAX_REPLY) -> list[Rows]:
    """Read the named sheets' values in the isolated child, with no pre-check (the caller did it)."""
    job = Job(data, timeout, max_reply)
    for name in sheet_names:
        job.read(name)
    return [values.rows for values in job.results()]


if __name__ == "__main__":  # pragma: no cover - started by Worker with "-c"; kept for manual runs
    _child_main(int(sys.argv[1]))
    os._exit(0)
