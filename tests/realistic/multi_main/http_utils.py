# helper module for main.py: builds HTTP responses

CRLF = "\r\n"

TYPES = {
    "html": "text/html",
    "htm": "text/html",
    "txt": "text/plain",
    "png": "image/png",
    "jpg": "image/jpeg",
    "ico": "image/x-icon",
}


def guess_type(filename):
    ext = filename.rsplit(".", 1)[-1].lower()
    return TYPES.get(ext, "application/octet-stream")


def build_response(code, reason, content_type, body):
    lines = ["HTTP/1.1 %d %s" % (code, reason),
             "Content-Type: " + content_type,
             "Content-Length: " + str(len(body)),
             "Connection: close"]
    return (CRLF.join(lines) + CRLF + CRLF).encode() + body


def not_found():
    body = b"<html><body><h1>404 Not Found</h1></body></html>"
    return build_response(404, "Not Found", "text/html", body)


def bad_request():
    body = b"<html><body><h1>400 Bad Request</h1></body></html>"
    return build_response(400, "Bad Request", "text/html", body)
