"""The walkthrough notebooks (notebooks/) are built from their sources, and they run.

* Each committed notebooks/NN-name.ipynb is exactly what notebooks/build.py
  makes from notebooks/src/NN-name.py, and the builder notices when it is not.
* Every notebook runs headless (nbclient, kernel python3, at most 60 s per
  cell, the kernel's working folder notebooks/ as in `jupyter lab`), shows what
  its text promises - a grader report that passes, one that fails on the
  planted bug, the stage-4 timeline picture, the POST's bytes, the stage-6
  listing and its 301 - and leaves no
  process behind, also when a cell fails halfway.

Processes are found by a marker: the test puts a unique value in the
environment of the kernel, which passes it on to every server the notebook
starts; afterwards no process on the machine may carry it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
NOTEBOOKS = PROJECT / "notebooks"
MARKER = "LAB_NOTEBOOK_TEST_RUN"
CELL_TIMEOUT = 60  # seconds; nbclient's limit for one cell
PROC = Path("/proc")

nbformat = pytest.importorskip("nbformat", reason="the dev extra installs nbformat")


def load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build = load_module("notebook_build", NOTEBOOKS / "build.py")


# ------------------------------------------------------------ processes


def marked_processes(token: str) -> dict[int, str]:
    """{pid: command line} of every live process whose environment holds MARKER=token."""
    wanted = f"{MARKER}={token}".encode()
    found = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes()  # empty for a zombie
            command = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if wanted in environment.split(b"\0"):
            found[int(entry.name)] = command.replace(b"\0", b" ").decode(errors="replace").strip()
    return found


def wait_until_none_left(token: str, seconds: float = 15.0) -> dict[int, str]:
    """Give a shutting-down kernel a moment; what is still running then."""
    deadline = time.monotonic() + seconds
    left = marked_processes(token)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = marked_processes(token)
    return left


@pytest.fixture
def marker(monkeypatch) -> str:
    """A unique marker in os.environ: the kernel, and all it starts, inherit it."""
    if not PROC.is_dir():
        pytest.skip("finding left-over processes needs /proc (Linux)")
    token = uuid.uuid4().hex
    monkeypatch.setenv(MARKER, token)
    yield token
    # Whatever the test did, no marked process outlives it.
    for pid in marked_processes(token):
        try:
            os.killpg(pid, 9)
        except OSError:
            pass


def run_notebook(notebook):
    """Execute in place, as `jupyter lab notebooks/` would (working folder notebooks/)."""
    from nbclient import NotebookClient

    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", startup_timeout=60,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    return notebook


def text_output(notebook) -> str:
    """Everything the cells printed or displayed as text."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif "data" in output and "text/plain" in output.data:
                parts.append(output.data["text/plain"])
    return "\n".join(parts)


def has_image(notebook) -> bool:
    return any(
        "image/png" in output.get("data", {})
        for cell in notebook.cells for output in cell.get("outputs", [])
    )


# ------------------------------------------------------ sources and build


def test_committed_notebooks_match_their_sources():
    problems = build.check()
    assert not problems, "\n".join(problems) + "\nRebuild with: python notebooks/build.py"


def test_there_is_a_notebook_for_the_wire_and_for_every_stage():
    names = [path.stem for path in build.sources()]
    assert [name[:2] for name in names] == ["00", "01", "02", "03", "04", "05", "06", "07", "08"], names


def test_building_twice_gives_the_same_bytes():
    source = build.sources()[0]
    assert build.render(source) == build.render(source)


