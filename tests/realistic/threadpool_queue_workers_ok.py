# stage: 4
# story: A student who took an OS course starts 64 worker threads at start-up that take accepted sockets from a queue.Queue.
# faults: none
import socket, sys, os, html, threading, queue
from urllib.parse import unquote_to_bytes, parse_qsl

NUM_WORKERS = 64
jobs = queue.Queue()

def reply(conn, status, ctype, body):
    conn.sendall(b'HTTP/1.0 ' + status + b'\r\nContent-Type: ' + ctype +
                 b'\r\nContent-Length: ' + str(len(body)).encode() + b'\r\nConnection: close\r\n\r\n' + body)

def serve_one(conn):
    buf = b''
    while b'\r\n\r\n' not in buf:
        got = conn.recv(1024)
        if got == b'':
            return
        buf += got
    fields = buf.split(b'\r\n', 1)[0].split(b' ')
    if len(fields) != 3 or not fields[2].startswith(b'HTTP/'):
        return reply(conn, b'400 Bad Request', b'text/html', b'<p>400 Bad Request</p>')
    raw, _, query = fields[1].partition(b'?')
    path = unquote_to_bytes(raw)
    if path == b'/echo':
        out = '<html><body>/echo<br>'
        for k, v in parse_qsl(query.decode('utf-8', 'replace'), keep_blank_values=True):
            out += 'key=' + html.escape(k) + '; value=' + html.escape(v) + '; '
        return reply(conn, b'200 OK', b'text/html; charset=utf-8', out.encode() + b'</body></html>')
    pieces = path.split(b'/')
    if b'..' in pieces or b'\\' in path or b'\0' in path:
        return reply(conn, b'403 Forbidden', b'text/html', b'<p>403 Forbidden</p>')
    name = b'/'.join(pieces).lstrip(b'/')
    if not os.path.isfile(name):
        return reply(conn, b'404 Not Found', b'text/html', b'<p>404 Not Found</p>')
    kind = {b'html': b'text/html', b'txt': b'text/plain', b'png': b'image/png'}.get(name.rsplit(b'.', 1)[-1], b'application/octet-stream')
    with open(name, 'rb') as f:
        reply(conn, b'200 OK', kind, f.read())

def worker():
    while True:
        conn = jobs.get()
        try:
            serve_one(conn)
        except Exception as e:
            print('worker error:', e)
        finally:
            conn.close()

if __name__ == '__main__':
    port = int(sys.argv[1])
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', port))
    listener.listen(128)
    for i in range(NUM_WORKERS):
        threading.Thread(target=worker, daemon=True).start()
    print('listening on', port, 'with', NUM_WORKERS, 'workers')
    while True:
        c, a = listener.accept()
        jobs.put(c)
