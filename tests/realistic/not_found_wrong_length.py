# stage: 2
# story: A student wrote the 404 page inline and typed its Content-Length by hand (it is wrong), and answers 404 rather than 400 for garbage requests.
# faults: 404-wrong-content-length, no-400-for-malformed
from socket import *
from urllib.parse import unquote
import os, sys

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', int(sys.argv[1])))
serverSocket.listen(10)

NOT_FOUND = ("HTTP/1.1 404 Not Found\r\n"
             "Content-Type: text/html\r\n"
             "Content-Length: 30\r\n"
             "Connection: close\r\n\r\n"
             "<html><body><h1>404 Not Found</h1><p>The requested file was not found on this server.</p></body></html>")

while True:
    connectionSocket, addr = serverSocket.accept()
    try:
        message = b''
        while b'\r\n\r\n' not in message:
            data = connectionSocket.recv(2048)
            if not data:
                break
            message += data
        words = message.decode('latin-1').split()
        path = unquote(words[1].split('?')[0]) if len(words) > 1 else '/'
        filename = os.path.normpath(path.lstrip('/'))
        if filename.startswith('..') or os.path.isabs(filename) or not os.path.isfile(filename):
            connectionSocket.sendall(NOT_FOUND.encode())
        else:
            with open(filename, 'rb') as f:
                body = f.read()
            kind = {'.html': 'text/html', '.txt': 'text/plain', '.png': 'image/png'}.get(os.path.splitext(filename)[1], 'application/octet-stream')
            connectionSocket.sendall(('HTTP/1.1 200 OK\r\nContent-Type: ' + kind + '\r\nContent-Length: '
                                      + str(len(body)) + '\r\nConnection: close\r\n\r\n').encode() + body)
    except Exception as e:
        print('problem:', e)
    connectionSocket.close()
