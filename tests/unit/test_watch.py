"""The watch from inside (autograder/watch_inside.py): what it notes, and that the submission cannot tell.

Each test runs a small script the way the grader does, `python watch_inside.py
EVENTS FILE PORT`, and reads the events back with autograder.watch.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from autograder import watch

INSIDE = Path(watch.__file__).with_name("watch_inside.py")


def run_watched(tmp_path: Path, source: str, *, watched: bool = True) -> tuple[subprocess.CompletedProcess, list]:
    script = tmp_path / "student.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    events = tmp_path / "events"
    prefix = [str(INSIDE), str(events)] if watched else []
    done = subprocess.run([sys.executable, *prefix, str(script), "8080"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=30, stdin=subprocess.DEVNULL)
    parsed = [watch._parse(line) for line in events.read_text().splitlines()] if watched else []
    return done, [event for event in parsed if event]


def test_the_submission_sees_what_a_plain_run_gives_it(tmp_path):
    source = """
        import json, sys
        print(json.dumps({"argv": sys.argv, "name": __name__, "path0": sys.path[0], "file": __file__,
                          "modules": sorted(sys.modules)}))
    """
    plain, _ = run_watched(tmp_path, source, watched=False)
    inside, events = run_watched(tmp_path, source)
    seen_plain, seen_inside = json.loads(plain.stdout), json.loads(inside.stdout)
    assert seen_inside["argv"] == seen_plain["argv"] == [str(tmp_path / "student.py"), "8080"]
    assert seen_inside["name"] == "__main__" and seen_inside["path0"] == seen_plain["path0"]
    assert seen_inside["file"] == seen_plain["file"]
    assert seen_inside["modules"] == seen_plain["modules"]  # the watch imports nothing the student's code would see
    assert [e.kind for e in events] == ["finished"]


def test_files_sockets_and_input_are_noted_with_the_students_line(tmp_path):
    done, events = run_watched(tmp_path, """
        import socket
        open("notes.txt", "w").close()
        with open("notes.txt", "rb") as f:
            f.read()
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.close()
        try:
            input("port? ")
        except EOFError:
            pass
    """)
    opened = watch.opened(events)
    assert [(o.path, o.mode[0], o.line) for o in opened] == [("notes.txt", "w", 3), ("notes.txt", "r", 4)]
    assert [b.line for b in watch.binds(events)] == [7]
    assert [(e.fields[0], e.line) for e in watch.inputs(events)] == [("port? ", 10)]
    assert watch.finished(events)


def test_programs_started_are_noted_with_shell_cwd_and_environment(tmp_path):
    done, events = run_watched(tmp_path, f"""
        import os, subprocess, sys
        subprocess.run("true", shell=True)
        subprocess.run([sys.executable, "-c", "pass"], env={{"QUERY_STRING": "a=1", "PATH": "/bin"}}, cwd={str(tmp_path)!r})
        os.system("true")
    """)
    assert done.returncode == 0, done.stderr
    shell, listed, system = watch.runs(events)
    assert shell.shell and shell.argv[-1] == "true" and shell.line == 3 and shell.env_names is None
    assert not listed.shell and listed.argv[1:] == ("-c", "pass") and listed.cwd == str(tmp_path)
    assert listed.env_names == ("PATH", "QUERY_STRING") and listed.line == 4
    assert system.shell and system.argv == ("true",) and system.line == 5


def test_a_thread_that_dies_and_the_exit_are_noted_and_the_traceback_is_the_plain_one(tmp_path):
    done, events = run_watched(tmp_path, """
        import socket, sys, threading
        def serve():
            [][1]
        socket.socket().close()  # any audited call after importing threading lets the watch hook its threads
        worker = threading.Thread(target=serve)
        worker.start()
        worker.join()
        sys.exit(3)
    """)
    crash, = watch.crashes(events)
    assert (crash.type, crash.line, crash.in_main_thread) == ("IndexError", 4, False)
    assert done.returncode == 3 and "IndexError" in done.stderr and "watch_inside" not in done.stderr
    assert any(e.kind == "exit" and e.fields == ("3",) for e in events) and not watch.finished(events)


def test_a_crash_in_the_main_thread_prints_the_traceback_a_plain_run_prints(tmp_path):
    source = """
        def main():
            return 1 / 0
        main()
    """
    plain, _ = run_watched(tmp_path, source, watched=False)
    inside, events = run_watched(tmp_path, source)
    assert inside.stderr == plain.stderr and inside.returncode == plain.returncode == 1
    crash, = watch.crashes(events)
    assert (crash.type, crash.line, crash.in_main_thread) == ("ZeroDivisionError", 3, True)


def test_forged_or_broken_event_lines_are_ignored():
    assert watch._parse("not python") is None
    assert watch._parse("(1, 2)") is None
    assert watch._parse("('run', 'not a list', True, None, None, 'f.py', 3)").kind == "run"
    assert watch.runs([watch._parse("('run', 'not a list', True, None, None, 'f.py', 3)")]) == []
