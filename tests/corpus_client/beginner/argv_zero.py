# HTTP client - lab 8
import socket
import sys

host = sys.argv[0]
port = int(sys.argv[1])
path = sys.argv[2]

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(10)
s.connect((host, port))
s.sendall(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").encode())

response = b""
while True:
    data = s.recv(4096)
    if not data:
        break
    response += data
s.close()

head, body = response.split(b"\r\n\r\n", 1)
print(head.decode(), file=sys.stderr)
sys.stdout.buffer.write(body)
