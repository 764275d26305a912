"""Hostile submission: ignores SIGTERM, SIGINT and SIGHUP, and listens on no port."""
import signal
import time

for name in ("SIGTERM", "SIGINT", "SIGHUP"):
    signal.signal(getattr(signal, name), signal.SIG_IGN)
while True:
    try:
        time.sleep(1)
    except BaseException:  # noqa: BLE001 - a KeyboardInterrupt would not stop it either
        pass
