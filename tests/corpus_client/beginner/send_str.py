import socket
import sys

server = sys.argv[1]
port = int(sys.argv[2])
page = sys.argv[3]

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((server, port))
sock.send("GET " + page + " HTTP/1.1\r\nHost: " + server + "\r\nConnection: close\r\n\r\n")

answer = ""
while True:
    part = sock.recv(1024)
    if not part:
        break
    answer += part.decode()
sock.close()

head, body = answer.split("\r\n\r\n", 1)
print(head, file=sys.stderr)
print(body, end="")
