# stage: 1
# story: A student started from a Python 2 version of the Kurose skeleton found online; print without parentheses is a SyntaxError in Python 3.
# faults: python2-syntax, text-mode-read, byte-per-send, single-recv, no-headers
#import socket module
from socket import *
import sys

serverSocket = socket(AF_INET, SOCK_STREAM)
#Prepare a sever socket
serverPort = int(sys.argv[1])
serverSocket.bind(('', serverPort))
serverSocket.listen(1)
while True:
    #Establish the connection
    print 'Ready to serve...'
    connectionSocket, addr = serverSocket.accept()
    try:
        message = connectionSocket.recv(1024)
        print message
        filename = message.split()[1]
        f = open(filename[1:])
        outputdata = f.read()
        #Send one HTTP header line into socket
        connectionSocket.send('HTTP/1.1 200 OK\r\n\r\n')
        #Send the content of the requested file to the client
        for i in range(0, len(outputdata)):
            connectionSocket.send(outputdata[i])
        connectionSocket.close()
    except IOError:
        #Send response message for file not found
        connectionSocket.send('HTTP/1.1 404 Not Found\r\n\r\n')
        connectionSocket.send('<html><head></head><body><h1>404 Not Found</h1></body></html>\r\n')
        #Close client socket
        connectionSocket.close()
serverSocket.close()
