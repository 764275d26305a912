"""The reference solutions speak HTTP that real clients accept (contract section 6).

Each solution (stages 1-6) runs as `python FILE PORT` on 127.0.0.1, on a free
port, in a copy of www/ with a few more files and a secret beside it, and is
driven by clients nobody here wrote:

- h11 as a strict HTTP/1.1 client parser: every response, to files, 404s,
  traversal attempts, HEAD, unknown methods, malformed requests, the echo
  page and POST (with and without `Expect: 100-continue`), must parse without
  a protocol error; every response has `Date`; text carries charset=utf-8;
- Python's urllib.request and http.client;
- curl and wget, without a warning (`Excess found`, ...), skipped with a
  message where they are not installed;
- headless Chromium (the screenshot browser): a UTF-8 .txt, the form page and
  an echo page rendered and read back (--dump-dom) without mojibake; from
  stage 6, a page of ours loads a folder without its slash in a frame and
  fetches every link of the listing the browser got (script, then --dump-dom).

A feature is tested from the stage that has it: files from stage 1; errors,
HEAD and methods from stage 2 (stage 1 treats every request as a GET of a
file that exists, and stops at the first it cannot serve); the echo page
from 3; POST from 5; folders (listing, 301, hidden files) from 6; CGI scripts (the
grader's generated ones, and the CGI form posted by curl) from 7. Stage 1 listens on
127.0.0.1 only, and says so.

Every server started here is stopped when its stage's tests end, and its log
must hold no traceback.
"""

from __future__ import annotations

import base64
import html
import html.parser
import http.client
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from autograder import screenshot
from reference_servers import HOST, Server, solution

h11 = pytest.importorskip("h11", reason="the dev extra installs h11")

PROJECT = Path(__file__).resolve().parent.parent
STAGES = range(1, 8)
UTF8_TEXT = "Grüße aus Köln, ¡hola!, 你好, Привет, 👋\nZeile 2: Ünïcödé ✓\n"
SECRET = b"real-clients secret: never served\n"
HIDDEN = b"real-clients hidden file: never served\n"
# A folder without index.html whose names need encoding in a link and escaping on a page.
ODD_NAMES = ("my notes.txt", "<b>.txt", "R&D.txt", "#1.txt", "report%20final.txt", "caf\u00e9 \u2713.txt")
ODD_FOLDER = "sub folder"
FORM_TYPE = "application/x-www-form-urlencoded"
# Lines in curl's verbose output that mean the server did something a client had to put up with.
CURL_WARNINGS = (
    "Excess found", "Leftovers", "Connection died", "Weird server reply", "Illegal", "Invalid",
    "transfer closed", "Recv failure", "Done waiting for 100-continue", "Ignoring", "Unsupported",
    "Mark bundle as not supporting", "HTTP error before end of send", "Failed",
)


# ------------------------------------------------------------------ servers


def make_root(folder: Path) -> Path:
    """A copy of www/ with a UTF-8 .txt, all 256 byte values, 1 MiB, and a secret beside it."""
    root = folder / "root"
    shutil.copytree(PROJECT / "www", root)
    (root / "utf8.txt").write_text(UTF8_TEXT, encoding="utf-8")
    (root / "bytes.png").write_bytes(bytes(range(256)) * 4)
    (root / "big.bin").write_bytes(bytes(range(256)) * 4096 + b"end")
    (folder / "secret.txt").write_bytes(SECRET)
    odd = root / "odd"
    (odd / ODD_FOLDER).mkdir(parents=True)
    for name in ODD_NAMES:
        (odd / name).write_text(f"the file {name}\n" * 3, encoding="utf-8")
    (odd / ODD_FOLDER / "inside.txt").write_text("inside a folder with a space\n", encoding="utf-8")
    for hidden in (root / ".env", odd / ".env", root / "guide" / ".git" / "config"):
        hidden.parent.mkdir(parents=True, exist_ok=True)
        hidden.write_bytes(HIDDEN)
    return root


