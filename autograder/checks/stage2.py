"""Stage 2, not found: 404, percent-decoded and safe paths, 400 for malformed requests."""

from __future__ import annotations

import re

from autograder.checks.expect import answer, expect_file, expect_status, expect_well_formed
from autograder.checks.registry import CheckFailed, check

STATUS_404 = re.compile(r"^HTTP/1\.[01] 404 Not Found$")
REFUSALS = (400, 403, 404)


@check(
    "2.missing-file-404", points=3,
    description="a path that names no file gives 404 Not Found with an HTML body",
    hint="When the file does not exist (os.path.isfile is False, or open() raises), send "
    "'HTTP/1.1 404 Not Found', Content-Type: text/html, and a small HTML page saying so.",
)
def missing_file_404(ctx):
    exchange = ctx.send(ctx.request("/" + ctx.docroot.missing_name()))
    response = answer(exchange, expected="404 Not Found")
    expect_status(exchange, response, 404)
    if not STATUS_404.match(response.status_line):
        raise CheckFailed(
            f"the status line is {response.status_line!r}",
            exchange=exchange, expected="'HTTP/1.1 404 Not Found', exactly",
        )
    expect_well_formed(exchange, response, "lf-only", "no-blank-line", "no-length", "bad-length", "length-mismatch")
    if response.media_type != "text/html" or b"<" not in response.body:
        raise CheckFailed(
            "the 404 response has no HTML body" if b"<" not in response.body
            else f"the 404 page is sent as {response.header('Content-Type')!r}",
            exchange=exchange, expected="Content-Type: text/html and a small HTML page as the body",
        )


@check(
    "2.serves-after-404", points=2, depends=("2.missing-file-404",),
    description="after a 404 the server goes on serving files",
    hint="A missing file is an ordinary event: answer 404, close that connection, and go back to accept().",
)
def serves_after_404(ctx):
    ctx.send(ctx.request("/" + ctx.docroot.missing_name(".txt")))
    exchange = ctx.send(ctx.request(ctx.docroot.text.url_path))
    expect_file(exchange, ctx.docroot.text, hint="After a 404 the next request must still be served.")


@check(
    "2.percent-decoding", points=2,
    description="paths are percent-decoded: /with%20space.html serves `with space.html`",
    hint="Browsers send a space as %20 (and any byte as %XX). Decode the path with "
    "urllib.parse.unquote() before you look for the file.",
)
def percent_decoding(ctx):
    spaced = ctx.docroot.spaced
    expect_file(ctx.send(ctx.request(spaced.url_path)), spaced)
    html = ctx.docroot.html  # "page-....html" with its first letter written as %70
    target = "/%70" + html.url_path[2:]
    expect_file(ctx.send(ctx.request(target)), html, what=f"the file {html.relative!r} (asked for as {target})")


@check(
    "2.no-traversal", points=3,
    description="no request leaves the document root (.., %2e%2e, absolute paths): 400, 403 or 404",
    hint="Decode the path first, then build the full path and resolve it (os.path.realpath); "
    "refuse it unless it is inside the document root: os.path.commonpath([root, path]) == root.",
)
def no_traversal(ctx):
    sub = ctx.docroot.sub_folder
    with ctx.docroot.secret() as (name, content, path):
        targets = [
            f"/../{name}", f"/%2e%2e/{name}", f"/..%2f{name}", f"/%2E%2E%2F{name}",
            f"/{sub}/../../{name}", f"/{sub}/%2e%2e/%2e%2e/{name}", f"/./../{name}",
            "/" + str(path), f"/..%5c{name}",
        ]
        for target in targets:
            exchange = ctx.send(ctx.request(target))
            if content.strip() in exchange.received:
                raise CheckFailed(
                    f"GET {target} returned the secret file that lies OUTSIDE the document root",
                    exchange=exchange, expected="400, 403 or 404, and never a file from outside the root",
                )
            response = answer(exchange, expected="400, 403 or 404")
            expect_status(exchange, response, *REFUSALS)
    with ctx.docroot.sibling_secret() as (sibling, name, content):
        target = f"/../{sibling}/{name}"
        exchange = ctx.send(ctx.request(target))
        if content.strip() in exchange.received:
            raise CheckFailed(
                f"GET {target} returned a file from the folder {sibling!r} beside the root: "
                "a check like path.startswith(root) lets 'root-other' through",
                exchange=exchange, expected="400, 403 or 404",
                hint="Compare whole path components: os.path.commonpath([root, path]) == root.",
            )


@check(
    "2.bad-request-400", points=2,
    description="a malformed request (NONSENSE, a request line without a version) gets 400 Bad Request",
    hint="Split the request line on spaces: exactly three parts (method, path, version starting "
    "with 'HTTP/') or answer 'HTTP/1.1 400 Bad Request'.",
)
def bad_request_400(ctx):
    for request in (b"NONSENSE\r\n\r\n", f"GET {ctx.docroot.html.url_path}\r\n\r\n".encode()):
        exchange = ctx.send(request)
        response = answer(exchange, expected="400 Bad Request")
        expect_status(exchange, response, 400)


@check(
    "2.survives-junk", points=2,
    description="binary junk, or a client that leaves mid-request, does not stop the server",
    hint="Wrap the handling of each connection in try/except so one bad client cannot crash the "
    "server, and treat recv() returning b'' (the client left) as the end of that connection.",
)
def survives_junk(ctx):
    rng = ctx.docroot.rng
    junk = bytes(rng.randrange(256) for _ in range(600))
    ends_request = [[junk + b"\r\n\r\n"], [b"\xff\xfe\x00\r\n\r\n"]]  # answered (with 400) before we leave
    leaves_early = [[junk], [b"GET /" + ctx.docroot.html.relative.encode()[:5]], []]  # we leave mid-request
    for bad in ends_request + leaves_early:
        with ctx.connect() as connection:
            for piece in bad:
                connection.send(piece)
            if bad in ends_request:
                connection.read_response(timeout=0.5)
    ctx.settle()
    exchange = ctx.send(ctx.request(ctx.docroot.text.url_path), alone=False)
    try:
        expect_file(exchange, ctx.docroot.text)
    except CheckFailed as failure:
        failure.message = "after clients sent junk or left mid-request, a normal request failed: " + failure.message
        raise
