# Uses http.client instead of a socket (caught by 8.built-on-socket).
# catches: 8.built-on-socket
import http.client
import sys

host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", path.replace(" ", "%20"), headers={"Connection": "close"})
    response = conn.getresponse()
    body = response.read()
except Exception as error:
    print("error:", error, file=sys.stderr)
    sys.exit(2)
print(f"HTTP/1.1 {response.status} {response.reason}", file=sys.stderr)
for name, value in response.getheaders():
    print(f"{name}: {value}", file=sys.stderr)
sys.stdout.buffer.write(body)
sys.exit(0 if 200 <= response.status < 300 else 1)
