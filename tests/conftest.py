"""Settings for the whole test run."""

import os

# A bug in the grader's diagnosis (which only explains failures) is hidden from
# students, who keep the check's own message; the kit's tests must see it.
os.environ.setdefault("AUTOGRADER_STRICT_DIAGNOSIS", "1")

# tests/realistic/ holds student submissions (one has its own test_server.py,
# which the grader must ignore): they are graded by test_realistic.py, never
# collected as tests.
collect_ignore_glob = ["realistic/*"]