def test_committed_notebooks_have_no_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_check_notices_an_edited_notebook_and_one_without_source(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(NOTEBOOKS / "src", src)
    out.mkdir()
    build.build(src, out)
    assert build.check(src, out) == []

    edited = min(out.glob("*.ipynb"))
    notebook = nbformat.read(edited, as_version=4)  # as if run in Jupyter and saved
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    first_code.execution_count = 1
    first_code.outputs = [nbformat.v4.new_output("stream", text="hello\n")]
    nbformat.write(notebook, edited)
    (out / "99-stray.ipynb").write_text("{}", encoding="utf-8")
    problems = build.check(src, out)
    assert any(edited.name in problem and "differs" in problem for problem in problems), problems
    assert any("99-stray.ipynb has no source" in problem for problem in problems), problems

    build.build(src, out)
    (out / "99-stray.ipynb").unlink()
    assert build.check(src, out) == []


def test_build_and_check_commands(tmp_path):
    """`python notebooks/build.py [--check]` in a copy of the folder, without the notebooks."""
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS / "src", folder / "src")
    shutil.copy2(NOTEBOOKS / "build.py", folder)

    def command(*args):
        return subprocess.run(
            [sys.executable, str(folder / "build.py"), *args], check=False, capture_output=True, text=True, timeout=120
        )

    missing = command("--check")
    assert missing.returncode == 1 and "is missing" in missing.stderr, missing.stderr
    built = command()
    assert built.returncode == 0, built.stderr
    assert sorted(path.name for path in folder.glob("*.ipynb")) == sorted(
        path.name for path in NOTEBOOKS.glob("*.ipynb"))
    (folder / "src" / "00-on-the-wire.py").write_text("x = 1\n", encoding="utf-8")
    broken = command("--check")
    assert broken.returncode == 2 and "before the first" in broken.stderr, broken.stderr


def test_percent_format_is_parsed_into_cells():
    cells = build.parse(
        "# header comment, not a cell\n"
        "\n"
        "# %% [markdown]\n"
        "# # Title\n"
        "#\n"
        "# Text with `code`.\n"
        "\n"
        "# %%\n"
        "x = 1  # a comment stays\n"
        "\n"
        "\n"
        "print(x)\n"
        "\n"
    )
    assert [(cell.kind, cell.text) for cell in cells] == [
        ("markdown", "# Title\n\nText with `code`."),
        ("code", "x = 1  # a comment stays\n\n\nprint(x)"),
    ]


@pytest.mark.parametrize("source, complaint", [
    ("x = 1\n# %%\ny = 2\n", "before the first"),
    ("# %% [markdown]\nnot a comment\n", "must start with '# '"),
    ("# %% [raw]\nx\n", "unknown cell tag"),
    ("# %%\n\n# %%\nx = 1\n", "empty cell"),
    ("# just a comment\n", "no cells"),
])
def test_malformed_sources_are_refused_with_the_line(source, complaint):
    with pytest.raises(build.SourceError, match=re.escape(complaint)):
        build.parse(source, "bad.py")


# ------------------------------------------------------------ execution

# What each notebook must show, besides running without an error:
# the check that the planted bug breaks (it must appear as failed).
BROKEN_CHECK = {
    "01": "1.request-in-pieces",
    "02": "2.no-traversal",
    "03": "3.echo-escaping",
    "04": "4.stalled-client",
    "05": "5.post-body-timing",
    "06": "6.hrefs-encoded",
    "07": "7.timeout-stops-all",
    "08": "8.body-binary",
}


