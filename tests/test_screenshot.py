"""Browser screenshots (autograder/screenshot.py) and `grade --screenshot`.

The tests that need Chromium skip with a clear message where it is not
installed (Debian: apt-get install chromium). The ones that check what
happens without it, or with a page that does not load, always run.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import screenshot
from autograder.wire import free_port

PROJECT = Path(__file__).resolve().parent.parent
STAGE1 = PROJECT / "solutions" / "stage1_file_server.py"
NO_BROWSER = "Chromium is not installed (apt-get install chromium); screenshot tests need it"
needs_browser = pytest.mark.skipif(screenshot.find_browser() is None, reason=NO_BROWSER)



@pytest.fixture
def hello_server(tmp_path):
    """The stage-1 solution serving a copy of www/ on a free port; stopped after the test."""
    root = tmp_path / "root"
    shutil.copytree(PROJECT / "www", root)
    port = free_port()
    server = subprocess.Popen([sys.executable, str(STAGE1), str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.kill()
        server.wait()


def browser_processes(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(entry.name)
            except OSError:
                pass
    return found


@needs_browser
def test_capture_saves_what_a_browser_shows(hello_server, tmp_path):
    image_module = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot's pixels")
    picture = tmp_path / "shots" / "hello.png"

    note = screenshot.capture(f"{hello_server}/HelloWorld.html", picture)

    assert note == f"screenshot saved to {picture.resolve()}"
    with image_module.open(picture) as image:
        assert image.size == (1024, 768)
        colours = image.convert("L").getextrema()
    assert colours[1] - colours[0] > 100, "dark text on a light page, not a blank picture"


@needs_browser
def test_capture_of_a_page_that_does_not_load_says_so(tmp_path):
    note = screenshot.capture(f"http://127.0.0.1:{free_port()}/HelloWorld.html", tmp_path / "none.png")
    assert note.startswith("no screenshot: the browser saved nothing")
    assert not (tmp_path / "none.png").exists()


@needs_browser
def test_a_browser_that_takes_too_long_is_killed_with_its_helpers(tmp_path, monkeypatch):
    profile = tmp_path / "profile-marker-d41d8"
    monkeypatch.setattr(screenshot.tempfile, "mkdtemp", lambda prefix="": (profile.mkdir() or str(profile)))

    # A server that lets the browser connect and then never answers: the page
    # load hangs for as long as we let it, however fast the browser starts.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        began = time.monotonic()
        note = screenshot.capture(f"http://127.0.0.1:{silent.getsockname()[1]}/", tmp_path / "late.png", timeout=0.5)

    assert note == "no screenshot: the browser did not finish within 0.5 s"
    assert time.monotonic() - began < 15
    assert browser_processes(str(profile)) == []
    assert not profile.exists(), "the temporary profile is removed"


def test_without_a_browser_capture_says_how_to_install_one(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium, chromium-browser or google-chrome here

    note = screenshot.capture("http://127.0.0.1:9/HelloWorld.html", tmp_path / "x.png")

    assert note == "no screenshot: Chromium is not installed (apt-get install chromium)"
    assert screenshot.find_browser() is None


@needs_browser
def test_grade_with_screenshot_saves_the_picture_and_reports_it(tmp_path):
    picture = tmp_path / "student.png"
    result = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(STAGE1), "--stage", "1", "--screenshot", str(picture)],
        check=False, capture_output=True, text=True, timeout=180, cwd=PROJECT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert picture.is_file() and picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "screenshot saved to" in result.stdout
