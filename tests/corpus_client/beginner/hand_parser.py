from socket import *
import sys

host = sys.argv[1]
port = int(sys.argv[2])
path = sys.argv[3].replace(" ", "%20")

s = socket(AF_INET, SOCK_STREAM)
s.settimeout(10)
s.connect((host, port))
s.send(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (path, host, port)).encode())

data = b""
while b"\r\n\r\n" not in data:
    data += s.recv(1024)
head, body = data.split(b"\r\n\r\n", 1)
head = head.decode()

# get the length of the body from the headers
length = int(head.split("Content-Length: ")[1].split("\r\n")[0])
while len(body) < length:
    more = s.recv(1024)
    if not more:
        break
    body += more
s.close()

print(head, file=sys.stderr)
sys.stdout.write(body.decode())
status = head.split()[1]
if status == "200":
    sys.exit(0)
sys.exit(1)