@pytest.fixture(scope="module", params=STAGES, ids=lambda n: f"stage{n}")
def server(request, tmp_path_factory):
    """The solution of one stage, serving make_root(); one server per stage for this module."""
    stage = request.param
    running = Server(solution(stage), make_root(tmp_path_factory.mktemp(f"clients{stage}")))
    running.stage = stage
    try:
        running.wait_listening()
        yield running
    finally:
        log = running.stop()
        assert "Traceback" not in log, log


def from_stage(first: int):
    """Run a test against the solutions of stage `first` and later only."""
    return pytest.mark.parametrize("server", range(first, STAGES[-1] + 1), indirect=True, ids=lambda n: f"stage{n}")


def url(server, target: str) -> str:
    return f"http://{HOST}:{server.port}{target}"


def file_bytes(server, target: str) -> bytes:
    return (server.root / urllib.parse.unquote(target.partition("?")[0]).lstrip("/")).read_bytes()


# ---------------------------------------------------------------------- h11


class H11Answer:
    """What h11, as a client, made of one exchange: informational responses, the response, its body."""

    def __init__(self, informational, response, body: bytes):
        self.informational = informational
        self.response = response
        self.body = body
        self.status = response.status_code
        self.headers = {name.decode().lower(): value.decode() for name, value in response.headers}


def h11_exchange(port: int, method: str, target: str, headers=(), body: bytes = b"",
                 raw: bytes | None = None) -> H11Answer:
    """One request through an h11 client connection; any protocol error raises.

    With raw, those bytes go on the wire instead of what h11 would send (a
    malformed request): h11 still reads the answer as the answer to `method`.
    Waits for `100 Continue` before sending a body when the headers ask to.
    """
    client = h11.Connection(h11.CLIENT)
    fields = [("Host", f"{HOST}:{port}"), ("User-Agent", "h11-test")]
    fields += list(headers)
    if body:
        fields.append(("Content-Length", str(len(body))))
    head = client.send(h11.Request(method=method, target=target, headers=fields))
    expects_continue = any(name.lower() == "expect" for name, _ in headers)
    informational, response, received = [], None, b""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        if raw is not None:
            client.send(h11.EndOfMessage())
            sock.sendall(raw)
        else:
            sock.sendall(head)
            if not expects_continue:
                sock.sendall((client.send(h11.Data(data=body)) if body else b"") + client.send(h11.EndOfMessage()))
        while True:
            event = client.next_event()
            if event is h11.NEED_DATA:
                client.receive_data(sock.recv(65536))  # b"" tells h11 the server closed
                continue
            if isinstance(event, h11.InformationalResponse):
                informational.append(event)
                if event.status_code == 100 and expects_continue:
                    sock.sendall(client.send(h11.Data(data=body)) + client.send(h11.EndOfMessage()))
                    expects_continue = False
            elif isinstance(event, h11.Response):
                response = event
                if expects_continue:  # the server answered without reading the body: fine
                    expects_continue = False
            elif isinstance(event, h11.Data):
                received += bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                pass
            elif isinstance(event, h11.ConnectionClosed):
                break
    assert response is not None, "no response"
    return H11Answer(informational, response, received)


def expect_well_formed(answer: H11Answer) -> None:
    """What every response must have (section 6): a Date, and a charset on UTF-8 text."""
    assert "date" in answer.headers, f"no Date header: {answer.headers}"
    time.strptime(answer.headers["date"], "%a, %d %b %Y %H:%M:%S GMT")
    assert answer.headers.get("connection", "").lower() == "close"
    content_type = answer.headers.get("content-type", "")
    if content_type.startswith("text/"):
        answer.body.decode("utf-8")
        assert "charset=utf-8" in content_type.replace(" ", "").lower(), content_type


FILES = ["/HelloWorld.html", "/greetings.html", "/utf8.txt", "/notes.txt?v=2", "/style.css",
         "/socket.png", "/bytes.png", "/favicon.ico", "/guide/http-cheatsheet.html", "/big.bin"]


