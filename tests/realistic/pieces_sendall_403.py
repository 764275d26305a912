# stage: 2
# story: A student sends the status line, each header and the body with separate sendall() calls and answers 403 to any path containing '..'.
# faults: absolute-target-leaves-root (GET //abs/path: path[1:] is still absolute)
from socket import *
from urllib.parse import unquote
import os
import sys

MIME = {'html': 'text/html', 'txt': 'text/plain', 'png': 'image/png', 'ico': 'image/x-icon'}

def send_response(conn, status, ctype, body):
    conn.sendall(('HTTP/1.1 ' + status + '\r\n').encode())
    conn.sendall(('Content-Type: ' + ctype + '\r\n').encode())
    conn.sendall(('Content-Length: ' + str(len(body)) + '\r\n').encode())
    conn.sendall(b'Connection: close\r\n')
    conn.sendall(b'\r\n')
    conn.sendall(body)

def page(title):
    return ('<html><head><title>' + title + '</title></head><body><h1>' + title + '</h1></body></html>').encode()

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', int(sys.argv[1])))
serverSocket.listen(5)

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = b''
        while b'\r\n\r\n' not in message:
            data = connectionSocket.recv(1024)
            if not data:
                raise ConnectionError('client left early')
            message += data
        requestLine = message.split(b'\r\n')[0].decode('latin-1').split(' ')
        if len(requestLine) != 3 or not requestLine[2].startswith('HTTP/'):
            send_response(connectionSocket, '400 Bad Request', 'text/html', page('400 Bad Request'))
        else:
            path = unquote(requestLine[1].split('?')[0])
            if '..' in path or '\\' in path:
                send_response(connectionSocket, '403 Forbidden', 'text/html', page('403 Forbidden'))
            elif os.path.isfile(path[1:]):
                with open(path[1:], 'rb') as f:
                    body = f.read()
                send_response(connectionSocket, '200 OK', MIME.get(path.rsplit('.', 1)[-1].lower(), 'application/octet-stream'), body)
            else:
                send_response(connectionSocket, '404 Not Found', 'text/html', page('404 Not Found'))
    except Exception as e:
        print('error:', e)
    connectionSocket.close()
