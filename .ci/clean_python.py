"""Is this interpreter clean: does it hold none of the project's dependencies?

    python3 .ci/clean_python.py pyproject.toml

Exit status 0: clean. 3: it holds only development tools (pytest, ...), none
of the packages the kit itself installs. 1: it holds a runtime dependency, or
cannot make a virtual environment. Anything it holds is printed.

CI builds the project's virtual environment from an interpreter for which
this holds. A package installed into the machine's own Python by hand hides
a missing install step: a test that makes a venv with --system-site-packages
(setup.sh of the Gradescope bundle does) finds it there and passes, and fails
on every fresh machine. Issue 12 was exactly that, with tqdm.

Runs on the interpreter under test, with the standard library only.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path


def dependency_names(pyproject: Path) -> tuple[list[str], list[str]]:
    """Distribution names: (runtime dependencies, those of the optional extras)."""
    text = pyproject.read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: read the simple lists by pattern
        def block(pattern):
            match = re.search(pattern + r"\s*=\s*\[(.*?)\]", text, re.DOTALL | re.MULTILINE)
            return re.findall(r'"([^"]+)"', match.group(1)) if match else []
        runtime, extras = block(r"^dependencies"), block(r"^dev")
    else:
        project = tomllib.loads(text)["project"]
        runtime = list(project.get("dependencies", []))
        extras = [item for extra in project.get("optional-dependencies", {}).values() for item in extra]
    return _names(runtime), _names(extras)


def _names(requirements: list[str]) -> list[str]:
    names = []
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


def installed(names: list[str]) -> list[str]:
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return found


def main() -> int:
    if sys.version_info < (3, 10):
        print(f"{sys.executable}: Python {sys.version.split()[0]} is older than 3.10")
        return 1
    try:
        import ensurepip  # noqa: F401 - python3 -m venv needs it
        import venv  # noqa: F401
    except ModuleNotFoundError as missing:
        print(f"{sys.executable}: cannot make a virtual environment ({missing.name} is missing)")
        return 1
    runtime, extras = dependency_names(Path(sys.argv[1]))
    held_runtime, held_extras = installed(runtime), installed(extras)
    if held_runtime or held_extras:
        print(f"{sys.executable} already holds: {', '.join(held_runtime + held_extras)}")
    return 1 if held_runtime else 3 if held_extras else 0


if __name__ == "__main__":
    sys.exit(main())
