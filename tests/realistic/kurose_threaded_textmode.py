# stage: 4
# story: A student's "multithreaded" Kurose lab: each client gets a thread, but files are read as text, so the PNG kills that thread and the client gets nothing; no echo page.
# faults: text-mode-read, thread-dies-on-png, byte-per-send, single-recv, no-headers, no-echo-page, no-percent-decode, thread-dies-on-malformed
from socket import *
import threading
import sys

def handle(connectionSocket, addr):
    print('Thread started for', addr)
    try:
        message = connectionSocket.recv(1024).decode()
        filename = message.split()[1]
        filename = filename.split('?')[0]
        f = open(filename[1:])
        outputdata = f.read()
        f.close()
        connectionSocket.send('HTTP/1.1 200 OK\r\n\r\n'.encode())
        for i in range(0, len(outputdata)):
            connectionSocket.send(outputdata[i].encode())
        connectionSocket.close()
    except IOError:
        connectionSocket.send('HTTP/1.1 404 Not Found\r\n\r\n'.encode())
        connectionSocket.send('<html><body><h1>404 Not Found</h1></body></html>'.encode())
        connectionSocket.close()
    print('Thread done for', addr)

serverSocket = socket(AF_INET, SOCK_STREAM)
serverPort = int(sys.argv[1])
serverSocket.bind(('', serverPort))
serverSocket.listen(10)

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    thread = threading.Thread(target=handle, args=(connectionSocket, addr))
    thread.start()

serverSocket.close()
sys.exit()
