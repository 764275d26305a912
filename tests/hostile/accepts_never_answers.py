"""Hostile submission: accepts every connection, reads nothing, answers nothing."""
import socket
import sys

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(50)
held = []
while True:
    client, _ = server.accept()
    held.append(client)  # never closed, never answered
