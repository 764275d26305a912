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
    # socket.create_connection((host, port), timeout=TIMEOUT_SECONDS) connects;
    # it raises OSError (refused, no such host): raise NoAnswer(...) from None then.
    raise NoAnswer("TODO: connect - the first #Fill in block in main()")
    #Fill in end
    # The timeout covers every recv() below too: a server that says nothing
    # for TIMEOUT_SECONDS cannot hang the client.
    with client_socket:
        #Fill in start
        # Send the request: client_socket.sendall(build_request(host, port, path)).
        raise NoAnswer("TODO: send the request - the second #Fill in block in main()")
        #Fill in end
        head, rest = read_head(client_socket)
        status, headers = parse_head(head)
        body = read_body(client_socket, headers, rest)
    #Fill in start
    # The head goes to sys.stderr (as text), the body to sys.stdout.buffer
    # (bytes: text mode breaks images). Return 0 for a 2xx status, else 1.
    return 2
    #Fill in end


def build_request(host, port, path):
    """The bytes of a GET request for path: request line, headers, blank line."""
    # A space would end the target early ("GET /my file.html HTTP/1.1" has
    # four words): percent-encode it, and any other byte a URL cannot hold.
    target = urllib.parse.quote(path, safe="/?&=%:@!$'()*+,;~-._")
    #Fill in start
    # Lines end with "\r\n" and a blank line ends the head. Send
    # "GET target HTTP/1.1", "Host: host:port" and "Connection: close".
    return b""
    #Fill in end


def read_head(client_socket):
    """Receive until the blank line; returns (head bytes, bytes already received after it)."""
    data = b""
    #Fill in start
    # Append receive(client_socket) (a recv() with the timeout) until data holds
    # b"\r\n\r\n". b"" means the server closed first: raise NoAnswer(...).
    raise NoAnswer("TODO: read the head - the #Fill in block in read_head()")
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
    # The status line is "HTTP/1.1 200 OK": the code is its second word, as int.
    # Each header is "Name: value"; store it as headers[name.lower()] = value.strip().
    return 0, {}
    #Fill in end


def read_body(client_socket, headers, body):
    """The body: by Content-Length, chunked, or until the server closes."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return read_chunked(client_socket, body)
    if "content-length" in headers:
        #Fill in start
        # Append receive(client_socket) until len(body) reaches the length - not until
        # the server closes: it may keep the connection open. b"" first: raise NoAnswer.
        return body
        #Fill in end
    #Fill in start
    # No length and not chunked: the body ends when the server closes,
    # so append receive(client_socket) until it returns b"".
    return body
    #Fill in end


def read_chunked(client_socket, data):
    """Decode a chunked body: "size in hex\\r\\n", that many bytes, "\\r\\n", ... "0\\r\\n\\r\\n"."""
    body = b""
    while True:
        #Fill in start
        # Read the size line (more_until(client_socket, data, b"\r\n")), int(it, 16);
        # size 0 ends the body. Then read size + 2 bytes: the chunk and its "\r\n".
        return data
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
