# stage: 1
# story: A student followed the lab handout literally and hard-coded port 6789, ignoring the port on the command line.
# faults: hardcoded-port
from socket import *
import sys # In order to terminate the program

serverSocket = socket(AF_INET, SOCK_STREAM)
#Prepare a sever socket
serverPort = 6789
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(1)

def content_type(name):
    if name.endswith('.html'):
        return 'text/html'
    elif name.endswith('.png'):
        return 'image/png'
    elif name.endswith('.txt'):
        return 'text/plain'
    return 'application/octet-stream'

while True:
    #Establish the connection
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = b''
        while b'\r\n\r\n' not in message:
            part = connectionSocket.recv(1024)
            if not part:
                break
            message += part
        filename = message.split()[1].decode().split('?')[0]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        #Send HTTP header lines into socket
        header = 'HTTP/1.1 200 OK\r\n'
        header += 'Content-Type: ' + content_type(filename) + '\r\n'
        header += 'Content-Length: ' + str(len(outputdata)) + '\r\n'
        header += 'Connection: close\r\n\r\n'
        connectionSocket.send(header.encode())
        #Send the content of the requested file to the client
        connectionSocket.sendall(outputdata)
        connectionSocket.close()
    except (IOError, IndexError):
        #Send response message for file not found
        body = '<html><head></head><body><h1>404 Not Found</h1></body></html>'
        connectionSocket.send(('HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n'
                               'Content-Length: ' + str(len(body)) + '\r\n\r\n' + body).encode())
        connectionSocket.close()
