# stage: 1
# story: A student kept their pages in a www/ folder next to the script and opens 'www' + path, so nothing in the real document root is found.
# faults: serves-from-www-subfolder, single-recv, crash-on-malformed-request
from socket import *
import sys

port = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', port))
serverSocket.listen(5)
print('Serving www/ on port', port)

while True:
    connectionSocket, addr = serverSocket.accept()
    message = connectionSocket.recv(1024).decode()
    if not message:
        connectionSocket.close()
        continue
    path = message.split()[1].split('?')[0]
    print('GET', path)
    try:
        f = open('www' + path, 'rb')   # my files are in the www folder
        body = f.read()
        f.close()
        if path.endswith('.html'):
            ctype = 'text/html'
        elif path.endswith('.png'):
            ctype = 'image/png'
        else:
            ctype = 'text/plain'
        head = 'HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % (ctype, len(body))
        connectionSocket.sendall(head.encode() + body)
    except IOError:
        body = b'<html><body><h1>404 Not Found</h1></body></html>'
        head = 'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n' % len(body)
        connectionSocket.sendall(head.encode() + body)
    connectionSocket.close()
