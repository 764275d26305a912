# stage: 4
# story: A student who had seen concurrent.futures hands each accepted socket to a ThreadPoolExecutor with 50 workers.
# faults: none
from socket import *
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, parse_qs
import html, os, sys

CONTENT_TYPES = {'html': 'text/html', 'htm': 'text/html', 'txt': 'text/plain', 'png': 'image/png'}

def respond(sock, code, reason, ctype, body):
    sock.sendall(('HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n'
                  'Connection: close\r\n\r\n' % (code, reason, ctype, len(body))).encode() + body)

def handle_client(sock):
    with sock:
        request = b''
        while not request.endswith(b'\r\n\r\n'):
            more = sock.recv(2048)
            if not more:
                return
            request += more
        words = request.decode('iso-8859-1').split('\r\n')[0].split(' ')
        if len(words) != 3 or not words[2].startswith('HTTP/1.'):
            return respond(sock, 400, 'Bad Request', 'text/html', b'<h1>Bad Request</h1>')
        url, _, query = words[1].partition('?')
        url = unquote(url)
        if url == '/echo':
            text = '<html><body><p>Path: %s</p><p>' % html.escape(url)
            for key, values in parse_qs(query, keep_blank_values=True).items():
                for value in values:
                    text += 'key=%s; value=%s; ' % (html.escape(key), html.escape(value))
            return respond(sock, 200, 'OK', 'text/html; charset=utf-8', (text + '</p></body></html>').encode())
        root = os.path.realpath('.')
        full = os.path.realpath(os.path.join(root, url.lstrip('/')))
        if not full.startswith(root + os.sep) or not os.path.isfile(full):
            return respond(sock, 404, 'Not Found', 'text/html', b'<h1>404 Not Found</h1>')
        with open(full, 'rb') as f:
            data = f.read()
        respond(sock, 200, 'OK', CONTENT_TYPES.get(full.rsplit('.', 1)[-1].lower(), 'application/octet-stream'), data)

def safe_handle(sock):
    try:
        handle_client(sock)
    except Exception as e:      # one bad client must not kill a worker silently
        print('error:', e)

serverPort = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('127.0.0.1', serverPort))
serverSocket.listen(100)
print('Ready to serve...')
pool = ThreadPoolExecutor(max_workers=50)
while True:
    connectionSocket, addr = serverSocket.accept()
    pool.submit(safe_handle, connectionSocket)
