# One recv() for the whole answer, no framing at all.
# catches: 8.response-in-pieces 8.read-until-close
import sys
from socket import *
from urllib.parse import quote

host = sys.argv[1]
port = int(sys.argv[2])
path = sys.argv[3]
try:
    s = socket(AF_INET, SOCK_STREAM)
    s.settimeout(10)
    s.connect((host, port))
except OSError as e:
    print("error: could not connect: " + str(e), file=sys.stderr)
    sys.exit(2)
s.sendall(("GET " + quote(path) + " HTTP/1.1\r\nHost: " + host + ":" + str(port) + "\r\nConnection: close\r\n\r\n").encode())
try:
    data = s.recv(65536)
except timeout:
    print("error: timed out", file=sys.stderr)
    sys.exit(2)
s.close()
head, _, body = data.partition(b"\r\n\r\n")
sys.stderr.write(head.decode("latin-1") + "\n")
sys.stdout.buffer.write(body)
status = int(head.split()[1]) if head else 0
sys.exit(0 if 200 <= status < 300 else 1 if status else 2)
