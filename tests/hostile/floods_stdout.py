"""Hostile submission: prints without end, and shrugs off every write error."""
import sys

line = "labgrade-hostile flood " * 40 + "\n"
while True:
    try:
        sys.stdout.write(line)
        sys.stderr.write(line)
    except (OSError, ValueError):
        pass