@pytest.mark.parametrize("target", FILES)
def test_h11_files(server, target):
    answer = h11_exchange(server.port, "GET", target)
    assert answer.status == 200
    assert answer.body == file_bytes(server, target)
    expect_well_formed(answer)


@from_stage(2)
@pytest.mark.parametrize("target", ["/no-such-page.html", "/../secret.txt", "/%2e%2e/secret.txt",
                                    "/guide/../../secret.txt", "/..%2fsecret.txt"])
def test_h11_missing_files_and_traversal(server, target):
    answer = h11_exchange(server.port, "GET", target)
    assert answer.status in (400, 403, 404)
    assert SECRET not in answer.body
    assert answer.headers["content-type"].startswith("text/html")
    expect_well_formed(answer)


@from_stage(2)
@pytest.mark.parametrize("target", ["/HelloWorld.html", "/socket.png", "/utf8.txt", "/no-such-page.html"])
def test_h11_head_gets_the_headers_of_a_get_and_no_body(server, target):
    get = h11_exchange(server.port, "GET", target)
    head = h11_exchange(server.port, "HEAD", target)
    assert head.status == get.status
    assert head.body == b""
    for name in ("content-type", "content-length", "connection"):
        assert head.headers.get(name) == get.headers.get(name), name
    expect_well_formed(head)


@from_stage(2)
@pytest.mark.parametrize("method", ["BREW", "DELETE", "PUT", "OPTIONS"])
def test_h11_unknown_methods(server, method):
    answer = h11_exchange(server.port, method, "/HelloWorld.html")
    assert answer.status == 501 or (answer.status == 405 and "allow" in answer.headers), answer.status
    expect_well_formed(answer)


@from_stage(2)
@pytest.mark.parametrize("raw", [b"NONSENSE\r\n\r\n", b"GET /HelloWorld.html\r\n\r\n",
                                 b"GET http://x/HelloWorld.html HTTP/1.1\r\n\r\n",
                                 b"\x16\x03\x01 junk \xff\xfe\r\n\r\n",
                                 b"GET /HelloWorld.html HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n"],
                         ids=["nonsense", "no-version", "absolute-url", "junk", "huge-header"])
def test_h11_malformed_requests(server, raw):
    answer = h11_exchange(server.port, "GET", "/", raw=raw)
    assert answer.status in (400, 431)
    expect_well_formed(answer)


@from_stage(3)
def test_h11_echo(server):
    answer = h11_exchange(server.port, "GET", "/echo?city=Z%C3%BCrich&x=%3Cb%3E&city=Köln".replace("ö", "%C3%B6"))
    assert answer.status == 200
    page = answer.body.decode("utf-8")
    assert "key=city; value=Zürich; key=city; value=Köln; key=x; value=&lt;b&gt;;" in page
    expect_well_formed(answer)


@from_stage(5)
@pytest.mark.parametrize("expect", [False, True], ids=["plain", "expect-100-continue"])
def test_h11_post(server, expect):
    body = urllib.parse.urlencode({"name": "Grace Hopper", "symbol": "<&> ü", "big": "x" * 100_000}).encode()
    headers = [("Content-Type", FORM_TYPE)] + ([("Expect", "100-continue")] if expect else [])
    answer = h11_exchange(server.port, "POST", "/echo?from=h11", headers=headers, body=body)
    assert answer.status == 200
    assert "key=from; value=h11; key=name; value=Grace Hopper; key=symbol; value=&lt;&amp;&gt; ü;" in answer.body.decode()
    if expect:
        assert [event.status_code for event in answer.informational] == [100]
    expect_well_formed(answer)


@from_stage(5)
def test_h11_post_elsewhere_and_without_length(server):
    answer = h11_exchange(server.port, "POST", "/HelloWorld.html", headers=[("Content-Type", FORM_TYPE)], body=b"a=1")
    assert answer.status == 405 and "GET" in answer.headers["allow"]
    expect_well_formed(answer)
    no_length = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM_TYPE.encode() + b"\r\n\r\n"
    answer = h11_exchange(server.port, "GET", "/", raw=no_length)
    assert answer.status == 411
    expect_well_formed(answer)


