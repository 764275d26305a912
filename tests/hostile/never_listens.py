"""Hostile submission: runs forever without ever opening a socket."""
import time

while True:
    time.sleep(1)
