# stage: 1
# story: A student on Linux wrote plain \n line endings and "fixed" the PNG crash by reading with latin-1, then re-encoding as UTF-8, which doubles every high byte.
# faults: lf-headers, text-mode-read, reencode-corrupts-bytes
from socket import *
import sys

port = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('127.0.0.1', port))
serverSocket.listen(1)
print("server is up on port", port)

while True:
    connectionSocket, addr = serverSocket.accept()
    print("got connection from", addr)
    try:
        message = b""
        while b"\r\n\r\n" not in message:
            part = connectionSocket.recv(1024)
            if not part:
                break
            message += part
        message = message.decode()
        filename = message.split()[1].split("?")[0]
        # latin-1 never gives UnicodeDecodeError!! (found on stackoverflow)
        f = open(filename[1:], encoding="latin-1")
        outputdata = f.read()
        f.close()
        if filename.endswith(".png"):
            ctype = "image/png"
        elif filename.endswith(".txt"):
            ctype = "text/plain"
        else:
            ctype = "text/html"
        header = "HTTP/1.1 200 OK\n"
        header = header + "Content-Type: " + ctype + "\n"
        header = header + "Content-Length: " + str(len(outputdata)) + "\n"
        header = header + "\n"
        connectionSocket.send(header.encode())
        connectionSocket.send(outputdata.encode())
    except IOError:
        connectionSocket.send("HTTP/1.1 404 Not Found\n\n<h1>404 Not Found</h1>".encode())
    except Exception as e:
        print("error:", e)
    connectionSocket.close()
