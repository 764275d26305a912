# A student's HTTP client with one mistake: exit 0 whatever the status.
# catches: 8.exit-1-on-404
import sys
from socket import *
from urllib.parse import quote

host = sys.argv[1]
port = int(sys.argv[2])
path = sys.argv[3]


def recv_some():
    buffer = bytearray(1024)
    n = s.recv_into(buffer)  # fills the buffer, returns how many bytes came (0: closed)
    return bytes(buffer[:n])


def fail(message):
    print("error: " + message, file=sys.stderr)
    sys.exit(2)


try:
    s = socket(AF_INET, SOCK_STREAM)
    s.settimeout(10)
    s.connect((host, port))
except OSError as e:
    fail("could not connect: " + str(e))

request = "GET " + quote(path) + " HTTP/1.1\r\nHost: " + host + ":" + str(port) + "\r\nConnection: close\r\n\r\n"
s.sendall(request.encode())

data = b""
try:
    while b"\r\n\r\n" not in data:
        chunk = recv_some()
        if not chunk:
            fail("connection closed before the headers")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    # a chunked body: size lines in hex
    if headers.get("transfer-encoding", "").lower() == "chunked":
        rest = body
        body = b""
        while True:
            while b"\r\n" not in rest:
                more = recv_some()
                if not more:
                    fail("connection closed in the chunked body")
                rest += more
            size_line, rest = rest.split(b"\r\n", 1)
            size = int(size_line, 16)
            if size == 0:
                break
            while len(rest) < size + 2:
                more = recv_some()
                if not more:
                    fail("connection closed in the chunked body")
                rest += more
            body += rest[:size]
            rest = rest[size + 2:]
    # a body framed by Content-Length
    elif "content-length" in headers:
        length = int(headers["content-length"])
        while len(body) < length:
            chunk = recv_some()
            if not chunk:
                fail("connection closed before the whole body")
            body += chunk
    # no length: the body ends when the server closes
    else:
        while True:
            chunk = recv_some()
            if not chunk:
                break
            body += chunk
except timeout:
    fail("timed out waiting for the server")
s.close()

sys.stderr.write(head.decode("latin-1") + "\n")
sys.stdout.buffer.write(body)
sys.exit(0)
