# stage: 4
# story: A strong student's threaded server: one thread per accepted connection, reads to the blank line, decodes paths, refuses '..' and builds the echo page.
# faults: none
import socket
import sys
import os
import html
import threading
from urllib.parse import unquote, parse_qsl

TYPES = {'.html': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
         '.png': 'image/png', '.ico': 'image/x-icon'}

def send(conn, status, ctype, body):
    head = 'HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % (status, ctype, len(body))
    conn.sendall(head.encode() + body)

def error(conn, status):
    send(conn, status, 'text/html', ('<html><body><h1>%s</h1></body></html>' % status).encode())

def handle(conn, addr):
    try:
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return          # client went away
            data += chunk
        parts = data.split(b'\r\n')[0].decode('latin-1').split()
        if len(parts) != 3 or not parts[2].startswith('HTTP/'):
            return error(conn, '400 Bad Request')
        path, _, query = parts[1].partition('?')
        path = unquote(path)
        print(addr, parts[0], path)
        if path == '/echo':
            page = '<html><body><h1>' + html.escape(path) + '</h1><p>'
            for k, v in parse_qsl(query, keep_blank_values=True):
                page += 'key=%s; value=%s; ' % (html.escape(k), html.escape(v))
            return send(conn, '200 OK', 'text/html; charset=utf-8', (page + '</p></body></html>').encode())
        if '..' in path.replace('\\', '/').split('/'):
            return error(conn, '403 Forbidden')
        name = path.lstrip('/')
        if not os.path.isfile(name):
            return error(conn, '404 Not Found')
        with open(name, 'rb') as f:
            body = f.read()
        send(conn, '200 OK', TYPES.get(os.path.splitext(name)[1].lower(), 'application/octet-stream'), body)
    except OSError as e:
        print('connection error:', e)
    finally:
        conn.close()

def main():
    port = int(sys.argv[1])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', port))
    server.listen(64)
    print('Ready to serve on port', port)
    while True:
        conn, addr = server.accept()
        t = threading.Thread(target=handle, args=(conn, addr), daemon=True)
        t.start()

if __name__ == '__main__':
    main()
