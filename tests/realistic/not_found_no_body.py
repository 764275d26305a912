# stage: 2
# story: A student answers missing files with a bare "404 Not Found" status and headers but no HTML body, and splits on spaces without checking the request shape.
# faults: 404-no-body, crash-on-malformed-request, no-400-for-malformed
import socket
import sys
import os
from urllib.parse import unquote

port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', port))
s.listen(5)
print('server on', port)

def ctype(name):
    if name.endswith('.html'):
        return 'text/html'
    if name.endswith('.png'):
        return 'image/png'
    return 'text/plain'

while True:
    conn, addr = s.accept()
    req = b''
    while b'\r\n\r\n' not in req:
        part = conn.recv(1024)
        if not part:
            break
        req += part
    method, target = req.decode('latin-1').split(' ')[0:2]   # GET /file HTTP/1.1
    path = unquote(target.split('?')[0])
    name = path[1:]
    if '..' in name or not os.path.isfile(name):
        conn.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
    else:
        with open(name, 'rb') as f:
            body = f.read()
        conn.sendall(('HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n'
                      % (ctype(name), len(body))).encode() + body)
    conn.close()
