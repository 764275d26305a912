"""The run deadline belongs to one grading: two gradings in one process keep their own."""

import threading
import time

from autograder import timing


def test_each_grading_keeps_its_own_deadline():
    seen = {}

    def grading(name, seconds, ready, go):
        token = timing.start_run(seconds)
        ready.set()
        go.wait()
        seen[name] = timing.bounded(100)
        timing.end_run(token)

    go = threading.Event()
    short_ready, long_ready = threading.Event(), threading.Event()
    short = threading.Thread(target=grading, args=("short", 5, short_ready, go))
    long = threading.Thread(target=grading, args=("long", 50, long_ready, go))
    short.start()
    short_ready.wait()
    long.start()  # started second: with one module-level deadline it would overwrite the short one's
    long_ready.wait()
    go.set()
    short.join()
    long.join()
    assert seen["short"] <= 5
    assert 40 < seen["long"] <= 50


def test_outside_a_grading_nothing_is_bounded():
    token = timing.start_run(1)
    timing.end_run(token)
    assert timing.bounded(7) == 7
    time.sleep(0)