class _Hrefs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href") is not None:
            self.hrefs.append(dict(attrs)["href"])


def hrefs(page: bytes) -> list[str]:
    parser = _Hrefs()
    parser.feed(page.decode("utf-8"))
    return parser.hrefs


def odd_entries() -> list[str]:
    """The names a listing of /odd/ links to, as hrefs decode: folders with their slash."""
    return sorted(list(ODD_NAMES) + [ODD_FOLDER + "/"])


@from_stage(6)
def test_h11_listing_redirect_and_hidden_files(server):
    listing = h11_exchange(server.port, "GET", "/odd/")
    assert listing.status == 200 and listing.headers["content-type"].startswith("text/html")
    expect_well_formed(listing)
    assert sorted(urllib.parse.unquote(href) for href in hrefs(listing.body)) == odd_entries()
    assert b"&lt;b&gt;.txt" in listing.body and b"<b>" not in listing.body
    moved = h11_exchange(server.port, "GET", "/odd?sort=name&q=a+b")
    assert moved.status == 301
    assert urllib.parse.urlsplit(moved.headers["location"]).path == "/odd/"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(moved.headers["location"]).query) == {"sort": ["name"], "q": ["a b"]}
    assert moved.headers["content-type"].startswith("text/html") and b"/odd/" in moved.body
    expect_well_formed(moved)
    head = h11_exchange(server.port, "HEAD", "/odd")
    assert head.status == 301 and head.body == b"" and head.headers["location"] == "/odd/"
    for target in ("/.env", "/odd/.env", "/guide/.git/config", "/%2Eenv", "/guide/.git/"):
        hidden = h11_exchange(server.port, "GET", target)
        assert hidden.status == 404 and HIDDEN not in hidden.body, target
        expect_well_formed(hidden)


# ------------------------------------------------------- the standard library


def test_urllib_files(server):
    for target in ("/HelloWorld.html", "/utf8.txt", "/socket.png", "/big.bin"):
        with urllib.request.urlopen(url(server, target), timeout=10) as response:
            assert response.status == 200
            assert response.read() == file_bytes(server, target)
            assert response.headers["Date"]
    with urllib.request.urlopen(url(server, "/utf8.txt"), timeout=10) as response:
        assert response.headers.get_content_charset() == "utf-8"


