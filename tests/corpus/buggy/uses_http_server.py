"""Buggy corpus server: built on http.server instead of sockets.

Student mistake: found http.server in the documentation and let
SimpleHTTPRequestHandler do the whole assignment. It serves files well, but
the lab is about writing that part yourself, so "1.built-on-socket" fails.
"""

import sys
from http.server import HTTPServer, SimpleHTTPRequestHandler


def main():
    port = int(sys.argv[1])
    server = HTTPServer(("", port), SimpleHTTPRequestHandler)
    server.serve_forever()


if __name__ == "__main__":
    main()
