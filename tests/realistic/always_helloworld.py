# stage: 1
# story: A student got the lab's HelloWorld.html working in the browser and hard-wired it, so every path returns that one file.
# faults: serves-fixed-file, single-recv
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
        message = connectionSocket.recv(1024).decode()
        print(message.split('\r\n')[0])
        filename = 'HelloWorld.html'    # the file from the handout
        f = open(filename, 'rb')
        outputdata = f.read()
        f.close()
        connectionSocket.send(b'HTTP/1.1 200 OK\r\n')
        connectionSocket.send(b'Content-Type: text/html\r\n')
        connectionSocket.send(('Content-Length: ' + str(len(outputdata)) + '\r\n\r\n').encode())
        connectionSocket.sendall(outputdata)
        connectionSocket.close()
    except IOError:
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 22\r\n\r\n<h1>404 Not Found</h1>')
        connectionSocket.close()
