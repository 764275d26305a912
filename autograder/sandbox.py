"""Containment for submission processes: limits, environment, cleanup.

The runner asks this module for a few things:

    box = Sandbox(run_dir)             # run_dir holds root/, home/, tmp/
    proc = subprocess.Popen(**box.popen_kwargs(argv))
    box.listening_ports()              # which TCP ports the submission listens on
    box.output_tail()                  # the end of what it printed
    box.kill_all()                     # every process of this run is gone afterwards
    box.cleanup()                      # kill_all(), then remove run_dir

and the command line calls `install_signal_handlers()` once, so that SIGTERM
and SIGHUP unwind the grader like Ctrl-C does and every `finally` runs.

How a submission is started
---------------------------
`popen_kwargs` does not start the submission directly. It starts this very
file as a small *launcher* (`python -I -S sandbox.py --launch CONFIG`), which

1. makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER): every
   process the submission starts, even one that double-forks and calls
   setsid to detach, is re-parented to the launcher rather than to init, so
   the launcher always knows all of them;
2. forks the submission in a session of its own, with its rlimits, in the
   run's cgroups, under the run's user id, inside bubblewrap (each where
   available, see below);
3. waits. When the submission's main process exits, when the grader asks
   (one byte on a pipe, or SIGTERM/SIGINT/SIGHUP), or when the grader dies
   (the pipe reaches end-of-file, even after `kill -9`), it stops every
   process it started (SIGSTOP first, so a fork bomb cannot outrun it, then
   SIGKILL), reaps them, and exits with the main process's status. After
   the grader died it also removes the run folder and the cgroups.

Why these mechanisms (and not others)
-------------------------------------
* Environment marker alone: a process can scrub its environment with
  os.execve, so /proc/PID/environ cannot be trusted to find it. We still set
  the marker (cheap, and it finds honest children), but cleanup never relies
  on it alone.
* Process groups and sessions: `setsid` escapes them. The submission's own
  session still earns its place: one killpg() stops all that did not
  detach, the terminal's Ctrl-C reaches only the grader, and the kernel's
  autogroup scheduling gives the session one share of the CPU.
* Subreaper (the launcher, above): catches every orphan, whatever its
  session or environment. An unprivileged submission could kill its own
  launcher, so where we can we add what it cannot undo:
* A user id of its own per run (the grader runs as root, and either
  bubblewrap is there or the Python interpreter, the run folder and the
  submission are reachable by other users): RLIMIT_NPROC is enforced for it
  (never for root), so a fork bomb stops at MAX_PROCESSES; it cannot signal
  the root launcher; `kill(-1, SIGKILL)` sent *as that user* stops every
  process of the run in one atomic step; and it cannot read /root or the
  run folder's listing (where the traversal check puts its secret). Ids are
  picked at random from a private range and claimed with an flock, so
  parallel graders never share one.
* Cgroups (root, and /sys/fs/cgroup writable; v2 with delegated
  controllers, or v1): pids.max bounds a fork bomb even when no user id can
  be used (Python installed under /root by pyenv, no bubblewrap), the cpu
  controller gives the run one core at most, so a spinning submission
  cannot starve the grader or a parallel run, and cgroup.procs lists every
  process of the run; a process cannot leave its cgroup without root.
* Bubblewrap (`bwrap`, optional, used when installed and working): a new
  pid namespace (the submission sees only its own processes, cannot signal
  the grader or the launcher), new IPC and UTS namespaces, and a file system
  made only of the system folders, the Python installation, the submission
  and the run folder: the grader's files, other students' submissions,
  /root and /home are not there, and /tmp is private. The network namespace
  is shared on purpose: the grader connects to the submission over
  127.0.0.1 (the README's Reliability section says what that leaves open).

Without root and without bubblewrap only the subreaper, the session, the
marker and the rlimits remain (RLIMIT_NPROC is then the user's current
process count plus MAX_PROCESSES); a submission written to kill its own
launcher can then escape. That is the situation of a student grading their
own code on a laptop, where it does not matter.

This module uses the standard library only, so the launcher starts fast
with `python -I -S`.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import random
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
import weakref
from pathlib import Path

try:  # Linux and macOS; on Windows the grader uses the portable runner (portable.py)
    import fcntl
    import resource
except ImportError:  # pragma: no cover - Windows
    fcntl = resource = None

if __package__:
    from autograder.exits import CPU_SECONDS, OUTPUT_BYTES, describe_exit  # noqa: F401 (describe_exit: for callers)
    from autograder.signals import install_signal_handlers  # noqa: F401 (for callers)
    from autograder.listening import listening_ports
else:  # run as the launcher script (python -I -S sandbox.py --launch): no package
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from exits import CPU_SECONDS, OUTPUT_BYTES, describe_exit  # noqa: F401

MARKER_VARIABLE = "LABGRADE_RUN"
# Chooses the isolation: "auto" (default: bubblewrap when it works), "bwrap"
# (bubblewrap or an error) or "plain" (never bubblewrap).
MODE_VARIABLE = "LABGRADE_SANDBOX"
# When set to a file name, every Sandbox appends one JSON line describing
# itself (marker, uid, run folder, mode). Tests use it to prove cleanup.
LOG_VARIABLE = "LABGRADE_SANDBOX_LOG"

# Generous for a student's server, small enough that a runaway one is stopped.
# CPU_SECONDS (a correct server uses well under 2 s for a whole grading run) and
# OUTPUT_BYTES (per start; a flood stops here, EFBIG in Python) live in exits.py,
# which names them when a signal says a limit was hit.
ADDRESS_SPACE_BYTES = 2 * 1024**3  # room for 64 threads' stacks and buffers
OPEN_FILES = 512  # 200 idle connections plus Python's own files
MAX_PROCESSES = 128  # processes and threads together (RLIMIT_NPROC, pids.max)
STOP_WAIT_SECONDS = 3.0  # how long kill_all waits for the launcher to finish

# A private range of user ids for runs. 2**18 keeps clear of ordinary users
# (1000-59999), Debian's reserved ids and systemd's dynamic users, and of
# the 65536 ids a rootless container usually maps (then we use LOW_UIDS).
RUN_UIDS = range(262144, 262144 + 65536)
LOW_UIDS = range(50000, 59999)

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

_LAUNCH_FLAG = "--launch"
_STOP_BYTE = b"k"
_DROP_PRIVILEGES = (
    "import os,sys;"
    "os.setgroups([]);os.setgid(int(sys.argv[2]));os.setuid(int(sys.argv[1]));"
    "os.execv(sys.argv[3],sys.argv[3:])"
)


class SandboxError(RuntimeError):
    """The sandbox could not be set up as asked (e.g. bwrap forced but absent)."""


class Sandbox:
    def __init__(self, run_dir: Path, mode: str | None = None):
        self.run_dir = Path(run_dir).resolve()
        self.root = self.run_dir / "root"
        self.home = self.run_dir / "home"
        self.tmp = self.run_dir / "tmp"
        for folder in (self.root, self.home, self.tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self.marker = uuid.uuid4().hex
        self.output_path = self.run_dir / "server-output.log"
        self.notes: list[str] = []  # how this run is contained, for reports
        self._guards: list[tuple[int, int]] = []  # (read end, write end) per start
        self._output_files: list = []
        self._closed = False

        self.mode = (mode or os.environ.get(MODE_VARIABLE) or "auto").lower()
        if self.mode not in ("auto", "bwrap", "plain"):
            raise SandboxError(f"{MODE_VARIABLE} must be auto, bwrap or plain, not {self.mode!r}")
        self.use_bwrap = self.mode != "plain" and bwrap_available()
        if self.mode == "bwrap" and not self.use_bwrap:
            raise SandboxError("bubblewrap was asked for but `bwrap` is missing or does not work here")
        self.uid = self.gid = None
        self._uid_claim = None
        self.cgroup: _Cgroup | None = None
        if os.geteuid() == 0:
            # Inside bwrap every bound folder is reachable (bwrap makes their
            # parents); without it the run user needs ordinary permissions.
            reachable = self.use_bwrap or self._unprivileged_user_can_run()
            self.uid, self._uid_claim = _pick_run_uid() if reachable else (None, None)
            self.cgroup = _Cgroup.create(f"labgrade-{self.marker}")
        if self.uid is not None:
            self.gid = self.uid
            self.run_dir.chmod(0o711)  # the run user may pass, not list (the secret's name)
        self.notes.append(self.describe())
        _live_sandboxes.add(self)
        _log_sandbox(self)

    # -- what the submission sees -------------------------------------------------

    def environment(self) -> dict[str, str]:
        """A scrubbed environment: nothing of the grader's leaks in."""
        return {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "USER": "student",
            "LOGNAME": "student",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "PYTHONIOENCODING": "utf-8",
            # glibc reserves 64 MiB of address space per malloc arena, up to
            # 8 per core: with 64 threads that alone could exceed the limit.
            "MALLOC_ARENA_MAX": "2",
            MARKER_VARIABLE: self.marker,
        }

    def popen_kwargs(self, argv: list[str]) -> dict:
        """Keyword arguments for subprocess.Popen that start argv in the sandbox.

        stdout and stderr go to `output_path` (read it with output_tail());
        the Popen's pid is the launcher, which exits with the status of argv.
        """
        argv = [str(part) for part in argv]
        if self.uid is not None:
            argv = self._make_reachable(argv)
            _chown_tree(self.root, self.uid, self.gid)
            _chown_tree(self.home, self.uid, self.gid)
            _chown_tree(self.tmp, self.uid, self.gid)
        command = self._bwrap_command(argv) if self.use_bwrap else argv
        guard_read, guard_write = os.pipe()
        self._guards.append((guard_read, guard_write))
        output, output_limit = self._open_output()
        config = {
            "marker": self.marker,
            "argv": command,
            "guard_fd": guard_read,
            "run_dir": str(self.run_dir),
            "uid": self.uid,
            # Without bwrap the launcher's child changes user itself; with
            # bwrap that happens inside it (see _bwrap_command).
            "setuid_in_child": self.uid is not None and not self.use_bwrap,
            "cgroups": self.cgroup.paths if self.cgroup else [],
            "limits": _limits(output_limit, self.uid is not None),
        }
        launcher = [sys.executable, "-I", "-S", str(Path(__file__).resolve()), _LAUNCH_FLAG, json.dumps(config)]
        return {
            "args": launcher,
            "cwd": str(self.root),
            "env": self.environment(),
            "stdin": subprocess.DEVNULL,
            "stdout": output,
            "stderr": subprocess.STDOUT,
            "start_new_session": True,  # the terminal's Ctrl-C reaches the grader only
            "close_fds": True,
            "pass_fds": (guard_read,),
        }

    def output_tail(self, limit: int = 4000) -> str:
        """The last `limit` bytes the submission printed (all its starts), as text."""
        try:
            with open(self.output_path, "rb") as output:
                size = output.seek(0, os.SEEK_END)
                output.seek(max(0, size - limit))
                return output.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def describe(self) -> str:
        parts = ["bubblewrap" if self.use_bwrap else "no bubblewrap"]
        if self.uid is not None:
            parts.append(f"user id {self.uid}")
        elif os.geteuid() == 0:
            parts.append("runs as root (its Python is not reachable by another user)")
        if self.cgroup:
            parts.append("cgroup (pids.max, one CPU core)")
        return "sandbox: " + ", ".join(parts)

    # -- what the grader observes ---------------------------------------------------

    def processes(self, table: dict | None = None) -> list[int]:
        """Live processes of this run (launchers excluded)."""
        table = _process_table() if table is None else table
        launchers = self._launchers(table)
        found = set()
        for launcher in launchers:
            found.update(_descendants(launcher, table))
        if self.uid is not None:
            found.update(pid for pid, info in table.items() if self.uid in info.uids)
        if self.cgroup:
            found.update(self.cgroup.pids())
        if self.uid is None and self.cgroup is None:
            # Nothing better than the marker: look among our user's processes.
            me = os.geteuid()
            found.update(pid for pid, info in table.items() if me in info.uids and _marker_of(pid) == self.marker)
        found.discard(os.getpid())
        return sorted(pid for pid in found - launchers if pid in table and table[pid].state != "Z")

    def listening_ports(self) -> set[int]:
        """TCP ports on which a process of this run is listening."""
        inodes = set()
        for pid in self.processes():
            try:
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
            except OSError:
                continue
        return listening_ports(inodes)

    # -- stopping -------------------------------------------------------------------

    def kill_all(self) -> int:
        """Stop every process of this run; returns how many were running.

        Safe to call at any time and more than once. Afterwards the
        launchers have exited (the runner still reaps its Popen with wait()).
        """
        running = len(self.processes())
        for _, guard_write in self._guards:
            try:
                os.write(guard_write, _STOP_BYTE)  # the launcher kills and reaps everything
            except OSError:
                pass
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while self._launchers(_process_table(), alive_only=True) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The launcher did its job unless it was killed; make sure regardless.
        if self.processes() or self._launchers(_process_table(), alive_only=True):
            if self.uid is not None:
                _kill_as_user(self.uid, self.gid)
            if self.cgroup:
                self.cgroup.kill()
            _stop_then_kill(lambda table: set(self.processes(table)) | self._launchers(table, alive_only=True))
        for guard in self._guards:
            for fd in guard:
                _close(fd)
        self._guards.clear()
        for output in self._output_files:
            output.close()
        self._output_files.clear()
        return running

    def cleanup(self) -> int:
        """kill_all(), release the cgroup and remove the run folder."""
        running = self.kill_all()
        if self.cgroup:
            self.cgroup.remove()
        _remove_tree(self.run_dir)
        if self._uid_claim is not None:
            _release_uid(*self._uid_claim)
            self._uid_claim = None
        self._closed = True
        _live_sandboxes.discard(self)
        return running

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.cleanup()

    # -- internals ------------------------------------------------------------------

    def _launchers(self, table: dict, alive_only: bool = False) -> set[int]:
        """This run's launchers: children of this process started by popen_kwargs."""
        me = os.getpid()
        return {
            pid
            for pid, info in table.items()
            if info.ppid == me
            and not (alive_only and info.state == "Z")
            and _launcher_marker_of(pid) == self.marker
        }

    def _open_output(self):
        """Open the output file for one start; returns (file, size limit for the child).

        RLIMIT_FSIZE caps the file: past it, writes fail (Python ignores
        SIGXFSZ and raises OSError EFBIG), so a flood costs a few MiB of
        disk and a fraction of a second. Output of earlier starts is kept,
        shortened to its end, so a crash's traceback survives a restart.
        """
        try:
            size = self.output_path.stat().st_size
        except FileNotFoundError:
            size = 0
        if size > 64 * 1024:
            with open(self.output_path, "rb") as output:
                output.seek(size - 16 * 1024)
                tail = output.read()
            self.output_path.write_bytes(b"[... earlier output cut ...]\n" + tail)
            size = self.output_path.stat().st_size
        output = open(self.output_path, "ab")
        self._output_files.append(output)
        return output, size + OUTPUT_BYTES

    def _unprivileged_user_can_run(self) -> bool:
        """Can a user other than root run our Python and reach the run folder?"""
        needed = [Path(sys.executable), *_python_folders(), self.run_dir.parent]
        return all(_reachable_by_others(path) for path in needed)

    def _make_reachable(self, argv: list[str]) -> list[str]:
        """Let the run user read the program it runs (and, when it is watched, its watcher).

        Inside the run folder (where the grader copies a submission) the
        copy's folder is made readable, whatever modes it came with (a
        student's 0600 file, a 0700 folder in a zip). Elsewhere, a file the
        run user cannot read is copied into the run folder.
        """
        argv = list(argv)
        for index, part in enumerate(argv[1:], start=1):
            if part.startswith("-"):
                break
            script = Path(part).resolve()
            if not script.is_file() or script.suffix not in ("", ".py"):
                continue
            argv[index] = self._reachable_copy(script)
        return argv

    def _reachable_copy(self, script: Path) -> str:
        if _is_within(script, self.run_dir):
            top = self.run_dir / script.relative_to(self.run_dir).parts[0]
            if top not in (self.root, self.home, self.tmp):
                _make_readable_tree(top)
            return str(script)
        if _reachable_by_others(script):
            return str(script)
        copy = self.run_dir / "submission" / script.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy2(script, copy)
        _make_readable_tree(copy.parent)
        self.notes.append(f"sandbox: copied {script.name} into the run folder (its folder is private)")
        return str(copy)

    def _bwrap_command(self, argv: list[str]) -> list[str]:
        binds = [("--bind", self.run_dir)] + [("--ro-bind", folder) for folder in _python_folders()]
        for part in argv[1:]:
            if part.startswith("-") or not Path(part).is_file():
                continue
            script_folder = Path(part).resolve().parent
            if not any(_is_within(script_folder, folder) for _, folder in binds):
                binds.append(("--ro-bind", script_folder))
        command = ["bwrap", *_bwrap_file_system(binds)]
        command += [
            "--proc", "/proc",
            "--dev", "/dev",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname", "labgrade",
            "--new-session",
            "--chdir", str(self.root),
        ]
        if os.geteuid() != 0:
            return command + ["--unshare-user", "--", *argv]
        if self.uid is None:
            return command + ["--cap-drop", "ALL", "--", *argv]
        # bwrap runs as root (it must, to bind a Python that lives under a
        # private /root, as pyenv puts it); the submission gets the run user
        # inside, where a tiny Python step drops the privileges.
        dropper = [sys.executable, "-I", "-S", "-c", _DROP_PRIVILEGES, str(self.uid), str(self.gid)]
        return command + ["--", *dropper, *argv]


