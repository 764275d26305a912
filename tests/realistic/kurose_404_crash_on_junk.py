# stage: 2
# story: A Kurose student added a proper 404 page and binary reads, but message.split()[1] on an empty or one-word request raises IndexError and kills the server.
# faults: crash-on-malformed-request, no-400-for-malformed, no-percent-decode, single-recv
#import socket module
from socket import *
import sys # In order to terminate the program

serverSocket = socket(AF_INET, SOCK_STREAM)
#Prepare a sever socket
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', int(sys.argv[1])))
serverSocket.listen(1)

while True:
    #Establish the connection
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = connectionSocket.recv(1024).decode()
        filename = message.split()[1]
        filename = filename.split('?')[0]
        if '..' in filename:
            raise IOError
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        #Send HTTP header lines into socket
        if filename.endswith('.png'):
            ctype = 'image/png'
        elif filename.endswith('.txt'):
            ctype = 'text/plain'
        else:
            ctype = 'text/html'
        connectionSocket.send(('HTTP/1.1 200 OK\r\nContent-Type: ' + ctype + '\r\nContent-Length: '
                               + str(len(outputdata)) + '\r\nConnection: close\r\n\r\n').encode())
        connectionSocket.sendall(outputdata)
        connectionSocket.close()
    except IOError:
        #Send response message for file not found
        body = '<html><head></head><body><h1>404 Not Found</h1></body></html>'
        connectionSocket.send(('HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: '
                               + str(len(body)) + '\r\n\r\n' + body).encode())
        #Close client socket
        connectionSocket.close()
serverSocket.close()
sys.exit()#Terminate the program after sending the corresponding data
