"""Hostile submission: asks for 3 GiB before it listens (the sandbox allows 2 GiB of address space)."""
import sys

hoard = bytearray(3 * 1024**3)  # MemoryError in the sandbox; without it, 3 GiB of RAM
print(f"labgrade-hostile: got {len(hoard)} bytes for port {sys.argv[1]}", flush=True)
