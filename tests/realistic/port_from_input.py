# stage: 1
# story: A student who tested from IDLE asks for the port with input(), which hits EOF when the grader starts it with empty stdin.
# faults: port-from-input
from socket import *

port = int(input("Port: "))
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', port))
serverSocket.listen(5)
print('Ready to serve on port', port)

types = {'html': 'text/html', 'txt': 'text/plain', 'png': 'image/png'}

while True:
    connectionSocket, addr = serverSocket.accept()
    message = b''
    while b'\r\n\r\n' not in message:
        data = connectionSocket.recv(1024)
        if not data:
            break
        message += data
    try:
        filename = message.split()[1].decode().split('?')[0]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        f.close()
        ctype = types.get(filename.split('.')[-1], 'application/octet-stream')
        connectionSocket.send(('HTTP/1.1 200 OK\r\nContent-Type: ' + ctype +
                               '\r\nContent-Length: ' + str(len(outputdata)) +
                               '\r\nConnection: close\r\n\r\n').encode())
        connectionSocket.sendall(outputdata)
    except (IOError, IndexError):
        body = b'<html><body><h1>404 Not Found</h1></body></html>'
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: '
                              + str(len(body)).encode() + b'\r\n\r\n' + body)
    connectionSocket.close()
