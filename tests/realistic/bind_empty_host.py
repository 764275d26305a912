# stage: 1
# story: A Kurose student fixed the textbook bugs (binary reads, real headers, a read loop) and binds to '' like the book does.
# faults: none
from socket import *
import sys

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', serverPort))
serverSocket.listen(5)

def content_type(filename):
    if filename.endswith('.html') or filename.endswith('.htm'):
        return 'text/html'
    if filename.endswith('.txt'):
        return 'text/plain'
    if filename.endswith('.png'):
        return 'image/png'
    return 'application/octet-stream'

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = b''
        while not message.endswith(b'\r\n\r\n'):
            data = connectionSocket.recv(1024)
            if not data:
                break
            message += data
        filename = message.split()[1].decode().split('?')[0]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        connectionSocket.send(b'HTTP/1.1 200 OK\r\n')
        connectionSocket.send(('Content-Type: ' + content_type(filename) + '\r\n').encode())
        connectionSocket.send(('Content-Length: ' + str(len(outputdata)) + '\r\n').encode())
        connectionSocket.send(b'Connection: close\r\n\r\n')
        connectionSocket.sendall(outputdata)
    except (IOError, IndexError):
        body = b'<html><head></head><body><h1>404 Not Found</h1></body></html>'
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: '
                              + str(len(body)).encode() + b'\r\n\r\n' + body)
    connectionSocket.close()
