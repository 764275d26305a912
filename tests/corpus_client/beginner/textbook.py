# client.py
from socket import *
import sys

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
fileName = sys.argv[3]

clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect((serverName, serverPort))

request = "GET " + fileName + " HTTP/1.1\r\nHost: " + serverName + "\r\n\r\n"
clientSocket.send(request.encode())

response = clientSocket.recv(1024)
print(response.decode())

clientSocket.close()
