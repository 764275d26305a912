# stage: 1
# story: A student forgot connectionSocket.close(); with no Content-Length either, a client reading until close waits until the next client arrives.
# faults: never-closes-connection, no-content-length
import socket
import sys

PORT = int(sys.argv[1])
serverSocket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
serverSocket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', PORT))
serverSocket.listen(5)
print('Ready to serve on', PORT)

while True:
    connectionSocket, addr = serverSocket.accept()
    message = b''
    while b'\r\n\r\n' not in message:
        data = connectionSocket.recv(1024)
        if not data:
            break
        message += data
    try:
        filename = message.split()[1].decode().split('?')[0]
        with open(filename[1:], 'rb') as f:
            outputdata = f.read()
        if filename.endswith('.png'):
            ctype = 'image/png'
        elif filename.endswith('.txt'):
            ctype = 'text/plain'
        else:
            ctype = 'text/html'
        connectionSocket.sendall(('HTTP/1.1 200 OK\r\nContent-Type: ' + ctype + '\r\n\r\n').encode())
        connectionSocket.sendall(outputdata)
    except (IOError, IndexError):
        connectionSocket.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<h1>404 Not Found</h1>')
    print('sent response to', addr)
