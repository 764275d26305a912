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
# command runs the tests that grade through the runner a second time that way:
# the whole of these modules, and of the others the tests named below. What stays
# out: test_hostile needs the sandbox's limits (a fork bomb is contained only by
# them); the notebooks, real clients, screenshots, malformed traffic and the
# solutions' own tests run the reference servers rather than the grader's runner;
# the ladder, handouts and unit tests start no process; the buggy corpus servers
# and clients, and blanked blocks, would only say again what the first run said
# about the checks (the runner cannot make a check pass). The realistic corpus,
# every solution and every skeleton are graded with the portable runner by
# test_portable.py, and must fail exactly as in the sandbox.
PORTABLE_SUITE = {
    "test_course.py", "test_batch.py", "test_cli.py", "test_gradescope.py", "test_release.py", "test_portable.py",
}
PORTABLE_TESTS = {
    "test_corpus.py": ("test_correct_but_different_server_passes", "test_command_line_json_agrees",
                       "test_buggy_server_passes_the_stage_before"),
    "test_solutions.py": ("test_solution_passes_the_grader",),
    "test_skeletons.py": ("test_untouched_skeleton_earns_no_point_of_its_own_stage",),
}


def in_portable_run(item) -> bool:
    if item.path.name in PORTABLE_SUITE:
        return True
    return getattr(item, "originalname", item.name) in PORTABLE_TESTS.get(item.path.name, ())


def pytest_collection_modifyitems(config, items):
    import pytest

    if os.environ.get("LABGRADE_SANDBOX") != "portable":
        return
    skip = pytest.mark.skip(reason="not part of the portable-runner run (see tests/conftest.py)")
    for item in items:
        if not in_portable_run(item):
            item.add_marker(skip)
