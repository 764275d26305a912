"""Stage 8 of the socket web-server lab: an HTTP client.

Run it against any web server:  python3 stage8_client.py 127.0.0.1 8080 /HelloWorld.html
It sends one GET request, writes the body of the answer to standard output
(byte for byte, so `> picture.png` saves an image) and the status line and
headers to standard error. Exit status: 0 for a 2xx answer, 1 for any other
status (the body is still written), 2 when no usable answer came.
You write the parts between "#Fill in start" and "#Fill in end".
"""

import socket
import sys
import urllib.parse

TIMEOUT_SECONDS = 10  # give up when the server says nothing for this long


class NoAnswer(Exception):
    """No usable response: the message says what happened, in one line."""


def main(host, port, path):
    """Fetch path from host:port; returns the exit status (0, 1 or 2)."""
    #Fill in start
    #Hint: socket.create_connection((host, port), timeout=TIMEOUT_SECONDS) connects;
    #Hint: it raises OSError (refused, no such host): raise NoAnswer(...) from None then.
    #Placeholder: raise NoAnswer("TODO: connect - the first #Fill in block in main()")
    try:
        client_socket = socket.create_connection((host, port), timeout=TIMEOUT_SECONDS)
    except OSError as error:  # refused, no such host, no route: no answer at all
        raise NoAnswer(f"cannot connect to {host}:{port}: {error.strerror or error}") from None
    #Fill in end
    # The timeout covers every recv() below too: a server that says nothing
    # for TIMEOUT_SECONDS cannot hang the client.
    with client_socket:
        #Fill in start
        #Hint: Send the request: client_socket.sendall(build_request(host, port, path)).
        #Placeholder: raise NoAnswer("TODO: send the request - the second #Fill in block in main()")
        client_socket.sendall(build_request(host, port, path))
        #Fill in end
        head, rest = read_head(client_socket)
        status, headers = parse_head(head)
        body = read_body(client_socket, headers, rest)
    #Fill in start
    #Hint: The head goes to sys.stderr (as text), the body to sys.stdout.buffer
    #Hint: (bytes: text mode breaks images). Return 0 for a 2xx status, else 1.
    #Placeholder: return 2
    sys.stderr.write(head.decode("iso-8859-1") + "\n")  # stdout then holds the body alone
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
    return 0 if 200 <= status <= 299 else 1
    #Fill in end


def build_request(host, port, path):
    """The bytes of a GET request for path: request line, headers, blank line."""
    # A space would end the target early ("GET /my file.html HTTP/1.1" has
    # four words): percent-encode it, and any other byte a URL cannot hold.
    target = urllib.parse.quote(path, safe="/?&=%:@!$'()*+,;~-._")
    #Fill in start
    #Hint: Lines end with "\r\n" and a blank line ends the head. Send
    #Hint: "GET target HTTP/1.1", "Host: host:port" and "Connection: close".
    #Placeholder: return b""
    lines = [f"GET {target} HTTP/1.1",
             f"Host: {host}:{port}",  # HTTP/1.1 requires it: one address may serve many sites
             "Connection: close",  # ask the server to close after its answer
             "User-Agent: stage8-client",
             "", ""]  # the blank line: "\r\n\r\n" after the last header
    return "\r\n".join(lines).encode("ascii")
    #Fill in end


def read_head(client_socket):
    """Receive until the blank line; returns (head bytes, bytes already received after it)."""
    data = b""
    #Fill in start
    #Hint: Append receive(client_socket) (a recv() with the timeout) until data holds
    #Hint: b"\r\n\r\n". b"" means the server closed first: raise NoAnswer(...).
    #Placeholder: raise NoAnswer("TODO: read the head - the #Fill in block in read_head()")
    while b"\r\n\r\n" not in data:
        piece = receive(client_socket)
        if not piece:
            raise NoAnswer("the server closed the connection before the end of the headers")
        data += piece
    #Fill in end
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest  # rest: the start of the body, if it came with the head


def receive(client_socket):
    """One recv(), with "the server said nothing for 10 s" as a NoAnswer."""
    try:
        return client_socket.recv(65536)
    except socket.timeout:
        raise NoAnswer(f"no answer from the server within {TIMEOUT_SECONDS} seconds") from None


def parse_head(head):
    """(status code, {lower-case header name: value}) from the head's bytes."""
    lines = head.decode("iso-8859-1").split("\r\n")
    #Fill in start
    #Hint: The status line is "HTTP/1.1 200 OK": the code is its second word, as int.
    #Hint: Each header is "Name: value"; store it as headers[name.lower()] = value.strip().
    #Placeholder: return 0, {}
    words = lines[0].split(" ", 2)
    if len(words) < 2 or not words[0].startswith("HTTP/") or not words[1].isdigit():
        raise NoAnswer(f"the answer does not start with a status line: {lines[0][:60]!r}")
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            # Header names ignore case: Content-Length and content-length are one header.
            headers[name.strip().lower()] = value.strip()
    return int(words[1]), headers
    #Fill in end


def read_body(client_socket, headers, body):
    """The body: by Content-Length, chunked, or until the server closes."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return read_chunked(client_socket, body)
    if "content-length" in headers:
        #Fill in start
        #Hint: Append receive(client_socket) until len(body) reaches the length - not until
        #Hint: the server closes: it may keep the connection open. b"" first: raise NoAnswer.
        #Placeholder: return body
        length = int(headers["content-length"])
        while len(body) < length:
            piece = receive(client_socket)
            if not piece:
                raise NoAnswer(f"the server closed the connection after {len(body)} of {length} body bytes")
            body += piece
        return body[:length]
        #Fill in end
    #Fill in start
    #Hint: No length and not chunked: the body ends when the server closes,
    #Hint: so append receive(client_socket) until it returns b"".
    #Placeholder: return body
    while True:
        piece = receive(client_socket)
        if not piece:
            return body
        body += piece
    #Fill in end


def read_chunked(client_socket, data):
    """Decode a chunked body: "size in hex\\r\\n", that many bytes, "\\r\\n", ... "0\\r\\n\\r\\n"."""
    body = b""
    while True:
        #Fill in start
        #Hint: Read the size line (more_until(client_socket, data, b"\r\n")), int(it, 16);
        #Hint: size 0 ends the body. Then read size + 2 bytes: the chunk and its "\r\n".
        #Placeholder: return data
        data = more_until(client_socket, data, b"\r\n")
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)  # ";..." would be a chunk extension
        if size == 0:
            return body  # (trailer lines after the last chunk are not needed)
        while len(data) < size + 2:
            data += more(client_socket)
        body += data[:size]
        data = data[size + 2:]
        #Fill in end


def more_until(client_socket, data, marker):
    """data, with more received until it holds marker."""
    while marker not in data:
        data += more(client_socket)
    return data


def more(client_socket):
    """The next piece of a chunked body; a close here means it was cut short."""
    piece = receive(client_socket)
    if not piece:
        raise NoAnswer("the server closed the connection in the middle of the chunked body")
    return piece


if __name__ == "__main__":
    if len(sys.argv) != 4 or not sys.argv[2].isdigit():
        print("usage: python3 stage8_client.py HOST PORT PATH   (e.g. 127.0.0.1 8080 /index.html)",
              file=sys.stderr)
        sys.exit(2)
    try:
        sys.exit(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
    except NoAnswer as problem:  # one line that says what happened, never a traceback
        print(f"error: {problem}", file=sys.stderr)
        sys.exit(2)
    except (OSError, ValueError) as error:  # a reset connection, a broken length...
        print(f"error: no usable answer: {error}", file=sys.stderr)
        sys.exit(2)
