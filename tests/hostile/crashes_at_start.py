"""Hostile submission: raises before it listens."""
import sys

port = int(sys.argv[1])
raise RuntimeError(f"labgrade-hostile: crashed before listening on {port}")
