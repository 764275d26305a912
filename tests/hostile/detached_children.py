"""Hostile submission: leaves a detached grandchild behind and answers nothing useful.

The grandchild double-forks, starts its own session, and replaces itself with
a fresh Python whose environment is empty (so no marker variable survives).
Its command line names its working folder, so a test can tell whose it is.
"""
import os
import socket
import sys

TOKEN = "labgrade-hostile-detached"
SLEEPER = "import time\nwhile True: time.sleep(1)"

for _ in range(3):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execve(sys.executable, [sys.executable, "-c", SLEEPER, TOKEN, os.getcwd()], {})
        os._exit(0)
    os.wait()

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(5)
while True:
    client, _ = server.accept()
    client.sendall(b"HTTP/1.0 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
    client.close()