@pytest.mark.parametrize("source", build.sources(), ids=lambda path: path.stem)
def test_notebook_runs_shows_its_point_and_leaves_no_process(source, marker):
    notebook = nbformat.reads(build.render(source), as_version=4)
    try:
        run_notebook(notebook)
    finally:
        left = wait_until_none_left(marker)
    assert not left, f"processes left by {source.stem}: {left}"

    shown = text_output(notebook)
    assert "servers still running: 0" in shown  # the last cell stopped them itself
    sources = "\n".join(cell.source for cell in notebook.cells)
    for marker in ("#Hint:", "#Placeholder:", "#Fill in start", "#Fill in end"):
        assert marker not in shown and marker not in sources, f"{source.stem} shows {marker!r}"
    assert "\\r\\n" in shown  # bytes are shown with their line endings visible
    number = source.stem[:2]
    if number in BROKEN_CHECK:
        scores = [(float(got), float(out_of)) for got, out_of in re.findall(r"Score: ([\d.]+)/([\d.]+)", shown)]
        assert scores and scores[0][0] == scores[0][1] > 0, f"the reference solution should pass: {scores}"
        assert any(got < out_of for got, out_of in scores[1:]), f"the broken copy should fail: {scores}"
        failed_line = rf"^\s+(✗|FAIL) {re.escape(BROKEN_CHECK[number])}\s"
        assert re.search(failed_line, shown, re.MULTILINE), f"{BROKEN_CHECK[number]} not reported as failed"
    if number == "04":
        assert has_image(notebook), "the stage-4 notebook draws the timeline"
    if number == "05":
        assert "POST /echo?from=form HTTP/1.1\\r\\n" in shown
        assert "key=from; value=form; key=name; value=Grace Hopper;" in shown
    if number == "06":
        assert '<a href="my%20notes.txt">my notes.txt</a>' in shown and "&lt;b&gt;.txt" in shown
        assert ".env" not in shown.split("HTTP/1.1 200 OK", 1)[1].split("</html>", 1)[0]  # not in the listing
        assert "HTTP/1.1 301 Moved Permanently\\r\\n" in shown and "Location: /odd/?sort=name\\r\\n" in shown
    if number == "07":
        assert '"QUERY_STRING": "q=caf%C3%A9+au+lait&x=1%262"' in shown  # handed over raw
        assert "stdin: name=Grace+Hopper&rank=rear+admiral" in shown
        assert "HTTP/1.1 500 Internal Server Error" in shown and "traceback in the response: False" in shown
        assert "the sleeping script's client: HTTP/1.1 504 Gateway Timeout" in shown
        assert "script alive: False   child alive: False" in shown
    if number == "08":
        assert "GET /about%20this%20kit.html HTTP/1.1\\r\\n" in shown  # the request the fake server caught
        assert "Connection: close\\r\\n" in shown
        assert "identical" in shown and "DIFFERENT" not in shown  # the PNG on stdout, byte for byte
        assert "404:    exit status 1" in shown and "refused: exit status 2" in shown
        assert "Traceback" not in shown.split("Grading ")[0]  # the client's own runs: one line, never a traceback
        assert "Grüße!</p>" in shown and "0\\r\\n" in shown  # the chunked answer, as sent and decoded
        assert "decoded as text" in shown  # the grader names the planted bug


def test_no_process_is_left_when_a_cell_fails_halfway(marker):
    source = (
        "# %%\n"
        "import labhelpers as lab\n"
        "server = lab.Server(1)\n"
        "print(server.process.pid)\n"
        "# %%\n"
        "raise RuntimeError('a cell fails halfway')\n"
        "# %%\n"
        "server.stop()\n"
    )
    from nbclient.exceptions import CellExecutionError

    notebook = build.to_notebook(build.parse(source))
    with pytest.raises(CellExecutionError, match="a cell fails halfway"):
        run_notebook(notebook)
    assert int(notebook.cells[0].outputs[0].text) > 0  # a server was running when the cell failed
    left = wait_until_none_left(marker)
    assert not left, f"left after the failed cell: {left}"


# ------------------------------------------------- the helper's processes


@pytest.fixture
def labhelpers(marker):
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import labhelpers

        yield labhelpers
        labhelpers.stop_all()
    finally:
        sys.path.remove(str(NOTEBOOKS))


def test_the_process_finder_sees_a_running_server(labhelpers, marker):
    server = labhelpers.Server(1)
    assert server.process.pid in marked_processes(marker)  # so a clean result means something
    response = labhelpers.exchange(server.port, labhelpers.get_request("/HelloWorld.html"))
    assert labhelpers.status_line(response) == "HTTP/1.1 200 OK"
    server.stop()
    server.stop()  # twice is fine
    assert wait_until_none_left(marker, 5) == {}
    assert not server.running


def test_a_forgotten_server_is_stopped_when_collected(labhelpers, marker):
    import gc

    pid = labhelpers.Server(1).process.pid  # no reference kept
    gc.collect()
    assert pid not in wait_until_none_left(marker, 5)


def test_broken_copy_changes_exactly_one_line_or_refuses(labhelpers, capsys):
    copy = labhelpers.broken_copy(4, "worker.start()", "worker.run()", name="run_not_start.py")
    original = labhelpers.solution(4).read_text().splitlines()
    changed = copy.read_text().splitlines()
    assert len(original) == len(changed)
    assert [(a.strip(), b.strip()) for a, b in zip(original, changed) if a != b] == [("worker.start()", "worker.run()")]
    shown = capsys.readouterr().out
    assert "+        worker.run()" in shown
    assert "#Fill in end" in copy.read_text() and "#Fill in" not in shown  # the markers stay out of the diff
    with pytest.raises(ValueError, match="not on exactly one"):
        labhelpers.broken_copy(4, "no such line", "x", name="nothing.py")
