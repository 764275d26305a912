# stage: 1
# story: A careful student fixed headers and binary mode but kept the textbook one-byte-per-send loop, so the 5 MiB file takes millions of send() calls.
# faults: byte-per-send
from socket import *
import sys

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(5)

types = {'html': 'text/html', 'txt': 'text/plain', 'png': 'image/png',
         'ico': 'image/x-icon', 'css': 'text/css', 'js': 'application/javascript'}

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    # read until the end of the headers
    message = b''
    while b'\r\n\r\n' not in message:
        chunk = connectionSocket.recv(1024)
        if not chunk:
            break
        message += chunk
    try:
        filename = message.split()[1].decode()
        filename = filename.split('?')[0]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        ext = filename.split('.')[-1].lower()
        ctype = types.get(ext, 'application/octet-stream')
        header = 'HTTP/1.1 200 OK\r\n'
        header += 'Content-Type: ' + ctype + '\r\n'
        header += 'Content-Length: ' + str(len(outputdata)) + '\r\n'
        header += 'Connection: close\r\n\r\n'
        connectionSocket.send(header.encode())
        # send the file one byte at a time like in the book
        for i in range(0, len(outputdata)):
            connectionSocket.send(outputdata[i:i+1])
    except (IOError, IndexError):
        body = b'<html><body><h1>404 Not Found</h1></body></html>'
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n'
                              b'Content-Length: ' + str(len(body)).encode() + b'\r\n\r\n' + body)
    connectionSocket.close()
