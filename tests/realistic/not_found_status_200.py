# stage: 2
# story: A student sends a friendly "Not Found" page for missing files but with status 200 OK, and never answers 400 to a malformed request.
# faults: 404-sent-as-200, no-400-for-malformed
from socket import *
from urllib.parse import unquote
import sys
import os

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(5)

NOT_FOUND_PAGE = b'<html><head><title>Oops</title></head><body><h1>Not Found</h1><p>Sorry, that page does not exist.</p></body></html>'

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    message = b''
    while b'\r\n\r\n' not in message:
        chunk = connectionSocket.recv(1024)
        if not chunk:
            break
        message += chunk
    try:
        filename = unquote(message.decode().split()[1].split('?')[0])
        if '..' in filename:
            raise IOError('no going up')
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        ctype = {'.html': 'text/html', '.txt': 'text/plain', '.png': 'image/png'}.get(os.path.splitext(filename)[1], 'application/octet-stream')
        header = 'HTTP/1.1 200 OK\r\nContent-Type: ' + ctype + '\r\nContent-Length: ' + str(len(outputdata)) + '\r\nConnection: close\r\n\r\n'
        connectionSocket.sendall(header.encode() + outputdata)
    except (IOError, IndexError):
        header = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ' + str(len(NOT_FOUND_PAGE)) + '\r\n\r\n'
        connectionSocket.sendall(header.encode() + NOT_FOUND_PAGE)
    connectionSocket.close()