@from_stage(2)
def test_urllib_404_and_head(server):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url(server, "/no-such-page.html"), timeout=10)
    assert caught.value.code == 404 and b"404" in caught.value.read()
    caught.value.close()
    request = urllib.request.Request(url(server, "/socket.png"), method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and response.read() == b""
        assert int(response.headers["Content-Length"]) == len(file_bytes(server, "/socket.png"))


@from_stage(3)
def test_urllib_echo(server):
    with urllib.request.urlopen(url(server, "/echo?" + urllib.parse.urlencode({"q": "grade = A+"})), timeout=10) as response:
        assert "key=q; value=grade = A+;" in response.read().decode(response.headers.get_content_charset())


@from_stage(6)
def test_urllib_follows_the_redirect_and_the_listings_links(server):
    with urllib.request.urlopen(url(server, "/odd"), timeout=10) as response:  # urllib follows the 301
        assert response.status == 200 and response.url == url(server, "/odd/")
        page = response.read()
    links = hrefs(page)
    assert len(links) == len(odd_entries())
    for href in links:
        with urllib.request.urlopen(urllib.parse.urljoin(response.url, href), timeout=10) as followed:
            body = followed.read()
            name = urllib.parse.unquote(href)
            if name.endswith("/"):
                assert b"inside.txt" in body
            else:
                assert body == (server.root / "odd" / name).read_bytes(), href


@from_stage(5)
def test_urllib_post(server):
    data = urllib.parse.urlencode({"name": "Ada", "symbol": "<&>"}).encode()
    with urllib.request.urlopen(url(server, "/echo?from=urllib"), data=data, timeout=10) as response:
        assert "key=from; value=urllib; key=name; value=Ada; key=symbol; value=&lt;&amp;&gt;;" in response.read().decode()


def test_http_client(server):
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        connection.request("GET", "/greetings.html")
        response = connection.getresponse()
        assert response.status == 200 and response.read() == file_bytes(server, "/greetings.html")
        assert response.getheader("Content-Type") == "text/html; charset=utf-8"
        assert response.will_close
    finally:
        connection.close()
    if server.stage < 2:
        return
    for method, target, status in (("HEAD", "/HelloWorld.html", 200), ("HEAD", "/nothing.html", 404),
                                   ("GET", "/nothing.html", 404), ("PATCH", "/HelloWorld.html", 501)):
        connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        try:
            connection.request(method, target)
            response = connection.getresponse()
            assert response.status == status, (method, target)
            body = response.read()
            assert (body == b"") == (method == "HEAD")
        finally:
            connection.close()
    if server.stage >= 5:
        connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
        try:
            connection.request("POST", "/echo", body="a=1&b=%C3%BC", headers={"Content-Type": FORM_TYPE})
            response = connection.getresponse()
            assert "key=a; value=1; key=b; value=ü;" in response.read().decode()
        finally:
            connection.close()


# ------------------------------------------------------------- curl and wget

needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (apt-get install curl)")
needs_wget = pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed (apt-get install wget)")


def curl(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """curl, verbose, HTTP/1.1, no proxy; asserts it succeeded and printed no warning."""
    done = subprocess.run(["curl", "--http1.1", "--noproxy", "*", "-sS", "-v", "--max-time", "20", *args],
                          capture_output=True, timeout=timeout, check=False)
    log = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, log
    warnings = [line for line in log.splitlines() if any(word in line for word in CURL_WARNINGS)]
    assert not warnings, "\n".join(warnings)
    return done


@needs_curl
def test_curl_files(server, tmp_path):
    for target in ("/HelloWorld.html", "/utf8.txt", "/bytes.png", "/big.bin"):
        out = tmp_path / "out"
        log = curl("-o", str(out), url(server, target)).stderr.decode()
        assert out.read_bytes() == file_bytes(server, target)
        assert "< Date: " in log


@needs_curl
@from_stage(2)
def test_curl_head_errors_and_methods(server):
    head = curl("-I", url(server, "/socket.png")).stdout.decode()
    assert head.startswith("HTTP/1.1 200 OK\r\n")
    assert f"Content-Length: {len(file_bytes(server, '/socket.png'))}\r\n" in head
    assert curl("-I", url(server, "/nothing.html")).stdout.startswith(b"HTTP/1.1 404 ")
    assert b"404 Not Found" in curl(url(server, "/nothing.html")).stdout
    traversal = curl("--path-as-is", url(server, "/../secret.txt"))
    assert SECRET not in traversal.stdout
    assert re.search(rb"< HTTP/1.1 40[034] ", traversal.stderr)
    assert b"< HTTP/1.1 501 " in curl("-X", "BREW", url(server, "/HelloWorld.html")).stderr


@needs_curl
@from_stage(5)
def test_curl_post_does_not_wait_for_100_continue(server, tmp_path):
    form = tmp_path / "form.txt"
    form.write_bytes(b"name=curl&big=" + b"y" * 200_000)
    started = time.monotonic()
    done = curl("--expect100-timeout", "10", "-H", f"Content-Type: {FORM_TYPE}", "-H", "Expect: 100-continue",
                "--data-binary", f"@{form}", url(server, "/echo?from=curl"))
    assert time.monotonic() - started < 5, "curl waited for 100 Continue"
    assert "< HTTP/1.1 100 Continue" in done.stderr.decode()
    assert b"key=from; value=curl; key=name; value=curl; key=big; value=yyy" in done.stdout
    small = curl("-d", "name=Ada+Lovelace", "-d", "symbol=%3C%26%3E", url(server, "/echo?from=curl"))
    assert b"key=from; value=curl; key=name; value=Ada Lovelace; key=symbol; value=&lt;&amp;&gt;;" in small.stdout


@needs_curl
@from_stage(6)
def test_curl_follows_the_301(server, tmp_path):
    out = tmp_path / "listing.html"
    done = curl("-L", "-o", str(out), "-w", "%{url_effective}", url(server, "/odd?sort=name"))
    assert done.stdout.decode() == url(server, "/odd/?sort=name")
    assert "< HTTP/1.1 301 Moved Permanently" in done.stderr.decode()
    assert sorted(urllib.parse.unquote(href) for href in hrefs(out.read_bytes())) == odd_entries()
    notes = curl(url(server, "/odd/my%20notes.txt")).stdout
    assert notes == (server.root / "odd" / "my notes.txt").read_bytes()


@needs_wget
def test_wget(server, tmp_path):
    for target in ("/utf8.txt", "/socket.png", "/big.bin"):
        out = tmp_path / "out"
        done = subprocess.run(["wget", "--no-proxy", "-q", "-S", "--tries=1", "--timeout=20", "-O", str(out),
                               url(server, target)], capture_output=True, timeout=60, check=False)
        log = done.stderr.decode("utf-8", "replace")
        assert done.returncode == 0, log
        assert out.read_bytes() == file_bytes(server, target)
        assert all(line.startswith("  ") for line in log.splitlines()), log  # only the headers (-S)
        assert "  Date: " in log
    if server.stage >= 2:
        done = subprocess.run(["wget", "--no-proxy", "-q", "--tries=1", "--content-on-error", "-O", str(out),
                               url(server, "/nothing.html")], capture_output=True, timeout=60, check=False)
        assert done.returncode == 8 and b"404 Not Found" in out.read_bytes()  # 8: the server answered an error


# ------------------------------------------------------------------ a browser

needs_browser = pytest.mark.skipif(screenshot.find_browser() is None,
                                   reason="Chromium is not installed (apt-get install chromium)")
MOJIBAKE = ("Ã", "Â", "â€", "\ufffd")


def rendered(server, target: str) -> str:
    """The DOM Chromium builds for the page, as text."""
    done = screenshot.run_headless(url(server, target), ["--dump-dom"])
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    return done.stdout.decode("utf-8")


@needs_browser
def test_browser_shows_utf8_text_and_the_form(server):
    text = rendered(server, "/utf8.txt")
    assert "Grüße aus Köln, ¡hola!, 你好, Привет, 👋" in text
    form = rendered(server, "/form.html")
    assert 'value="&lt;&amp;&gt; = 100% + ü"' in form and "Grace Hopper" in form
    for page in (text, form):
        assert not any(sign in page for sign in MOJIBAKE), page


@needs_browser
@from_stage(3)
def test_browser_shows_the_echo_page(server):
    page = rendered(server, "/echo?city=Z%C3%BCrich&name=Gr%C3%BC%C3%9Fe+%F0%9F%91%8B")
    assert "key=city; value=Zürich; key=name; value=Grüße 👋;" in page
    assert not any(sign in page for sign in MOJIBAKE), page


# A page of ours, served by the solution: it loads a folder without its slash in a
# frame (the browser follows the 301), then fetches every link of the listing the
# browser got, resolved by the browser itself (a.href), and writes what came back.
LINK_PROBE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>probe</title></head><body>
<pre id="out">waiting</pre>
<iframe id="listing" src="/odd"></iframe>
<script>
document.getElementById("listing").addEventListener("load", async () => {
  const page = document.getElementById("listing").contentDocument;
  const lines = ["LISTING " + page.location.pathname];
  for (const link of page.querySelectorAll("a")) {
    const answer = await fetch(link.href);
    lines.push("LINK " + new URL(link.href).pathname + " " + answer.status + " " + (await answer.arrayBuffer()).byteLength);
  }
  document.getElementById("out").textContent = lines.join("\\n");
});
</script>
</body></html>
"""


@needs_browser
@from_stage(6)
def test_browser_follows_the_301_and_every_link_of_the_listing(server):
    (server.root / "probe.html").write_text(LINK_PROBE, encoding="utf-8")
    done = screenshot.run_headless(url(server, "/probe.html"), ["--dump-dom", "--virtual-time-budget=10000"])
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-2000:]
    report = html.unescape(done.stdout.decode("utf-8").split('<pre id="out">', 1)[1].split("</pre>", 1)[0])
    lines = report.splitlines()
    assert lines[0] == "LISTING /odd/", report
    followed = {}
    for line in lines[1:]:
        _, path, status, size = line.split(" ")  # a URL's pathname holds no space: it is percent-encoded
        followed[urllib.parse.unquote(path)] = (int(status), int(size))
    assert sorted(followed) == ["/odd/" + name for name in odd_entries()], report
    for path, (status, size) in followed.items():
        assert status == 200, (path, report)
        if not path.endswith("/"):
            assert size == (server.root / path.lstrip("/")).stat().st_size, (path, report)


# -------------------------------------------------------- where stage 1 listens


def connects(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


def test_only_stage_1_keeps_to_this_machine(server):
    """Stage 1 checks no paths: it binds 127.0.0.1 and says so. From stage 2 every interface.

    127.0.0.2 is loopback too, but a socket bound to 127.0.0.1 does not answer it.
    """
    assert connects("127.0.0.1", server.port)
    if server.stage == 1:
        assert not connects("127.0.0.2", server.port)
        assert "127.0.0.1" in server.log() and "this machine only" in server.log()
    else:
        assert connects("127.0.0.2", server.port)


# --------------------------------------------- the clients notice a bad server


@pytest.fixture
def sloppy_server():
    """A server on 127.0.0.1 that answers every request with the same sloppy bytes:
    a body for HEAD too, no Date, text/plain without a charset. Stopped after the test."""
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen()
    body = UTF8_TEXT.encode()
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body

    def serve():
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            with client:
                received = b""
                try:
                    while b"\r\n\r\n" not in received and (piece := client.recv(4096)):
                        received += piece
                    client.sendall(answer)
                    client.shutdown(socket.SHUT_WR)
                    while client.recv(4096):
                        pass
                except OSError:  # the client hung up first (ENOTCONN, ECONNRESET): its choice
                    pass

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    fake = type("Fake", (), {"port": listener.getsockname()[1]})()
    try:
        yield fake
    finally:
        listener.close()
        worker.join(timeout=5)


def test_h11_notices_a_body_after_head_and_a_missing_date(sloppy_server):
    with pytest.raises(h11.RemoteProtocolError):
        h11_exchange(sloppy_server.port, "HEAD", "/x.txt")
    with pytest.raises(AssertionError, match="no Date"):
        expect_well_formed(h11_exchange(sloppy_server.port, "GET", "/x.txt"))


@needs_curl
def test_curl_warning_is_noticed(sloppy_server):
    with pytest.raises(AssertionError, match="Excess found"):
        curl("-I", url(sloppy_server, "/x.txt"))


@needs_browser
def test_browser_mojibake_is_noticed(sloppy_server):
    page = rendered(sloppy_server, "/x.txt")
    assert any(sign in page for sign in MOJIBAKE), "a text/plain page without charset shows as mojibake"


# ------------------------------------------------------------------ CGI (stage 7)

# The stage-7 solution runs the grader's own generated scripts (autograder/cgi_root.py,
# through docroot.build) and www/cgi-bin/hello.py. Its log holds the failing script's
# traceback on purpose (stderr goes to the log), so it is read, not asserted clean.


@pytest.fixture(scope="module")
def cgi_server(tmp_path_factory):
    from autograder import docroot

    folder = tmp_path_factory.mktemp("clients7")
    docs = docroot.build(folder / "root", seed=7)
    running = Server(solution(7), docs.root)
    running.docs = docs
    try:
        running.wait_listening()
        yield running
    finally:
        log = running.stop()
        # The one traceback expected is the failing script's, logged with the script's name.
        tracebacks = [line for line in log.splitlines() if "Traceback" in line]
        assert all(Path(docs.cgi.fails.relative).name in line for line in tracebacks), log


def cgi_answer(cgi_server, method, script, query="", headers=(), body=b"") -> H11Answer:
    target = script.url_path + (f"?{query}" if query else "")
    answer = h11_exchange(cgi_server.port, method, target, headers=headers, body=body)
    assert "date" in answer.headers and answer.headers.get("connection", "").lower() == "close", answer.headers
    return answer


def test_h11_parses_cgi_responses(cgi_server):
    cgi = cgi_server.docs.cgi
    echo = cgi_answer(cgi_server, "GET", cgi.echo, query="q=a%20b+c", headers=[("User-Agent", "h11-client")])
    assert echo.status == 200 and echo.headers["content-type"] == "application/json"
    assert echo.headers[cgi.header_name.lower()] == cgi.header_value
    environ = json.loads(echo.body)["environ"]
    assert environ["QUERY_STRING"] == "q=a%20b+c" and environ["HTTP_USER_AGENT"] == "h11-client"
    form = b"name=h11&text=caf%C3%A9"
    posted = cgi_answer(cgi_server, "POST", cgi.echo, body=form, headers=[
        ("Content-Type", FORM_TYPE), ("Content-Length", str(len(form)))])
    assert base64.b64decode(json.loads(posted.body)["stdin"]) == form
    missing = cgi_answer(cgi_server, "GET", cgi.status)
    assert missing.status == 404 and missing.body == cgi.status_body and "status" not in missing.headers
    assert cgi_answer(cgi_server, "GET", cgi.binary).body == cgi.binary_body
    counted = cgi_answer(cgi_server, "GET", cgi.counted)  # the script's own Content-Length is wrong
    assert counted.body == cgi.counted_body and int(counted.headers["content-length"]) == len(cgi.counted_body)
    assert cgi_answer(cgi_server, "GET", cgi.large).body == cgi.large_body
    assert cgi_answer(cgi_server, "GET", cgi.spaced).status == 200
    assert cgi_answer(cgi_server, "GET", cgi.fails).status in (500, 502)
    assert cgi_answer(cgi_server, "GET", cgi.headless).status in (500, 502)


def test_h11_parses_the_504_of_a_script_that_never_ends(cgi_server):
    started = time.monotonic()
    answer = cgi_answer(cgi_server, "GET", cgi_server.docs.cgi.sleeper)
    assert answer.status in (504, 500) and time.monotonic() - started < 7


@needs_curl
def test_curl_posts_the_cgi_form(cgi_server):
    echo = cgi_server.docs.cgi.echo
    done = curl("-d", "name=Ada+Lovelace", "-d", "symbol=%3C%26%3E", url(cgi_server, echo.url_path + "?from=curl"))
    report = json.loads(done.stdout)
    assert report["environ"]["REQUEST_METHOD"] == "POST"
    assert report["environ"]["CONTENT_TYPE"] == FORM_TYPE
    assert report["environ"]["QUERY_STRING"] == "from=curl"
    assert base64.b64decode(report["stdin"]) == b"name=Ada+Lovelace&symbol=%3C%26%3E"
    page = curl("-d", "name=Grace", url(cgi_server, "/cgi-bin/hello.py")).stdout.decode("utf-8")
    assert "Hello, Grace!" in page
    out = curl("-i", url(cgi_server, cgi_server.docs.cgi.binary.url_path)).stdout
    assert out.endswith(b"\r\n\r\n" + cgi_server.docs.cgi.binary_body)
