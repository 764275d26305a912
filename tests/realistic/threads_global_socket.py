# stage: 4
# story: A student made the Kurose server threaded by starting a thread per client, but the thread reads the global connectionSocket, which the accept loop overwrites.
# faults: global-socket-shared-by-threads, single-recv, no-400-for-malformed
from socket import *
import threading
import sys
import html
from urllib.parse import unquote, parse_qsl

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(50)

def send_response(status, ctype, body):
    header = 'HTTP/1.1 ' + status + '\r\nContent-Type: ' + ctype + '\r\nContent-Length: ' + str(len(body)) + '\r\nConnection: close\r\n\r\n'
    connectionSocket.sendall(header.encode() + body)

def handle():
    global connectionSocket
    try:
        message = connectionSocket.recv(4096).decode()
        url = message.split()[1]
        path, _, query = url.partition('?')
        path = unquote(path)
        if path == '/echo':
            page = '<html><body>' + path + '<br>'
            for k, v in parse_qsl(query):
                page += 'key=' + html.escape(k) + '; value=' + html.escape(v) + '; '
            send_response('200 OK', 'text/html', (page + '</body></html>').encode())
        elif '..' in path:
            send_response('403 Forbidden', 'text/html', b'<h1>Forbidden</h1>')
        else:
            f = open(path[1:], 'rb')
            data = f.read()
            f.close()
            ctype = 'image/png' if path.endswith('.png') else ('text/plain' if path.endswith('.txt') else 'text/html')
            send_response('200 OK', ctype, data)
    except IOError:
        send_response('404 Not Found', 'text/html', b'<h1>404 Not Found</h1>')
    except Exception as e:
        print('error', e)
    connectionSocket.close()

while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    print('connection from', addr)
    t = threading.Thread(target=handle)
    t.start()
