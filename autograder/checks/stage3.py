"""Stage 3, query echo: the /echo page lists the query string's pairs."""

from __future__ import annotations

import html
from urllib.parse import quote_plus

from autograder.checks.expect import answer, expect_status
from autograder.checks.registry import CheckFailed, check

ECHO_HINT = (
    "Split the target at '?', parse the query with urllib.parse.parse_qsl (or parse_qs), and "
    "write 'key=K; value=V; ' for each pair into a small HTML page that also shows the path."
)


def pairs_text(pairs) -> str:
    """The exact echo text: `key=a; value=1; key=b; value=2;` (one space after each ;)."""
    return " ".join(f"key={html.escape(k)}; value={html.escape(v)};" for k, v in pairs)


def grouped(pairs):
    """The same pairs grouped by key in order of first appearance (what parse_qs gives)."""
    order = []
    for key, _ in pairs:
        if key not in order:
            order.append(key)
    return [(key, value) for key in order for k, value in pairs if k == key]


def query_of(pairs) -> str:
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)


def echo_page(ctx, target: str, expected: str):
    exchange = ctx.send(ctx.request(target))
    response = answer(exchange, expected=expected)
    expect_status(exchange, response, 200, hint="GET /echo (with or without a query) is answered by your code, not by a file.")
    return exchange, response


def expect_pairs(exchange, response, pairs, *, allow_grouped=True, what="the pairs"):
    page = response.text()
    accepted = [pairs_text(pairs)]
    if allow_grouped:
        accepted.append(pairs_text(grouped(pairs)))
    if any(text in page for text in accepted):
        return
    raise CheckFailed(
        f"the page does not contain {what} as expected",
        exchange=exchange,
        expected=" or ".join(repr(text) for text in dict.fromkeys(accepted)),
        hint=ECHO_HINT,
    )


@check(
    "3.echo-page", points=3,
    description="/echo?name=test&name=test2 gives 200, text/html, the path and `key=name; value=test; key=name; value=test2;`",
    hint=ECHO_HINT,
)
def echo_page_check(ctx):
    exchange, response = echo_page(ctx, "/echo?name=test&name=test2", "200 OK and the echo page")
    if response.media_type != "text/html":
        raise CheckFailed(
            f"the echo page is sent as {response.header('Content-Type')!r}",
            exchange=exchange, expected="Content-Type: text/html",
        )
    if "/echo" not in response.text():
        raise CheckFailed("the page does not show the path /echo", exchange=exchange, expected="the path '/echo' somewhere in the page")
    expect_pairs(exchange, response, [("name", "test"), ("name", "test2")])
    token = ctx.docroot.token(6)
    exchange, response = echo_page(ctx, f"/echo?word={token}", "the echo page")
    expect_pairs(exchange, response, [("word", token)], what=f"the random value {token!r}")


@check(
    "3.echo-order", points=2, depends=("3.echo-page",),
    description="pairs in query order, or grouped by key in order of first appearance",
    hint="Keep the order of the query: parse_qsl gives the pairs in order; parse_qs groups them by key. "
    "Do not sort the keys, and keep every value of a repeated key.",
)
def echo_order(ctx):
    token = ctx.docroot.token
    pairs = [(f"z{token(3)}", token(5)), (f"a{token(3)}", token(5)), (f"z{token(3)}", token(4))]
    pairs[2] = (pairs[0][0], pairs[2][1])  # the first key again, after another key
    exchange, response = echo_page(ctx, "/echo?" + query_of(pairs), "the echo page")
    expect_pairs(exchange, response, pairs)


@check(
    "3.echo-decoding", points=2, depends=("3.echo-page",),
    description="`+` and %XX are decoded as UTF-8: ?q=grade+%3D+A%2B gives `key=q; value=grade = A+;`",
    hint="urllib.parse.parse_qsl decodes '+' to a space and %XX as UTF-8; splitting on '&' and '=' by hand does not.",
)
def echo_decoding(ctx):
    exchange, response = echo_page(ctx, "/echo?q=grade+%3D+A%2B&w=caf%C3%A9+%E2%9C%93", "the echo page")
    expect_pairs(exchange, response, [("q", "grade = A+"), ("w", "café ✓")], allow_grouped=False)


@check(
    "3.echo-escaping", points=2, depends=("3.echo-page",),
    description="keys and values are HTML-escaped: ?x=<b>hi</b> shows &lt;b&gt;hi&lt;/b&gt; (and & shows as &amp;)",
    hint="Pass every key and value through html.escape() before putting it in the page, or a "
    "visitor can inject HTML (and scripts) into it.",
)
def echo_escaping(ctx):
    token = ctx.docroot.token(4)
    value = f"<b>hi{token}</b>"
    for target in (f"/echo?x={quote_plus(value)}", f"/echo?x={value}"):
        exchange, response = echo_page(ctx, target, "the echo page")
        if f"<b>hi{token}" in response.text():
            raise CheckFailed(
                "the page contains the raw tag <b> from the query: the value was not escaped",
                exchange=exchange, expected=f"key=x; value=&lt;b&gt;hi{token}&lt;/b&gt;;",
            )
        expect_pairs(exchange, response, [("x", value)])
    # An entity typed by the visitor must show as typed: '&' itself is escaped too.
    typed = f"a&lt;{token}&amp;b"
    exchange, response = echo_page(ctx, f"/echo?t={quote_plus(typed)}", "the echo page")
    expect_pairs(exchange, response, [("t", typed)], what=f"the value {typed!r} with its '&' escaped as '&amp;'")


@check(
    "3.echo-no-query", points=1, depends=("3.echo-page",),
    description="/echo without a query gives the page with no pairs",
    hint="A missing query is an empty one: the page shows the path and no 'key=' lines.",
)
def echo_no_query(ctx):
    for target in ("/echo", "/echo?"):
        exchange, response = echo_page(ctx, target, "the echo page, with no pairs")
        if "key=" in response.text() or "/echo" not in response.text():
            raise CheckFailed(
                "the page lists pairs although the query is empty" if "key=" in response.text()
                else "the page does not show the path /echo",
                exchange=exchange, expected="the echo page with the path and no 'key=' at all",
            )


@check(
    # Needs the echo page: without it every other path is a 404 by stage 2's rules alone.
    "3.other-paths-404", points=1, depends=("2.missing-file-404", "3.echo-page"),
    description="other paths that name no file still give 404, with or without a query",
    hint="Only the path /echo is special; compare the path (without the query) to '/echo' exactly.",
)
def other_paths_404(ctx):
    name = ctx.docroot.missing_name()
    for target in (f"/{name}?name=test", f"/{name}", "/echoes?name=test", "/echo/x?name=test"):
        exchange = ctx.send(ctx.request(target))
        response = answer(exchange, expected="404 Not Found")
        expect_status(exchange, response, 404)
