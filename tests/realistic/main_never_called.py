# stage: 1
# story: A student put everything in a main() function as told and forgot to call it, so the script exits at once.
# faults: main-never-called
from socket import *
import sys

def get_content_type(path):
    if path.endswith(".html"):
        return "text/html"
    if path.endswith(".txt"):
        return "text/plain"
    if path.endswith(".png"):
        return "image/png"
    return "application/octet-stream"

def main():
    serverPort = int(sys.argv[1])
    serverSocket = socket(AF_INET, SOCK_STREAM)
    serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    serverSocket.bind(("127.0.0.1", serverPort))
    serverSocket.listen(1)
    print("The server is ready to receive")
    while True:
        connectionSocket, addr = serverSocket.accept()
        request = b""
        while not request.endswith(b"\r\n\r\n"):
            piece = connectionSocket.recv(1024)
            if not piece:
                break
            request += piece
        try:
            path = request.decode().split()[1].split("?")[0]
            with open(path[1:], "rb") as f:
                content = f.read()
            header = "HTTP/1.1 200 OK\r\n"
            header += "Content-Type: " + get_content_type(path) + "\r\n"
            header += "Content-Length: " + str(len(content)) + "\r\n"
            header += "Connection: close\r\n\r\n"
            connectionSocket.sendall(header.encode() + content)
        except (IOError, IndexError):
            body = b"<html><body><h1>404 Not Found</h1></body></html>"
            connectionSocket.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: "
                                     + str(len(body)).encode() + b"\r\n\r\n" + body)
        connectionSocket.close()

# TODO: run it
