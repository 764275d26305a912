# stage: 1
# story: A student named the file as the kit asks and kept a small test_server.py beside it; the server itself is Kurose-style and never strips the query string.
# faults: query-not-stripped, single-recv
from socket import *
import sys

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(5)


def content_type(name):
    if name.endswith('.html'):
        return 'text/html'
    if name.endswith('.txt'):
        return 'text/plain'
    if name.endswith('.png'):
        return 'image/png'
    return 'application/octet-stream'


while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = connectionSocket.recv(1024)
        filename = message.split()[1].decode()
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        header = 'HTTP/1.1 200 OK\r\n'
        header += 'Content-Type: ' + content_type(filename) + '\r\n'
        header += 'Content-Length: ' + str(len(outputdata)) + '\r\n'
        header += 'Connection: close\r\n\r\n'
        connectionSocket.sendall(header.encode() + outputdata)
    except (IOError, IndexError):
        body = b'<html><body><h1>404 Not Found</h1></body></html>'
        connectionSocket.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n'
                                 b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body)
    connectionSocket.close()
