# stage: 1
# story: A student thought the status line was the whole header and sends it straight before the file bytes, with no headers and no blank line.
# faults: status-line-only, single-recv, query-not-stripped
from socket import *
import sys

serverSocket = socket(AF_INET, SOCK_STREAM)
serverPort = int(sys.argv[1])
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(1)

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = connectionSocket.recv(1024)
        filename = message.split()[1]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        # status line
        connectionSocket.send(b'HTTP/1.1 200 OK\r\n')
        # then the file
        connectionSocket.sendall(outputdata)
        connectionSocket.close()
    except IOError:
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\n')
        connectionSocket.send(b'<html><body><h1>404 Not Found</h1></body></html>')
        connectionSocket.close()
    except IndexError:
        # empty request
        connectionSocket.close()
