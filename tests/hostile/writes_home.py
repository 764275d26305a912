"""Hostile submission: writes into HOME and TMPDIR (allowed) and into places it must not reach.

It reports (one JSON line on stdout) which writes succeeded, then exits
with an error, so it never listens.
"""
import json
import os
import sys

NAME = "labgrade-hostile-wrote"
TARGETS = {
    "home": os.path.join(os.path.expanduser("~"), NAME),
    "tmpdir": os.path.join(os.environ.get("TMPDIR", "/nonexistent"), NAME),
    "root_home": os.path.join("/root", NAME),
    "system_tmp": os.path.join("/tmp", NAME),
    "run_folder": os.path.join("..", NAME),
}

report = {}
for place, path in TARGETS.items():
    try:
        with open(path, "w") as note:
            note.write("written by a hostile submission\n")
        report[place] = os.path.abspath(path)
    except OSError as problem:
        report[place] = f"refused: {type(problem).__name__}"
print(json.dumps({"labgrade-hostile-writes": report}), flush=True)
sys.exit(f"labgrade-hostile: wrote what it could, will not listen on {sys.argv[1]}")
