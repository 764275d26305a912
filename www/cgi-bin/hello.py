"""A CGI script (stage 7): the server runs it for /cgi-bin/hello.py.

The request comes in environment variables (QUERY_STRING, REQUEST_METHOD,
...) and, for a POST, the body on standard input. What this script prints is
the response: header lines, an empty line, then the page.

Try:  /cgi-bin/hello.py?name=Ada   or the last form of /form.html.
"""

import html
import os
import sys
import urllib.parse

fields = urllib.parse.parse_qs(os.environ.get("QUERY_STRING", ""))
if os.environ.get("REQUEST_METHOD") == "POST":
    length = int(os.environ.get("CONTENT_LENGTH") or 0)
    body = sys.stdin.buffer.read(length).decode("utf-8", errors="replace")
    fields.update(urllib.parse.parse_qs(body))

name = fields.get("name", ["stranger"])[0]
page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Hello</title><link rel="stylesheet" href="/style.css"></head>
<body>
<h1>Hello, {html.escape(name)}!</h1>
<p>This page was made by <code>{html.escape(os.environ.get("SCRIPT_NAME", "?"))}</code>
for a <code>{html.escape(os.environ.get("REQUEST_METHOD", "?"))}</code> request
from {html.escape(os.environ.get("REMOTE_ADDR", "?"))}.</p>
<p><a href="/form.html">Back to the forms</a></p>
</body>
</html>
"""
sys.stdout.write("Content-Type: text/html; charset=utf-8\r\n\r\n")
sys.stdout.flush()
sys.stdout.buffer.write(page.encode("utf-8"))
