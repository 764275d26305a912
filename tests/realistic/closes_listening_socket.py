# stage: 1
# story: A student copied serverSocket.close() from the bottom of the skeleton into the loop, so the first request is answered and then the server stops listening.
# faults: closes-listening-socket
from socket import *
import sys

serverSocket = socket(AF_INET, SOCK_STREAM)
serverPort = int(sys.argv[1])
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(1)

while True:
    print('Ready to serve...')
    try:
        connectionSocket, addr = serverSocket.accept()
    except OSError:
        print('server socket closed, bye')
        break
    message = b''
    while not message.endswith(b'\r\n\r\n'):
        data = connectionSocket.recv(1024)
        if not data:
            break
        message += data
    try:
        filename = message.split()[1].decode().split('?')[0]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        ext = filename.split('.')[-1]
        ctype = {'html': 'text/html', 'txt': 'text/plain', 'png': 'image/png'}.get(ext, 'application/octet-stream')
        connectionSocket.send(('HTTP/1.1 200 OK\r\nContent-Type: ' + ctype + '\r\nContent-Length: '
                               + str(len(outputdata)) + '\r\n\r\n').encode())
        connectionSocket.sendall(outputdata)
    except (IOError, IndexError):
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 22\r\n\r\n<h1>404 Not Found</h1>')
    #Close client socket
    connectionSocket.close()
    serverSocket.close()
sys.exit()
