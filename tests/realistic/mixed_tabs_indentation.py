# stage: 1
# story: A student edited the file in two editors; some lines of the try block are indented with a tab and others with spaces, so Python 3 refuses to compile it (TabError).
# faults: indentation-error
from socket import *
import sys

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(1)

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = b''
        while b'\r\n\r\n' not in message:
            data = connectionSocket.recv(1024)
            if not data:
                break
            message += data
        filename = message.split()[1].decode().split('?')[0]
        f = open(filename[1:], 'rb')
	outputdata = f.read()
	f.close()
        if filename.endswith('.png'):
            ctype = 'image/png'
        elif filename.endswith('.txt'):
            ctype = 'text/plain'
        else:
            ctype = 'text/html'
        header = 'HTTP/1.1 200 OK\r\nContent-Type: ' + ctype + '\r\n'
        header += 'Content-Length: ' + str(len(outputdata)) + '\r\n\r\n'
        connectionSocket.sendall(header.encode() + outputdata)
    except (IOError, IndexError):
        body = b'<h1>404 Not Found</h1>'
        connectionSocket.sendall(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: '
                                 + str(len(body)).encode() + b'\r\n\r\n' + body)
    connectionSocket.close()
