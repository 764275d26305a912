# stage: 1
# story: A student built headers with a raw string so the "\r\n" went out as four characters (backslash r backslash n) and the client never sees a header end.
# faults: literal-backslash-crlf, single-recv
from socket import *
import sys

PORT = int(sys.argv[1])

def content_type(name):
    if name.endswith('.html'):
        return 'text/html'
    if name.endswith('.png'):
        return 'image/png'
    if name.endswith('.txt'):
        return 'text/plain'
    return 'application/octet-stream'

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', PORT))
serverSocket.listen(5)
print('Ready to serve on', PORT)

CRLF = r'\r\n'   # the line ending HTTP wants

while True:
    connectionSocket, addr = serverSocket.accept()
    message = connectionSocket.recv(1024).decode()
    try:
        path = message.split()[1].split('?')[0]
        with open(path[1:], 'rb') as f:
            data = f.read()
        header = 'HTTP/1.1 200 OK' + CRLF
        header += 'Content-Type: ' + content_type(path) + CRLF
        header += 'Content-Length: ' + str(len(data)) + CRLF
        header += 'Connection: close' + CRLF + CRLF
        connectionSocket.sendall(header.encode() + data)
    except (IOError, IndexError):
        body = '<h1>404 Not Found</h1>'
        header = 'HTTP/1.1 404 Not Found' + CRLF + 'Content-Type: text/html' + CRLF
        header += 'Content-Length: ' + str(len(body)) + CRLF + CRLF
        connectionSocket.sendall((header + body).encode())
    connectionSocket.close()
