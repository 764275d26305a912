"""Hostile submission: ignores sys.argv[1] and listens on a port of its own choosing."""
import socket

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", 0))  # the port a beginner hard-codes; any port but the asked one
server.listen(5)
print("listening on", server.getsockname()[1], flush=True)
while True:
    client, _ = server.accept()
    client.close()
