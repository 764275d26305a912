"""A client that reads the answer through a file object, makefile("rb") (correct: full marks)."""
import socket
import sys
import urllib.parse


def main():
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    try:
        conn = socket.create_connection((host, port), timeout=10)
    except OSError as error:
        print(f"error: cannot connect to {host}:{port}: {error}", file=sys.stderr)
        return 2
    with conn, conn.makefile("rb") as reader:
        conn.sendall(f"GET {urllib.parse.quote(path)} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     "Connection: close\r\n\r\n".encode("ascii"))
        status_line = reader.readline()
        if not status_line:
            print("error: the server closed without answering", file=sys.stderr)
            return 2
        head = [status_line.decode("latin-1").rstrip("\r\n")]
        headers = {}
        while True:
            line = reader.readline()
            if not line:
                print("error: the server closed inside the headers", file=sys.stderr)
                return 2
            if line in (b"\r\n", b"\n"):
                break
            text = line.decode("latin-1").rstrip("\r\n")
            head.append(text)
            name, _, value = text.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size = int(reader.readline().split(b";")[0], 16)
                if size == 0:
                    break
                chunk = reader.read(size)
                if len(chunk) < size:
                    print("error: the chunked body was cut short", file=sys.stderr)
                    return 2
                body += chunk
                reader.readline()
        elif "content-length" in headers:
            length = int(headers["content-length"])
            body = reader.read(length)  # a buffered read: loops until length bytes or the end
            if len(body) < length:
                print(f"error: only {len(body)} of {length} bytes came", file=sys.stderr)
                return 2
        else:
            body = reader.read()
    print("\n".join(head), file=sys.stderr)
    sys.stdout.buffer.write(body)
    return 0 if head[0].split()[1].startswith("2") else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, ValueError) as error:  # socket.timeout is an OSError
        print(f"error: no usable answer: {error}", file=sys.stderr)
        sys.exit(2)
