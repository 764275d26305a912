"""Hostile submission: closes its stdout and stderr, then crashes silently."""
import os
import sys

os.close(1)
os.close(2)
print("nobody will read this")  # fails: the file descriptor is gone
sys.exit(f"labgrade-hostile: port {sys.argv[1]}")
