"""A browser's view of a page: headless Chromium, started and stopped safely.

    note = capture("http://127.0.0.1:PORT/HelloWorld.html", Path("shot.png"))

The Kurose-Ross assignment ends with "open HelloWorld.html in your browser";
`grade --screenshot FILE.png` does that for the student and keeps the
picture. `capture` never raises: it returns one line for the report, either
"screenshot saved to ..." or why there is none (no browser installed, the
browser timed out, ...), and grading goes on.

Why a real browser and not a hand-written renderer: what a student wants to
know is whether a browser accepts their response (status line, headers,
Content-Type), and only a browser answers that.

Every run gets a fresh, temporary profile (--user-data-dir), removed after;
the browser runs in its own session so that it and every helper process it
forks (zygote, renderer, GPU) are killed together on a timeout. The flags
switch off everything that would talk to the network on its own (updates,
sync, metrics), and the host resolver is told to resolve nothing, so the only
traffic is the page load from 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 45.0  # a cold Chromium start on a loaded machine takes several seconds
WINDOW_SIZE = "1024,768"
INSTALL_HINT = "apt-get install chromium"

QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",  # Chromium's own sandbox needs user namespaces, often missing in containers
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-breakpad",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--hide-scrollbars",
    # No name resolves: a page can reach 127.0.0.1 and nothing else by name.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


class BrowserMissing(RuntimeError):
    pass


def find_browser() -> str | None:
    """The path of the first Chromium-like browser on PATH, or None."""
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def run_headless(url: str, flags: list[str], timeout: float = TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """Run the browser once on `url` with `flags` (e.g. --dump-dom) and wait for it.

    Raises BrowserMissing when there is no browser and subprocess.TimeoutExpired
    (after killing every browser process) when it takes longer than `timeout`.
    """
    browser = find_browser()
    if browser is None:
        raise BrowserMissing(f"Chromium is not installed ({INSTALL_HINT})")
    profile = tempfile.mkdtemp(prefix="labgrade-browser-")
    command = [browser, *QUIET_FLAGS, f"--user-data-dir={profile}", *flags, url]
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: one kill reaches every helper it forks
            env={**os.environ, "HOME": profile},  # nothing lands in the real home folder
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise
        finally:
            _kill_group(process)  # helpers that outlive the main process
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def capture(url: str, path: Path, timeout: float = TIMEOUT_SECONDS) -> str:
    """Save a picture of `url` to `path`; return a one-line note. Never raises."""
    path = Path(path).resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)  # so an old picture is never mistaken for a new one
        completed = run_headless(url, [f"--screenshot={path}", f"--window-size={WINDOW_SIZE}"], timeout)
    except BrowserMissing as problem:
        return f"no screenshot: {problem}"
    except subprocess.TimeoutExpired:
        return f"no screenshot: the browser did not finish within {timeout:g} s"
    except OSError as problem:
        return f"no screenshot: {problem}"
    if path.is_file() and path.stat().st_size > 0:
        return f"screenshot saved to {path}"
    reason = _last_line(completed.stderr) or f"exit status {completed.returncode}"
    return f"no screenshot: the browser saved nothing ({reason})"


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _last_line(data: bytes) -> str:
    lines = [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1].strip()[:200] if lines else ""
