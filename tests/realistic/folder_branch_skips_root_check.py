# stage: 6
# story: A student bolted a folder branch onto the stage-5 delegate above the old file code, so folders are joined and listed before the realpath/commonpath check runs, and a folder's index.html is never looked at.
# faults: listing-leaves-root, index-html-ignored
from socket import *
import os, sys, html, threading
from urllib.parse import unquote, quote, parse_qs, urlencode

ROOT = os.path.realpath(os.getcwd())
fileTypes = {'.html': 'text/html', '.htm': 'text/html', '.txt': 'text/plain', '.png': 'image/png', '.css': 'text/css'}

def errorPage(code):
    return code, [('Content-Type', 'text/html')], ('<html><body><h1>%s</h1></body></html>' % code).encode()

def showPairs(data):
    out = ''
    for key in data:
        for val in data[key]:
            out += 'key=%s; value=%s; ' % (html.escape(key), html.escape(val))
    return out

def isHidden(urlPath):
    # .env, .git ... but not . and .. (those are dealt with by the root check)
    for part in urlPath.split('/'):
        if part.startswith('.') and part not in ('.', '..'):
            return True
    return False

def delegate(request_type, path, received_headers, GET_data, POST_data=None):
    urlPath = unquote(path)
    if urlPath == '/echo':
        body = '<html><body><p>Path: %s</p><p>%s' % (html.escape(urlPath), showPairs(GET_data))
        if POST_data:
            body += showPairs(POST_data)
        return '200 OK', [('Content-Type', 'text/html; charset=utf-8')], (body + '</p></body></html>').encode()
    if isHidden(urlPath):
        return errorPage('404 Not Found')

    # NEW for stage 6: folders
    folder = os.path.join(ROOT, urlPath.lstrip('/'))
    if os.path.isdir(folder):
        if not urlPath.endswith('/'):
            loc = quote(urlPath) + '/'
            if GET_data:
                loc += '?' + urlencode(GET_data, doseq=True)
            status, hdrs, body = errorPage('301 Moved Permanently')
            return status, hdrs + [('Location', loc)], body
        lines = ''
        for name in sorted(os.listdir(folder)):
            if name.startswith('.'):
                continue
            if os.path.isdir(os.path.join(folder, name)):
                name = name + '/'
            lines += '<li><a href="%s">%s</a></li>\n' % (quote(name), html.escape(name))
        page = '<html><head><meta charset="utf-8"></head><body><h1>Index of %s</h1><ul>\n%s</ul></body></html>' % (html.escape(urlPath), lines)
        return '200 OK', [('Content-Type', 'text/html; charset=utf-8')], page.encode('utf-8')

    # files (from stage 2): make sure it is really inside the root
    fullPath = os.path.realpath(os.path.join(ROOT, urlPath.lstrip('/')))
    if os.path.commonpath([ROOT, fullPath]) != ROOT:
        return errorPage('403 Forbidden')
    if not os.path.isfile(fullPath) or urlPath.endswith('/'):
        return errorPage('404 Not Found')
    with open(fullPath, 'rb') as f:
        data = f.read()
    return '200 OK', [('Content-Type', fileTypes.get(os.path.splitext(fullPath)[1].lower(), 'application/octet-stream'))], data

def handle_connection(client_sock, client_address):
    try:
        request = b''
        while b'\r\n\r\n' not in request:
            piece = client_sock.recv(1024)
            if piece == b'':
                client_sock.close()
                return
            request += piece
        headerPart, body = request.split(b'\r\n\r\n', 1)
        headerLines = headerPart.decode('latin-1').split('\r\n')
        requestLine = headerLines[0].split()
        if len(requestLine) != 3 or requestLine[2][:5] != 'HTTP/':
            result = errorPage('400 Bad Request')
        else:
            method, target = requestLine[0], requestLine[1]
            headers = {}
            for h in headerLines[1:]:
                if ':' in h:
                    headers[h.split(':', 1)[0].strip().lower()] = h.split(':', 1)[1].strip()
            path, q, query = target.partition('?')
            POST_data = None
            if method == 'POST':
                if 'content-length' not in headers or not headers['content-length'].isdigit():
                    result = errorPage('411 Length Required')
                    method = None
                else:
                    n = int(headers['content-length'])
                    while len(body) < n:
                        piece = client_sock.recv(4096)
                        if not piece:
                            break
                        body += piece
                    POST_data = parse_qs(body[:n].decode('utf-8', 'replace'))
            if method is not None:
                try:
                    result = delegate(method, path, headers, parse_qs(query), POST_data)
                except Exception as e:
                    print('delegate error:', e)
                    result = errorPage('500 Internal Server Error')
        status, hdrs, content = result
        response = 'HTTP/1.1 ' + status + '\r\n'
        for name, value in hdrs:
            response += name + ': ' + value + '\r\n'
        response += 'Content-Length: ' + str(len(content)) + '\r\nConnection: close\r\n\r\n'
        client_sock.sendall(response.encode() + content)
    except Exception as e:
        print('problem with', client_address, e)
    client_sock.close()

def serve(interface, port):
    serverSocket = socket(AF_INET, SOCK_STREAM)
    serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    serverSocket.bind((interface, port))
    serverSocket.listen(50)
    print('Ready to serve on port', port)
    while True:
        connectionSocket, addr = serverSocket.accept()
        threading.Thread(target=handle_connection, args=(connectionSocket, addr)).start()

if __name__ == '__main__':
    serve('', int(sys.argv[1]))
