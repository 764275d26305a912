# my own tests for stage1_file_server.py (start the server on 8080 first)
import socket
import unittest


def get(path, port=8080):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").encode())
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data


class ServerTest(unittest.TestCase):
    def test_hello(self):
        self.assertTrue(get("/HelloWorld.html").startswith(b"HTTP/1.1 200 OK"))

    def test_missing(self):
        self.assertIn(b"404", get("/nope.html").split(b"\r\n")[0])


if __name__ == "__main__":
    unittest.main()
