"""Hostile submission: answers every request with a body that never ends."""
import socket
import sys
import threading


def stream(client):
    try:
        client.recv(65536)
        client.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10\r\n\r\n")
        chunk = b"labgrade-hostile endless body " * 1000
        while True:
            client.sendall(chunk)
    except OSError:
        client.close()


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("", int(sys.argv[1])))
server.listen(50)
while True:
    connection, _ = server.accept()
    threading.Thread(target=stream, args=(connection,), daemon=True).start()
