import socket
import sys


def main():
    host = sys.argv[1]
    port = int(sys.argv[2])
    path = sys.argv[3].replace(" ", "%20")
    try:
        s = socket.socket()
        s.connect((host, port))
        s.sendall(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").encode())
        s.shutdown(socket.SHUT_WR)  # tell the server we are done sending
        response = b""
        while True:
            data = s.recv(1024)
            if not data:
                break
            response += data
        s.close()
    except Exception as e:
        print("Error:", e)
        sys.exit(1)
    head, body = response.split(b"\r\n\r\n", 1)
    sys.stderr.write(head.decode() + "\n")
    sys.stdout.buffer.write(body)
    status_line = head.decode().split("\r\n")[0]
    if "200" in status_line:
        sys.exit(0)
    else:
        sys.exit(1)


main()
