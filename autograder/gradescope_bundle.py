"""The Gradescope bundle: the zip an instructor uploads as the autograder.

    python -m autograder gradescope --stage N --out autograder.zip

Gradescope unpacks the zip in /autograder/source, runs `setup.sh` once to
build its image, and runs `run_autograder` for every submission, which must
leave /autograder/results/results.json (https://gradescope-autograders.readthedocs.io).
The zip holds:

    setup.sh          installs the kit into /autograder/venv (see templates/setup.sh)
    run_autograder    grade /autograder/submission at stage N (templates/run_autograder)
    kit/              pyproject.toml, README.md, requirements.txt, autograder/ and www/

The reference solutions stay out: grading does not need them, and a
submission runs on the same machine as the bundle.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

from autograder.stages import PROJECT_ROOT, get_stage

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCRIPTS = ("setup.sh", "run_autograder")
KIT_FOLDERS = ("autograder", "www")
KIT_FILES = ("pyproject.toml", "README.md", "LICENSE")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
SKIPPED_SUFFIXES = {".pyc", ".pyo", ".part"}
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same inputs make the same zip, byte for byte
EXIT_DONE, EXIT_CANNOT_BUILD = 0, 2

FALLBACK_README = "# socket-web-lab\n\nThe autograder of the socket web-server lab, as bundled for Gradescope.\n"


def run(args) -> int:
    stage = get_stage(args.stage)
    try:
        path = build(stage.number, Path(args.out), course=getattr(args, "course", None))
    except FileNotFoundError as problem:
        print(f"labgrade: cannot build the bundle: {problem}", file=sys.stderr)
        return EXIT_CANNOT_BUILD
    print(f"Wrote {path}: grades stage {stage.number} ({stage.slug}).", file=sys.stderr)
    print("Upload it in Gradescope (Configure Autograder > Zip file upload), base image Ubuntu 22.04 or newer.",
          file=sys.stderr)
    return EXIT_DONE


def bundle_files(project: Path = PROJECT_ROOT) -> list[tuple[str, Path]]:
    """(name in the zip, file on disk) for everything under kit/."""
    files = []
    for folder in KIT_FOLDERS:
        source = project / folder
        if not source.is_dir():
            raise FileNotFoundError(f"{source} is missing")
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(project)
            if path.is_file() and not SKIPPED_PARTS.intersection(relative.parts) and path.suffix not in SKIPPED_SUFFIXES:
                files.append((f"kit/{relative.as_posix()}", path))
    for name in KIT_FILES:
        if (project / name).is_file():
            files.append((f"kit/{name}", project / name))
    return files


def runtime_requirements(pyproject: Path) -> list[str]:
    """The `dependencies` of pyproject.toml, for setup.sh to pip-install."""
    text = pyproject.read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the list is simple enough to read by pattern
        match = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.DOTALL | re.MULTILINE)
        return re.findall(r'"([^"]+)"', match.group(1)) if match else []
    return list(tomllib.loads(text).get("project", {}).get("dependencies", []))


def script(name: str, stage: int, course: bool = False) -> str:
    text = (TEMPLATES / name).read_text(encoding="utf-8").replace("@STAGE@", str(stage))
    return text.replace("@COURSE@", '--course "$ROOT/kit/course.toml"' if course else "")


def build(stage: int, out: Path, project: Path = PROJECT_ROOT, course: Path | None = None) -> Path:
    """Write the bundle for `stage` to `out` (atomically) and return its path.

    With a course file, the bundle holds it as kit/course.toml and grades by it.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = bundle_files(project)
    temporary = out.with_name(out.name + ".part")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name in SCRIPTS:
            _add(bundle, name, script(name, stage, course is not None).encode("utf-8"), executable=True)
        if course is not None:
            _add(bundle, "kit/course.toml", Path(course).read_bytes(), executable=False)
        for name, path in files:
            _add(bundle, name, path.read_bytes(), executable=False)
        if not (project / "README.md").is_file():  # pyproject.toml names it
            _add(bundle, "kit/README.md", FALLBACK_README.encode("utf-8"), executable=False)
        requirements = "\n".join(runtime_requirements(project / "pyproject.toml")) + "\n"
        _add(bundle, "kit/requirements.txt", requirements.encode("utf-8"), executable=False)
    temporary.replace(out)
    return out


def _add(bundle: zipfile.ZipFile, name: str, data: bytes, executable: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100755 if executable else 0o100644) << 16  # Unix mode: run_autograder must be executable
    bundle.writestr(info, data)
