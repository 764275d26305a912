# stage: 1
# story: A student reads files as UTF-8 text and counts characters for Content-Length, which is short on the non-ASCII page; the PNG cannot be decoded and comes back as 404.
# faults: content-length-str-len, text-mode-read, binary-file-404
from socket import *
import sys

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(1)

def get_type(filename):
    ext = filename.rsplit('.', 1)[-1]
    return {'html': 'text/html; charset=utf-8', 'txt': 'text/plain; charset=utf-8',
            'png': 'image/png'}.get(ext, 'text/plain')

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    message = b''
    while not message.endswith(b'\r\n\r\n'):
        data = connectionSocket.recv(1024)
        if not data:
            break
        message += data
    try:
        filename = message.decode().split()[1].split('?')[0]
        f = open(filename[1:], 'r', encoding='utf-8')
        outputdata = f.read()
        f.close()
        response = 'HTTP/1.1 200 OK\r\n'
        response += 'Content-Type: ' + get_type(filename) + '\r\n'
        response += 'Content-Length: ' + str(len(outputdata)) + '\r\n'
        response += 'Connection: close\r\n\r\n'
        response += outputdata
        connectionSocket.sendall(response.encode('utf-8'))
    except Exception as e:
        # file not found (or something else went wrong)
        print('Error:', e)
        body = '<html><body><h1>404 Not Found</h1></body></html>'
        connectionSocket.sendall(('HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n'
                                  'Content-Length: %d\r\n\r\n%s' % (len(body), body)).encode())
    connectionSocket.close()