# ----------------------------------------------------------------------------------
# Grader side: helpers


_bwrap_checked: bool | None = None


def bwrap_available() -> bool:
    """True when bubblewrap is installed and can build our sandbox here."""
    global _bwrap_checked
    if _bwrap_checked is None:
        _bwrap_checked = _probe_bwrap()
    return _bwrap_checked


def _probe_bwrap() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("bwrap") is None:
        return False
    command = ["bwrap", *_bwrap_file_system([("--ro-bind", folder) for folder in _python_folders()])]
    command += ["--proc", "/proc", "--dev", "/dev", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    if os.geteuid() != 0:
        command.append("--unshare-user")
    command += ["--", sys.executable, "-I", "-S", "-c", "pass"]
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=20, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _bwrap_file_system(binds: list[tuple[str, Path]]) -> list[str]:
    """bwrap options for the sandbox's file system: system folders read-only
    (symbolic links such as a merged /usr stay links), an empty /tmp, and
    `binds` at their own paths. The folders above a bind are made 0755:
    bwrap would make them 0700 and the run user could not pass."""
    options = ["--ro-bind", "/usr", "/usr", "--ro-bind-try", "/etc", "/etc"]
    for folder in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(folder):
            options += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            options += ["--ro-bind", folder, folder]
    options += ["--perms", "1777", "--tmpfs", "/tmp"]
    made = {Path("/"), Path("/tmp")}
    mounted = [Path("/usr"), Path("/etc")]
    for flag, folder in binds:
        for parent in reversed(Path(folder).parents):
            if parent not in made and not any(_is_within(parent, mount) for mount in mounted):
                options += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        options += [flag, str(folder), str(folder)]
        mounted.append(Path(folder))
    return options


def _python_folders() -> list[Path]:
    """Folders of the running Python that lie outside /usr (pyenv, venv, conda)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates.add(str(Path(sys.executable).resolve().parent.parent))
    folders: list[Path] = []
    for candidate in sorted(candidates):
        folder = Path(candidate).resolve()
        if folder == Path("/") or _is_within(folder, Path("/usr")):
            continue
        if not any(_is_within(folder, kept) for kept in folders):
            folders = [kept for kept in folders if not _is_within(kept, folder)] + [folder]
    return folders


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _reachable_by_others(path: Path) -> bool:
    """Can a user who is neither owner nor in the group reach (and read) path?"""
    path = Path(path).resolve()
    try:
        for folder in [*reversed(path.parents)]:
            if not folder.stat().st_mode & stat.S_IXOTH:
                return False
        mode = path.stat().st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return bool(mode & stat.S_IXOTH)
    return bool(mode & stat.S_IROTH)


UID_CLAIMS = Path("/tmp/labgrade-uids")


def _pick_run_uid() -> tuple[int, tuple[int, str]] | tuple[None, None]:
    """A user id that no process uses now and no other grader has claimed.

    The claim is an flock on UID_CLAIMS/UID: graders in other processes
    (batch grades each student in a process of its own) skip it, and the
    kernel releases it if this process dies. Returns (uid, claim) or (None, None).
    """
    mapped = _mapped_uids()
    pool = RUN_UIDS if _covers(mapped, RUN_UIDS) else LOW_UIDS if _covers(mapped, LOW_UIDS) else None
    if pool is None:
        return None, None
    try:
        UID_CLAIMS.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None, None
    busy = {uid for info in _process_table().values() for uid in info.uids}
    for _ in range(100):
        uid = random.choice(pool)
        if uid in busy:
            continue
        path = str(UID_CLAIMS / str(uid))
        claim = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(claim)
            continue
        return uid, (claim, path)
    return None, None


def _release_uid(claim: int, path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
    _close(claim)


def _mapped_uids() -> list[tuple[int, int]]:
    try:
        with open("/proc/self/uid_map") as lines:
            return [(int(f[0]), int(f[0]) + int(f[2])) for f in (line.split() for line in lines)]
    except (OSError, ValueError, IndexError):
        return [(0, 65536)]


def _covers(mapped: list[tuple[int, int]], ids: range) -> bool:
    return any(start <= ids.start and ids.stop <= stop for start, stop in mapped)


def _kill_as_user(uid: int, gid: int) -> None:
    """kill(-1, SIGKILL) as the run user: every process of that user, atomically."""
    code = "import os\ntry: os.kill(-1, 9)\nexcept ProcessLookupError: pass"
    try:
        subprocess.run(
            [sys.executable, "-I", "-S", "-c", code],
            user=uid, group=gid, extra_groups=[], cwd="/", env={},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        pass


def _make_readable_tree(top: Path) -> None:
    """chmod -R a+rX: everyone may read the files and enter the folders."""
    if top.is_file():
        top.chmod(top.stat().st_mode | 0o444)
        return
    for here, folders, files in os.walk(top):
        os.chmod(here, os.stat(here).st_mode | 0o555)
        for name in files:
            path = os.path.join(here, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o444)


def _chown_tree(folder: Path, uid: int, gid: int) -> None:
    for here, folders, files in os.walk(folder):
        os.lchown(here, uid, gid)
        for name in folders + files:
            os.lchown(os.path.join(here, name), uid, gid)


def _remove_tree(folder: Path) -> None:
    """Remove folder even when the submission made parts of it read-only."""

    def make_writable_and_retry(function, path, _exc_info):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass

    if folder.exists():
        shutil.rmtree(folder, onerror=make_writable_and_retry)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _log_sandbox(box: Sandbox) -> None:
    log = os.environ.get(LOG_VARIABLE)
    if not log:
        return
    record = {"marker": box.marker, "uid": box.uid, "run_dir": str(box.run_dir), "bwrap": box.use_bwrap,
              "cgroups": box.cgroup.paths if box.cgroup else [], "grader_pid": os.getpid()}
    with open(log, "a") as lines:
        lines.write(json.dumps(record) + "\n")


_live_sandboxes: weakref.WeakSet[Sandbox] = weakref.WeakSet()


@atexit.register
def _cleanup_forgotten_sandboxes() -> None:
    """A last resort for a grader that forgot cleanup() (or was interrupted)."""
    for box in list(_live_sandboxes):
        try:
            box.cleanup()
        except Exception:  # noqa: BLE001 - exiting anyway, try the others
            pass


# ----------------------------------------------------------------------------------
# /proc


class _ProcessInfo:
    __slots__ = ("ppid", "state", "uids")

    def __init__(self, ppid: int, state: str, uids: set[int]):
        self.ppid, self.state, self.uids = ppid, state, uids


def _process_table() -> dict[int, _ProcessInfo]:
    """Every process we can see: parent, state, user ids.

    Only /proc/PID/stat and /status are read: they do not wait for the
    process's memory lock, as environ and cmdline do, which a fork bomb
    holds most of the time.
    """
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:  # no /proc (macOS): the launcher's process group is all we know
        entries = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat_file:
                fields = stat_file.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/status", "rb") as status:
                uid_line = next(line for line in status if line.startswith(b"Uid:"))
            table[int(entry)] = _ProcessInfo(
                int(fields[1]), fields[0].decode(), {int(value) for value in uid_line.split()[1:]}
            )
        except (OSError, ValueError, StopIteration, IndexError):
            continue
    return table


def _marker_of(pid: int) -> str | None:
    """The run marker in a process's environment, if it kept it."""
    needle = MARKER_VARIABLE.encode() + b"="
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            for variable in environ.read().split(b"\0"):
                if variable.startswith(needle):
                    return variable[len(needle):].decode(errors="replace")
    except OSError:
        pass
    return None


def _launcher_marker_of(pid: int) -> str | None:
    """The marker of the run a launcher process serves (None for other processes)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            arguments = cmdline.read().split(b"\0")
        return json.loads(arguments[arguments.index(_LAUNCH_FLAG.encode()) + 1])["marker"]
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return None


def _descendants(pid: int, table: dict[int, _ProcessInfo]) -> set[int]:
    children: dict[int, list[int]] = {}
    for child, info in table.items():
        children.setdefault(info.ppid, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# ----------------------------------------------------------------------------------
# cgroups (used as root when no dedicated user id can be used)


class _Cgroup:
    """The run's control groups: `pids` (pids.max) and `cpu` (one core at most).

    With cgroup v2 one group holds both controllers; with v1 each controller
    has its own hierarchy, hence a group in each. `path` is the group that
    lists the run's processes (the pids one when there is one).
    """

    def __init__(self, paths: list[str]):
        self.paths = paths
        self.path = paths[0]

    @classmethod
    def create(cls, name: str) -> _Cgroup | None:
        paths = []
        for base, settings in _cgroup_parents():
            path = os.path.join(base, name)
            try:
                os.mkdir(path)
            except OSError:
                continue
            try:
                for file_name, value in settings:
                    with open(os.path.join(path, file_name), "w") as setting:
                        setting.write(value)
                paths.append(path)
            except OSError:
                _rmdir(path)
        return cls(paths) if paths else None

    def pids(self) -> list[int]:
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as procs:
                return [int(line) for line in procs if line.strip()]
        except (OSError, ValueError):
            return []

    def kill(self) -> None:
        try:
            with open(os.path.join(self.path, "cgroup.kill"), "w") as kill:  # v2, Linux 5.14+
                kill.write("1")
            return
        except OSError:
            pass
        for pid in self.pids():
            _signal(pid, signal.SIGKILL)

    def remove(self) -> None:
        for path in self.paths:
            for _ in range(100):
                if _rmdir(path):
                    break
                self.kill()
                time.sleep(0.02)


def _rmdir(path: str) -> bool:
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


CPU_PERIOD_MICROSECONDS = 100_000
CPU_CORES = 1  # a run gets one core at most: the grader and other runs keep the rest


def _cgroup_parents() -> list[tuple[str, list[tuple[str, str]]]]:
    """Writable cgroups to make the run's groups in, with the settings for each.

    v2: our own cgroup, when it delegates pids (and cpu) to children.
    v1: our cgroup in the pids hierarchy and in the cpu hierarchy.
    """
    pids_max = ("pids.max", str(MAX_PROCESSES))
    quota = str(CPU_CORES * CPU_PERIOD_MICROSECONDS)
    try:
        with open("/proc/self/cgroup") as lines:
            memberships = [line.rstrip("\n").split(":", 2) for line in lines]
        with open("/proc/self/mountinfo") as lines:
            mounts = [line.split() for line in lines]
    except OSError:
        return []
    v2, v1 = [], []
    for mount in mounts:
        separator = mount.index("-")
        fstype, mount_point, options = mount[separator + 1], mount[4], mount[separator + 3].split(",")
        if fstype == "cgroup2":
            relative = next((path for hierarchy, _, path in memberships if hierarchy == "0"), "/")
            base = os.path.join(mount_point, relative.lstrip("/"))
            try:
                with open(os.path.join(base, "cgroup.subtree_control")) as control:
                    delegated = control.read().split()
            except OSError:
                continue
            if "pids" in delegated and os.access(base, os.W_OK):
                settings = [pids_max]
                if "cpu" in delegated:
                    settings.append(("cpu.max", f"{quota} {CPU_PERIOD_MICROSECONDS}"))
                v2.append((base, settings))
        elif fstype == "cgroup":
            for controller, settings in (
                ("pids", [pids_max]),
                ("cpu", [("cpu.cfs_period_us", str(CPU_PERIOD_MICROSECONDS)), ("cpu.cfs_quota_us", quota)]),
            ):
                if controller in options:
                    relative = next((path for _, names, path in memberships if controller in names.split(",")), "/")
                    base = os.path.join(mount_point, relative.lstrip("/"))
                    if os.access(base, os.W_OK):
                        v1.append((base, settings))
    return v2[:1] or v1


# ----------------------------------------------------------------------------------
# Launcher side: runs as `python -I -S sandbox.py --launch CONFIG`


def _limits(output_limit: int, own_user: bool) -> list[tuple[int, int]]:
    limits = [
        (resource.RLIMIT_CPU, CPU_SECONDS),
        (resource.RLIMIT_AS, ADDRESS_SPACE_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES),
        (resource.RLIMIT_FSIZE, output_limit),
        (resource.RLIMIT_CORE, 0),
    ]
    if own_user:
        limits.append((resource.RLIMIT_NPROC, MAX_PROCESSES))
    elif os.geteuid() != 0:
        # RLIMIT_NPROC counts every process of the user, the grader's too.
        mine = sum(1 for info in _process_table().values() if os.getuid() in info.uids)
        limits.append((resource.RLIMIT_NPROC, mine + MAX_PROCESSES))
    return limits


def _prctl(option: int, value: int) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(option, value, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _launch(config: dict) -> None:
    """Start config["argv"] and stay with it until the run is over."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    guard = config["guard_fd"]
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    stop_requested = []

    def on_stop(signum, frame):
        stop_requested.append(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_stop)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.set_wakeup_fd(wake_write)

    main = os.fork()
    if main == 0:
        _become_submission(config, guard, wake_read, wake_write)

    main_status = None
    orphaned = False
    while main_status is None and not stop_requested:
        try:
            readable, _, _ = select.select([guard, wake_read], [], [])
        except InterruptedError:
            readable = []
        if wake_read in readable:
            os.read(wake_read, 4096)
        if guard in readable:
            if os.read(guard, 1) == b"":
                orphaned = True  # the grader is gone: clean up on its behalf
            break
        main_status = _reap_children(main, main_status)

    main_status = _kill_everything(config, main, main_status)
    if orphaned:
        _remove_tree(Path(config["run_dir"]))
        _Cgroup(config["cgroups"]).remove() if config["cgroups"] else None
    _exit_like(main_status)


def _become_submission(config: dict, guard: int, *pipes: int) -> None:
    """In the forked child: limits, cgroup, then exec the submission."""
    try:
        for fd in (guard, *pipes):
            os.close(fd)
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD, signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(signum, signal.SIG_DFL)
        # A session of its own: its own process group (one killpg stops
        # every process that did not detach) and, where the kernel groups
        # scheduling by session (autogroup), a CPU share apart from the
        # launcher, so a fork bomb cannot starve the launcher that stops it.
        os.setsid()
        for cgroup in config["cgroups"]:
            with open(os.path.join(cgroup, "cgroup.procs"), "w") as procs:
                procs.write(str(os.getpid()))
        for which, value in config["limits"]:
            try:
                resource.setrlimit(which, (value, value))
            except (ValueError, OSError):
                pass
        if config["setuid_in_child"]:
            os.setgroups([])
            os.setgid(config["uid"])
            os.setuid(config["uid"])
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # the launcher is single-threaded
        argv = config["argv"]
        os.execvp(argv[0], argv)
    except BaseException as error:  # noqa: BLE001 - report and leave the child
        try:
            os.write(2, f"sandbox: could not start {config['argv'][:1]}: {error}\n".encode())
        finally:
            os._exit(127)


def _reap_children(main: int, main_status: int | None) -> int | None:
    """Reap every finished child (orphans too); return the main one's status once known."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return main_status
        if pid == 0:
            return main_status
        if pid == main:
            main_status = status


def _kill_everything(config: dict, main: int, main_status: int | None) -> int | None:
    """Kill this launcher's processes and reap them; return the main one's status.

    Only our own tree: the run's user id and cgroup may also hold another
    process tree of the same run (stage 5's module probe runs beside the
    server), which Sandbox.kill_all() stops when the whole run ends.
    """
    try:
        os.killpg(main, signal.SIGKILL)  # atomic for everything that did not detach
    except OSError:
        pass

    def ours(table: dict) -> set[int]:
        found = _descendants(os.getpid(), table)  # orphans are re-parented to us
        return {pid for pid in found if table[pid].state != "Z"}

    status = [main_status]

    def reap() -> None:
        status[0] = _reap_children(main, status[0])

    _stop_then_kill(ours, on_round=reap)
    reap()
    return status[0]


def _stop_then_kill(find, on_round=lambda: None, seconds: float = 10.0) -> None:
    """SIGSTOP the processes find(table) names until none is running, then SIGKILL them.

    A stopped process cannot fork, so a fork bomb cannot outrun this the way
    it outruns a plain kill loop (every kill frees a slot for a new fork).
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        table = _process_table()
        pids = find(table)
        if not pids:
            return
        running = [pid for pid in pids if table[pid].state not in ("T", "t", "Z", "X")]
        for pid in running:
            _signal(pid, signal.SIGSTOP)
        if not running:
            for pid in pids:
                _signal(pid, signal.SIGKILL)
        on_round()
        time.sleep(0.005)


def _exit_like(status: int | None) -> None:
    """Exit with the same code, or die of the same signal, as the submission did."""
    if status is None:
        os._exit(0)
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.set_wakeup_fd(-1)
        for handled in (signum, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            try:
                signal.signal(handled, signal.SIG_DFL)
            except (OSError, ValueError):
                pass
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
        os.kill(os.getpid(), signum)
        os._exit(128 + signum)
    os._exit(os.WEXITSTATUS(status))


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == _LAUNCH_FLAG:
    _launch(json.loads(sys.argv[2]))
