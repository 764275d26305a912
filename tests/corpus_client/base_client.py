# client.py - my HTTP client for the socket lab (stage 8)
#
# usage: python client.py HOST PORT PATH
# The body of the answer is written to stdout (as bytes, so images work),
# the status line and the headers to stderr.
# Exit status: 0 for a 2xx answer, 1 for any other status, 2 if no usable
# answer came (refused, no answer in time, connection closed too early).
import sys
import socket
from urllib.parse import quote

TIMEOUT = 10  # seconds without a byte from the server before we give up


class NoAnswer(Exception):
    """Something went wrong and there is no usable response."""


def connect(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    try:
        sock.connect((host, port))
    except OSError as e:
        sock.close()
        raise NoAnswer(f"could not connect to {host}:{port}: {e}")
    return sock


def make_request(host, port, path):
    request = f"GET {quote(path)} HTTP/1.1\r\n"
    request += f"Host: {host}:{port}\r\n"
    request += "Connection: close\r\n"
    request += "\r\n"  # empty line = end of the request
    return request.encode("ascii")


def receive(sock):
    """One recv(); b'' means the server closed the connection."""
    try:
        return sock.recv(4096)
    except socket.timeout:
        raise NoAnswer(f"the server sent nothing for {TIMEOUT} seconds")
    except OSError as e:
        raise NoAnswer(f"the connection broke: {e}")


def read_head(sock):
    """Read until the empty line; returns (head as text, body bytes that came with it)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = receive(sock)
        if piece == b"":
            raise NoAnswer("the server closed the connection before the end of the headers")
        data += piece
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("iso-8859-1"), rest


def parse_head(head):
    """Status code and a dict of headers (names in lower case: they ignore case)."""
    lines = head.split("\r\n")
    words = lines[0].split()
    if len(words) < 2 or not words[1].isdigit():
        raise NoAnswer(f"this is not a status line: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return int(words[1]), headers


def read_exactly(sock, data, count, what):
    """data plus more received until it holds at least count bytes."""
    while len(data) < count:
        piece = receive(sock)
        if piece == b"":
            raise NoAnswer(f"the server closed the connection in the middle of {what}")
        data += piece
    return data


def read_chunked(sock, data):
    """Decode a chunked body: size in hex, CRLF, the bytes, CRLF, ... up to size 0."""
    body = b""
    while True:
        while b"\r\n" not in data:
            data = read_exactly(sock, data, len(data) + 1, "the chunked body")
        size_line, data = data.split(b"\r\n", 1)
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return body
        data = read_exactly(sock, data, size + 2, "a chunk")
        body += data[:size]
        data = data[size + 2:]  # skip the CRLF after the chunk


def read_body(sock, headers, data):
    if headers.get("transfer-encoding", "").lower() == "chunked":
        return read_chunked(sock, data)
    if "content-length" in headers:
        length = int(headers["content-length"])
        data = read_exactly(sock, data, length, "the body")
        return data[:length]
    # neither: the body goes on until the server closes the connection
    while True:
        piece = receive(sock)
        if piece == b"":
            return data
        data += piece


def fetch(host, port, path):
    """Send the request; returns (status, head, body)."""
    sock = connect(host, port)
    try:
        sock.sendall(make_request(host, port, path))
        head, rest = read_head(sock)
        status, headers = parse_head(head)
        body = read_body(sock, headers, rest)
    finally:
        sock.close()
    return status, head, body


def main():
    if len(sys.argv) != 4:
        print("usage: python client.py HOST PORT PATH", file=sys.stderr)
        return 2
    host = sys.argv[1]
    port = int(sys.argv[2])
    path = sys.argv[3]
    try:
        status, head, body = fetch(host, port, path)
    except NoAnswer as problem:
        print("error:", problem, file=sys.stderr)
        return 2
    print(head, file=sys.stderr)
    sys.stdout.buffer.write(body)
    if 200 <= status <= 299:
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
