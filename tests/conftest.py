"""Settings for the whole test run."""

import os

# A bug in the grader's diagnosis (which only explains failures) is hidden from
# students, who keep the check's own message; the kit's tests must see it.
os.environ.setdefault("AUTOGRADER_STRICT_DIAGNOSIS", "1")

# tests/realistic/ holds student submissions (one has its own test_server.py,
# which the grader must ignore): they are graded by test_realistic.py, never
# collected as tests.
collect_ignore_glob = ["realistic/*"]


# With LABGRADE_SANDBOX=portable the grader uses its portable runner (the one
# Windows and macOS get) instead of the Linux sandbox. The README's test
# command runs the grading tests a second time that way: these modules. The
# others stay out of that run: test_hostile needs the sandbox's limits (a fork
# bomb is contained only by them), the notebooks, real clients and screenshots
# run the reference servers rather than the grader's runner, the realistic
# corpus is graded with the portable runner by test_portable.py already, and
# the unit tests start no process.
PORTABLE_SUITE = {
    "test_corpus.py", "test_solutions.py", "test_ladder.py", "test_skeletons.py", "test_course.py",
    "test_batch.py", "test_cli.py", "test_gradescope.py", "test_malformed_traffic.py", "test_client_corpus.py",
    "test_handouts.py", "test_release.py", "test_portable.py",
}


def pytest_collection_modifyitems(config, items):
    import pytest

    if os.environ.get("LABGRADE_SANDBOX") != "portable":
        return
    skip = pytest.mark.skip(reason="not part of the portable-runner run (see tests/conftest.py)")
    for item in items:
        if item.path.name not in PORTABLE_SUITE:
            item.add_marker(skip)
