#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (the bundle is unpacked in /autograder/source). It installs the grader (the
# kit in kit/) into a virtual environment in /autograder/venv.
#
# Every path can be moved with an environment variable, so the bundle can be
# tried end to end outside Gradescope:
#   AUTOGRADER_ROOT     instead of /autograder
#   AUTOGRADER_VENV     where the virtual environment goes ($AUTOGRADER_ROOT/venv)
#   AUTOGRADER_PYTHON   the interpreter that makes it (python3)
#   AUTOGRADER_SKIP_APT=1  do not install system packages (they are there already)
# pip's own variables (PIP_NO_INDEX, PIP_FIND_LINKS, ...) work as usual.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
KIT="$HERE/kit"
VENV="${AUTOGRADER_VENV:-$ROOT/venv}"
PYTHON="${AUTOGRADER_PYTHON:-python3}"

if [ "${AUTOGRADER_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-pip python3-venv
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "setup.sh: the grader needs Python 3.10 or newer; $("$PYTHON" --version 2>&1) found." >&2
    echo "setup.sh: choose Ubuntu 22.04 or newer as the base image in Gradescope's autograder settings." >&2
    exit 1
fi

# A virtual environment works the same on every Ubuntu image, including those
# whose system Python refuses "pip install" (PEP 668). System site-packages
# stay visible, so packages installed with apt are used as they are.
# Without a pip of its own: the system's pip (python3-pip) serves it and
# installs into it, which saves the slow copying of a private pip.
"$PYTHON" -m venv --system-site-packages --without-pip "$VENV"
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    "$VENV/bin/python" -m ensurepip --default-pip
fi
# The grader's few runtime dependencies, from the package index (or apt).
"$VENV/bin/python" -m pip install --disable-pip-version-check -r "$KIT/requirements.txt"
# The kit itself goes on the environment's path where it is, as an editable
# install would put it, without a build step: the grader finds www/ (the
# document root it copies for every run) beside its own package.
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$KIT" > "$SITE/labgrade-kit.pth"
# Fail now, while the instructor is watching, rather than at the first submission.
"$VENV/bin/python" -m autograder grade --help >/dev/null
echo "setup.sh: the grader is installed in $VENV (stage @STAGE@)"
