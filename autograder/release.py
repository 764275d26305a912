"""What students receive: `python -m autograder release --stage N [--course FILE] --out DIR`.

The release holds, for the course's stages up to N (in the course's order):
the skeletons, the handouts, `www/`, the grader able to grade (the
`autograder` package, which contains no solution), the course file it grades
by, a student README with the install and grading commands, a LICENSE, and
a GitHub Actions workflow that grades every push. It holds no reference
solution, no notebook (they quote the solutions) and none of the kit's tests.

Keeping the solutions private: keep the kit (this repository, with
`solutions/`) in a private repository; give students only what `release`
writes, for example as a template repository that GitHub Classroom (or a
plain "use this template") copies once per student.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from autograder.course import Course
from autograder.stages import PROJECT_ROOT, get_stage

GRADER_PACKAGE = "autograder"
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.part", ".pytest_cache")
WORKFLOW_PATH = Path(".github/workflows/grade.yml")
COURSE_FILE = "course.toml"
MIT_LICENSE = """MIT License

Copyright (c) 2026 the authors of the socket web-server lab kit

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def run(args, course: Course | None) -> int:
    try:
        out = write(Path(args.out), args.stage, course, course_file=getattr(args, "course", None))
    except FileExistsError as problem:
        print(f"labgrade: {problem}", file=sys.stderr)
        return 2
    print(f"Wrote the student release up to stage {args.stage} to {out} (no solutions in it).", file=sys.stderr)
    return 0


def released_stages(course: Course, stage: int) -> list:
    """The course's stages up to `stage`, in its order."""
    wanted = course.stage(stage)
    return list(course.stages[: course.stages.index(wanted) + 1])


def write(out: Path, stage: int, course: Course | None = None, course_file: Path | None = None,
          project: Path = PROJECT_ROOT) -> Path:
    course = course or Course.default()
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} exists and is not empty: choose a new folder")
    stages = released_stages(course, stage)
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(project / GRADER_PACKAGE, out / GRADER_PACKAGE, ignore=IGNORED)
    shutil.copytree(project / "www", out / "www", ignore=IGNORED)
    (out / "skeletons").mkdir()
    (out / "stages").mkdir()
    for course_stage in stages:
        kit = get_stage(course_stage.kit)
        shutil.copy2(project / "skeletons" / kit.file_name, out / "skeletons" / kit.file_name)
        handout = project / "stages" / (Path(kit.file_name).stem + ".md")
        if handout.is_file():
            shutil.copy2(handout, out / "stages" / handout.name)
    (out / COURSE_FILE).write_text(course_text(course, course_file), encoding="utf-8")
    shutil.copy2(project / "pyproject.toml", out / "pyproject.toml")
    license_file = project / "LICENSE"
    (out / "LICENSE").write_text(license_file.read_text(encoding="utf-8") if license_file.is_file() else MIT_LICENSE,
                                 encoding="utf-8")
    (out / "README.md").write_text(student_readme(course, stages), encoding="utf-8")
    workflow = out / WORKFLOW_PATH
    workflow.parent.mkdir(parents=True)
    workflow.write_text(workflow_text(stages[-1].kit, hand_in_name(course, stages[-1].kit)), encoding="utf-8")
    return out


def course_text(course: Course, course_file: Path | None) -> str:
    if course_file is not None:
        return Path(course_file).read_text(encoding="utf-8")
    lines = [f"# {course.name}: the course this release grades by.", "", "[course]", f"name = {json.dumps(course.name)}"]
    for stage in course.stages:
        lines += ["", "[[stage]]", f"kit = {stage.kit}", f"name = {json.dumps(stage.name)}"]
    return "\n".join(lines) + "\n"


def hand_in_name(course: Course, kit: int) -> str:
    return course.hand_in or get_stage(kit).file_name


def student_readme(course: Course, stages: list) -> str:
    last = stages[-1]
    name = hand_in_name(course, last.kit)
    rows = "\n".join(
        f"| {number} | {s.name} | `skeletons/{get_stage(s.kit).file_name}` | `stages/{Path(get_stage(s.kit).file_name).stem}.md` |"
        for number, s in enumerate(stages, start=1))
    return f"""# {course.name}

You write a web server from raw sockets, stage by stage. Each stage has a
skeleton (fill in the parts between `#Fill in start` and `#Fill in end`) and
a handout that explains the HTTP it needs.

| # | stage | skeleton | handout |
|---|---|---|---|
{rows}

## Install the grader (once)

Linux and macOS:

    python3 -m venv .venv
    .venv/bin/python -m pip install -e .

Windows (PowerShell):

    py -m venv .venv
    .venv\\Scripts\\python -m pip install -e .

## Grade your server

Copy the skeleton to `{name}`, fill it in, then:

    .venv/bin/python -m autograder grade {name} --course {COURSE_FILE} --stage {last.kit}

The grader starts your server on a free port (`python {name} PORT`) in a
folder of test files, talks to it over real sockets, and tells you for
each check what it sent, what came back, and what to change. `--stage`
takes the stage you are working on.

## On GitHub

Every push runs the same grading (`{WORKFLOW_PATH.as_posix()}`): the report is in
the run's summary, the JSON in its artifacts, and the run fails while a
check fails.
"""


def workflow_text(stage: int, hand_in: str) -> str:
    return f"""# Grades the server on every push: the report goes to the job summary, the JSON
# to an artifact, and the job fails while a check fails.
name: grade

on:
  push:
  workflow_dispatch:

jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install the grader
        run: |
          python -m venv .venv
          .venv/bin/python -m pip install -q -e .
      - name: Grade {hand_in} at stage {stage}
        run: |
          set -o pipefail
          .venv/bin/python -m autograder grade {hand_in} --course {COURSE_FILE} --stage {stage} --json results.json | tee report.txt
      - name: Report
        if: always()
        run: |
          echo '```' >> "$GITHUB_STEP_SUMMARY"
          cat report.txt >> "$GITHUB_STEP_SUMMARY" || echo "no report: the grader did not run" >> "$GITHUB_STEP_SUMMARY"
          echo '```' >> "$GITHUB_STEP_SUMMARY"
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: results
          path: results.json
"""
