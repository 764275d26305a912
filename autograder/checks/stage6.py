"""Stage 6, directories: a folder's index.html, a listing, 301 to the trailing slash, hidden files.

The links of a listing are read the way a browser reads them: html.parser
(which turns `&amp;` in an attribute back into `&`), then urljoin against
the listing's own URL, so relative and absolute hrefs are both right, and
`#` starts a fragment. A link "leads to" an entry when the path it resolves
to, percent-decoded, is the entry's path (a folder's with or without its
trailing slash: that is a check of its own).

What a correct listing may do besides: list folders first, sort ignoring
case, show a link to the parent folder or to `/`, link an entry twice, and
show the names in a table, a list or anything else.
"""

from __future__ import annotations

import unicodedata
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

from autograder.checks.expect import answer, expect_body, expect_status, expect_well_formed
from autograder.checks.registry import CheckFailed, check
from autograder.docroot import Folder, GeneratedFile

REDIRECTS = (301, 302, 303, 307, 308)
HIDDEN_REFUSALS = (403, 404)
LISTING_HINT = (
    "When the path names a folder (os.path.isdir) that has no index.html, build an HTML page with one "
    "<a href=\"...\">name</a> per entry of sorted(os.listdir(folder)), leaving out names that start with "
    "'.'; send it as text/html. With the folder's URL ending in '/', href=\"NAME\" (relative) is enough. "
    "(In the kit's skeleton: FolderListing.test and listing_page.)"
)
ENCODE_HINT = (
    "An href is a URL: percent-encode each name with urllib.parse.quote(name) before putting it in "
    "href=\"...\" (a space becomes %20, '#' %23, '%' %25, '<' %3C). The text between <a> and </a> "
    "is HTML: html.escape(name) there."
)
REDIRECT_HINT = (
    "For a folder asked for without the trailing slash, answer 'HTTP/1.1 301 Moved Permanently' with "
    "'Location: /the/folder/' (the path plus '/', and '?' plus the query string if there was one) and "
    "a short HTML page; the browser asks again at the new address, and relative links then resolve "
    "inside the folder. (In the kit's skeleton: FolderWithoutSlash.test and .act.)"
)
HIDDEN_HINT = (
    "Names that start with '.' are hidden (.env, .git/): refuse any path in which some part starts "
    "with '.' with 404, and leave such names out of listings. Check every part of the path, not "
    "only the last one. (In the kit's skeleton: the block in local_path_for.)"
)


# -- reading a listing -------------------------------------------------------------


class _Links(HTMLParser):
    """The <a href> links of a page with their text, and all of the page's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href as the browser reads it, link text)
        self.text: list[str] = []
        self.start_tags: list[str] = []
        self.base: str | None = None  # <base href="...">, which changes what relative links resolve against
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        self.start_tags.append(tag)
        if tag == "base" and self.base is None and dict(attrs).get("href") is not None:
            self.base = dict(attrs)["href"]
        if tag == "a":
            href = dict(attrs).get("href")
            self._open = [href, ""] if href is not None else None
            if self._open is not None:
                self.links.append(self._open)

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        self.text.append(data)
        if self._open is not None:
            self._open[1] += data


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class Listing:
    """A listing page as a browser sees it, for one folder of the document root."""

    def __init__(self, ctx, folder, exchange, response):
        self.ctx, self.folder, self.exchange, self.response = ctx, folder, exchange, response
        self.base = f"http://127.0.0.1:{ctx.port}{folder.url_path}"
        parser = _Links()
        parser.feed(response.text())
        parser.close()
        if parser.base is not None:
            self.base = urljoin(self.base, parser.base.strip())
        self.links = [(href, text.strip()) for href, text in parser.links]
        self.text = _nfc("".join(parser.text))
        self.start_tags = parser.start_tags

    def resolve(self, href: str):
        """(split URL, decoded path) of a link, or None when it leaves this server."""
        url = urlsplit(urljoin(self.base, href.strip()))
        if url.scheme != "http" or url.netloc.lower() not in self.ctx_hosts():
            return None
        return url, _nfc(unquote(url.path, errors="replace"))

    def ctx_hosts(self):
        return {f"127.0.0.1:{self.ctx.port}", f"localhost:{self.ctx.port}"}

    def path_of(self, name: str) -> str:
        """The decoded URL path of a name in this folder."""
        return _nfc("/" + (self.folder.relative + "/" if self.folder.relative else "") + name)

    def entry_path(self, entry) -> str:
        return self.path_of(entry.name)

    def leads_to(self, href: str, path: str, folder: bool) -> bool:
        resolved = self.resolve(href)
        if resolved is None:
            return False
        got = resolved[1]
        return got == path or (folder and got == path + "/")

    def links_to(self, entry) -> list[str]:
        """The hrefs that lead to an entry (a folder's with or without the slash)."""
        path = self.entry_path(entry)
        return [href for href, _ in self.links if self.leads_to(href, path, entry.is_folder)]

    def links_to_name(self, name: str) -> list[str]:
        """The hrefs that lead to the name in this folder (with or without a trailing slash)."""
        return [href for href, _ in self.links if self.leads_to(href, self.path_of(name), True)]

    def shown_as(self, name: str) -> list[str]:
        """The hrefs of links whose text is the name (with or without a trailing '/')."""
        return [href for href, text in self.links if text.rstrip("/") == _nfc(name) or text == _nfc(name)]

    def hrefs(self, limit: int = 12) -> str:
        shown = [href for href, _ in self.links[:limit]]
        more = f" ... ({len(self.links) - limit} more)" if len(self.links) > limit else ""
        return ", ".join(repr(h) for h in shown) + more if shown else "no <a href> at all"


def get_listing(ctx, folder, what: str = "a listing of the folder") -> Listing:
    """GET the folder's URL (with its slash); a 200 text/html page with a correct length, parsed."""
    exchange = ctx.get(folder.url_path)
    response = answer(exchange, expected=f"200 OK and {what}")
    try:
        expect_status(exchange, response, 200, hint=(
            f"{folder.url_path} is a folder of the document root without index.html: answer 200 with a "
            "page that lists it. " + LISTING_HINT))
    except CheckFailed as failure:
        failure.message = f"GET {folder.url_path} (a folder without index.html): {failure.message}"
        raise
    expect_well_formed(exchange, response, "lf-only", "no-blank-line", "no-length", "bad-length", "length-mismatch")
    if response.media_type != "text/html":
        raise CheckFailed(
            f"the listing of {folder.url_path} is sent as {response.header('Content-Type')!r}",
            exchange=exchange, expected="Content-Type: text/html (a charset is fine)", hint=LISTING_HINT,
        )
    return Listing(ctx, folder, exchange, response)


def _named(entries) -> str:
    return ", ".join(repr(e.name + ("/" if e.is_folder else "")) for e in entries)


# -- the checks ---------------------------------------------------------------------


@check(
    "6.index-html", points=2,
    description="GET /DIR/ of a folder holding index.html serves that file (type, length, bytes), GET / too",
    hint="When the path names a folder, look for index.html inside it first: if it is there, send it "
    "exactly as any other file (200, text/html, Content-Length, the bytes).",
)
def index_html(ctx):
    folders = ctx.docroot.folders
    cases = [(folders.with_index.url_path, folders.with_index.index)]
    nested = next(e.folder for e in folders.listed.entries if e.is_folder and e.folder.index)
    cases.append((nested.url_path, nested.index))
    root_index = ctx.docroot.root / "index.html"
    if root_index.is_file():
        cases.insert(0, ("/", GeneratedFile("index.html", root_index.read_bytes())))
    for target, file in cases:
        exchange = ctx.get(target)
        what = f"the file {file.relative!r} (the folder's index.html)"
        response = answer(exchange, expected=f"200 OK and {what}")
        try:
            expect_status(exchange, response, 200, hint=(
                f"{target} names a folder that holds index.html: send that file. "
                "os.path.isdir() tells a folder from a file. (In the kit's skeleton: FolderIndex.test.)"))
        except CheckFailed as failure:
            failure.message = f"GET {target} (a folder that holds index.html): {failure.message}"
            raise
        expect_well_formed(exchange, response, "no-length", "bad-length", "length-mismatch")
        if response.media_type != "text/html":
            raise CheckFailed(
                f"{target} (index.html) was sent as {response.header('Content-Type')!r}",
                exchange=exchange, expected="Content-Type: text/html",
                hint="Choose the type from the name of the file you send, index.html, not from the path asked for.",
            )
        expect_body(exchange, response, file.content, what, hint=(
            "Send the bytes of the folder's index.html, not a listing of the folder."
            if b"<a " in response.body.lower() and file.content not in response.body else ""))


@check(
    "6.listing", points=3,
    description="GET /DIR/ of a folder without index.html: 200, text/html, a link to every (not hidden) entry",
    hint=LISTING_HINT,
)
def listing(ctx):
    folders = ctx.docroot.folders
    nested = next(e.folder for e in folders.listed.entries if e.is_folder and not e.folder.index)
    for folder in (folders.listed, nested):
        page = get_listing(ctx, folder)
        missing = [e for e in folder.entries if not page.links_to(e)]
        if missing:
            example = missing[0]
            raise CheckFailed(
                f"the listing of {folder.url_path} has no link that leads to {_named(missing[:4])}"
                + (f" (and {len(missing) - 4} more)" if len(missing) > 4 else "")
                + f"; its links are: {page.hrefs()}",
                exchange=page.exchange,
                expected=f"a link to each entry of the folder: {_named(folder.entries)}; for example "
                f"<a href=\"{quote(example.name)}{'/' if example.is_folder else ''}\">, which a browser "
                f"resolves against {folder.url_path}",
                hint=LISTING_HINT + " An href that starts with '/' is taken from the root: it needs the folder's "
                "path in front of the name.",
            )


def _accepted_orders(entries):
    names = [e.name for e in entries]
    folders = {e.name for e in entries if e.is_folder}
    orders = []
    for key in (lambda n: n, str.lower, str.casefold):
        plain = sorted(names, key=key)
        orders.append(plain)
        orders.append(sorted(names, key=lambda n, key=key: (n not in folders, key(n))))
    return orders


@check(
    "6.listing-sorted", points=1, depends=("6.listing",),
    description="the listing is sorted by name (by code point or ignoring case; folders first is fine too)",
    hint="os.listdir() gives the names in the disk's own order, which is no order at all: "
    "loop over sorted(os.listdir(folder)).",
)
def listing_sorted(ctx):
    folder = ctx.docroot.folders.listed
    page = get_listing(ctx, folder)
    order = []
    for href, _ in page.links:
        for entry in folder.entries:
            if entry.name not in order and page.leads_to(href, page.entry_path(entry), entry.is_folder):
                order.append(entry.name)
    accepted = _accepted_orders(folder.entries)
    if order not in accepted:
        raise CheckFailed(
            f"the listing of {folder.url_path} shows the entries in the order {order}",
            exchange=page.exchange, expected=f"sorted by name: {accepted[0]} (or ignoring case: {accepted[2]})",
        )


@check(
    "6.folder-links-slash", points=1, depends=("6.listing",),
    description="in a listing, the link to a sub-folder ends in /",
    hint="Add '/' to the href of a folder (os.path.isdir): <a href=\"photos/\">photos/</a>. Without it the "
    "browser asks for the folder without the slash, and every relative link on the next page goes wrong "
    "unless the server redirects.",
)
def folder_links_slash(ctx):
    folders = ctx.docroot.folders
    nested = next(e.folder for e in folders.listed.entries if e.is_folder and not e.folder.index)
    for folder in (folders.listed, nested):
        page = get_listing(ctx, folder)
        for entry in (e for e in folder.entries if e.is_folder):
            hrefs = page.links_to(entry)
            bare = [h for h in hrefs if not urlsplit(urljoin(page.base, h)).path.endswith("/")]
            if bare:
                raise CheckFailed(
                    f"in the listing of {folder.url_path}, the link to the folder {entry.name!r} is "
                    f"href={bare[0]!r}, without the trailing '/'",
                    exchange=page.exchange, expected=f"<a href=\"{quote(entry.name)}/\">",
                )


@check(
    "6.hrefs-encoded", points=2, depends=("6.listing",),
    description="hrefs are percent-encoded: a space as %20, and #, %, < encoded, so each link leads to its entry",
    hint=ENCODE_HINT,
)
def hrefs_encoded(ctx):
    folder = ctx.docroot.folders.odd_names
    page = get_listing(ctx, folder, "a listing of the folder with odd names")
    for entry in folder.entries:
        hrefs = page.links_to(entry)
        if not hrefs:
            shown = page.shown_as(entry.name)
            near = f": the link shown as {entry.name!r} is href={shown[0]!r}" if shown else ""
            encoded = quote(entry.name) + ("/" if entry.is_folder else "")
            raise CheckFailed(
                f"the listing of {folder.url_path} has no link that leads to {entry.name!r}{near}"
                + (f"; a browser resolves it to {page.resolve(shown[0])[1]!r}"
                   if shown and page.resolve(shown[0]) else ""),
                exchange=page.exchange, expected=f"<a href=\"{encoded}\">", hint=ENCODE_HINT,
                symptom="href-not-encoded" if shown and shown[0].rstrip("/") == entry.name else None,
            )
        raw = [h for h in hrefs if any(c in h for c in ' "<>')]
        if raw:
            bad = next(c for c in ' "<>' if c in raw[0])
            raise CheckFailed(
                f"the link to {entry.name!r} is href={raw[0]!r}: "
                + ("a space in a URL must be sent as %20" if bad == " " else f"{bad!r} in a URL must be percent-encoded"),
                exchange=page.exchange,
                expected=f"<a href=\"{quote(entry.name)}{'/' if entry.is_folder else ''}\">", hint=ENCODE_HINT,
                symptom="href-not-encoded",
            )


@check(
    "6.names-escaped", points=2, depends=("6.listing",),
    description="names are HTML-escaped in the listing: a file <b>x.txt shows as &lt;b&gt;x.txt, never as markup",
    hint="Pass each name through html.escape() before it goes between <a> and </a> (and into the title): "
    "a file name is text, and '<' in it would start a tag.",
)
def names_escaped(ctx):
    folders = ctx.docroot.folders
    folder = folders.odd_names
    page = get_listing(ctx, folder, "a listing of the folder with odd names")
    markup = folders.markup_name
    if markup and "b" in page.start_tags and _nfc(markup) not in page.text:
        raise CheckFailed(
            f"the listing of {folder.url_path} contains the raw tag <b> from the file name {markup!r}: "
            "the name was not escaped, so the browser made it bold instead of showing it",
            exchange=page.exchange, expected=f"the name written as {markup.replace('<', '&lt;').replace('>', '&gt;')}",
        )
    missing = [e.name for e in folder.entries if _nfc(e.name) not in page.text]
    if missing:
        raise CheckFailed(
            f"the listing of {folder.url_path} does not show the name(s) {missing} as text",
            exchange=page.exchange,
            expected="each name shown as it is on disk, HTML-escaped in the page: "
            + ", ".join(n.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for n in missing[:3]),
        )


def _follow(ctx, listing_page, href, hops: int = 3):
    """GET a link as a browser does (redirects followed); the last exchange and response."""
    resolved = listing_page.resolve(href)
    url = resolved[0]
    for _ in range(hops + 1):
        target = quote(url.path, safe="/%!$&'()*+,;=:@~") + (f"?{url.query}" if url.query else "")
        exchange = ctx.send(ctx.request(target))
        response = answer(exchange, expected=f"200 OK for the link href={href!r}")
        location = response.header("Location")
        if response.status not in REDIRECTS or not location:
            return target, exchange, response
        url = urlsplit(urljoin(f"http://127.0.0.1:{ctx.port}{target}", location))
        if url.netloc.lower() not in listing_page.ctx_hosts():
            return target, exchange, response
    return target, exchange, response


def _follow_all(ctx, folder, depth: int):
    page = get_listing(ctx, folder)
    hidden = {page.path_of(name) for name in folder.hidden}
    here = _nfc(unquote(folder.url_path))
    followed = set()
    for href, _ in page.links:
        resolved = page.resolve(href)
        if resolved is None:
            continue
        path = resolved[1]
        ancestor = path.rstrip("/") == "" or here.startswith(path.rstrip("/") + "/")
        if path.rstrip("/") in hidden or ancestor or path in followed:
            continue  # hidden entries are another check's; the folder itself and its parents are navigation
        followed.add(path)
        entry = next((e for e in folder.entries if page.leads_to(href, page.entry_path(e), e.is_folder)), None)
        target, exchange, response = _follow(ctx, page, href)
        try:
            expect_status(exchange, response, 200, hint=(
                f"A browser asks for {target} when it follows the link. If the name on disk holds '%' "
                "(report%20x.txt), decode the path exactly once (urllib.parse.unquote), not twice."
                if entry is not None else
                f"The link leads to {path!r}, which is no entry of the folder: build each href with "
                "urllib.parse.quote(name), so that decoding it gives the name back."))
            if entry is None:
                continue
            if entry.file is not None:
                expect_body(exchange, response, entry.file.content, f"the file {entry.file.relative!r}")
            elif entry.folder.index is not None:
                expect_body(exchange, response, entry.folder.index.content, f"the file {entry.folder.index.relative!r}")
        except CheckFailed as failure:
            failure.message = (f"following the link href={href!r} of the listing of {folder.url_path} "
                               f"(GET {target}): {failure.message}")
            if entry is None and any(href.rstrip("/") == e.name for e in folder.entries):
                failure.symptom = "href-not-encoded"  # the name itself, not its URL: decoding changes it
            raise
        if entry.is_folder and entry.folder.index is None and depth > 0:
            _follow_all(ctx, entry.folder, depth - 1)


@check(
    "6.links-followed", points=2, depends=("6.listing",),
    description="every link of a listing, followed as a browser does, gives 200 and the entry (file, index.html, listing)",
    hint="Follow your own links in a browser: each must open its file or folder. The path a browser "
    "sends is percent-encoded: decode it exactly once.",
)
def links_followed(ctx):
    folders = ctx.docroot.folders
    _follow_all(ctx, folders.listed, depth=2)
    _follow_all(ctx, folders.odd_names, depth=1)


def _expect_redirect(ctx, target: str, folder_path: str, query=None):
    exchange = ctx.send(ctx.request(target))
    response = answer(exchange, expected=f"301 Moved Permanently with Location: {folder_path}")
    if response.status != 301:
        got = f"{response.status} {response.reason}".strip() if response.status else "no status line"
        raise CheckFailed(
            f"GET {target} (a folder, without the trailing slash) got {got}",
            exchange=exchange, expected=f"'HTTP/1.1 301 Moved Permanently' and 'Location: {folder_path}'",
            hint=REDIRECT_HINT, symptom="status" if response.status else "no-status",
        )
    location = response.header("Location")
    if not location:
        raise CheckFailed("the 301 has no Location header", exchange=exchange,
                          expected=f"Location: {folder_path}", hint=REDIRECT_HINT)
    url = urlsplit(urljoin(f"http://127.0.0.1:{ctx.port}{target}", location.strip()))
    same_host = url.scheme == "http" and url.netloc.lower() in {f"127.0.0.1:{ctx.port}", f"localhost:{ctx.port}"}
    if not same_host or unquote(url.path) != unquote(folder_path):
        raise CheckFailed(
            f"the 301 for {target} says Location: {location!r}, which leads to "
            + (f"{url.scheme}://{url.netloc}{url.path}" if not same_host else repr(url.path)),
            exchange=exchange, expected=f"Location: {folder_path} (the same path with '/' added)",
            hint=REDIRECT_HINT,
        )
    expect_well_formed(exchange, response, "lf-only", "no-blank-line", "no-length", "bad-length", "length-mismatch")
    if response.media_type != "text/html" or b"<" not in response.body:
        raise CheckFailed(
            "the 301 has no HTML body" if b"<" not in response.body
            else f"the 301's page is sent as {response.header('Content-Type')!r}",
            exchange=exchange, expected="Content-Type: text/html and a short HTML page (a link to the new address)",
            hint="Old clients show the body of a redirect: a line such as <a href=\"/dir/\">moved here</a>.",
        )
    if query is not None and parse_qs(url.query, keep_blank_values=True) != parse_qs(query, keep_blank_values=True):
        raise CheckFailed(
            f"the 301 for {target} says Location: {location!r}: the query string "
            + ("is lost" if not url.query else f"became {url.query!r}"),
            exchange=exchange, expected=f"Location: {folder_path}?{query}",
            hint="Keep the query string: Location is the path plus '/', then '?' and the query (as it came, "
            "or rebuilt with urllib.parse.urlencode(GET_data, doseq=True)).",
        )


@check(
    "6.redirect-slash", points=2,
    description="GET /DIR (a folder, no trailing slash): 301 Moved Permanently, Location: /DIR/, a short HTML body",
    hint=REDIRECT_HINT,
)
def redirect_slash(ctx):
    folders = ctx.docroot.folders
    nested = next(e.folder for e in folders.listed.entries if e.is_folder and not e.folder.index)
    deeper = next(e.folder for e in nested.entries if e.is_folder)
    for folder in (folders.listed, folders.with_index, deeper):
        _expect_redirect(ctx, folder.bare_path, folder.url_path)


@check(
    "6.redirect-query", points=1, depends=("6.redirect-slash",),
    description="the 301 keeps the query string: /DIR?q=1 goes to /DIR/?q=1",
    hint="Add '?' and the query string to the Location, when there is one.",
)
def redirect_query(ctx):
    folder = ctx.docroot.folders.listed
    query = f"sort=name&q=a+b%26c&t={ctx.docroot.token(5)}"
    _expect_redirect(ctx, f"{folder.bare_path}?{query}", folder.url_path, query=query)


@check(
    "6.hidden-not-listed", points=2, depends=("6.listing",),
    description="listings leave out hidden entries (names starting with '.'), at any depth",
    hint=HIDDEN_HINT,
)
def hidden_not_listed(ctx):
    folders = ctx.docroot.folders
    nested = next(e.folder for e in folders.listed.entries if e.is_folder and not e.folder.index)
    sub = Folder(ctx.docroot.sub_folder, hidden=[".git"])
    for folder in (folders.listed, nested, sub):
        page = get_listing(ctx, folder)
        for name in folder.hidden:
            if page.links_to_name(name) or name in page.text:
                raise CheckFailed(
                    f"the listing of {folder.url_path} shows the hidden entry {name!r}",
                    exchange=page.exchange, expected="no trace of names that start with '.'", hint=HIDDEN_HINT,
                )


@check(
    "6.hidden-not-served", points=2, depends=("6.listing",),
    description="hidden files and folders are not served at any depth (/.env, /SUB/.git/config): 404 (or 403)",
    hint=HIDDEN_HINT,
)
def hidden_not_served(ctx):
    folders = ctx.docroot.folders
    targets = [(f.url_path, f.content) for f in folders.hidden_files]
    targets += [("/%2Eenv", None), ("/" + quote(ctx.docroot.sub_folder) + "/%2egit/config", None)]
    targets += [("/" + quote(path) + "/", None) for path in folders.hidden_folders]
    secrets = [f.content.strip() for f in folders.hidden_files]
    for target, content in targets:
        exchange = ctx.send(ctx.request(target))
        leaked = next((s for s in secrets if s in exchange.received), None)
        if leaked is not None:
            raise CheckFailed(
                f"GET {target} returned the content of a hidden file",
                exchange=exchange, expected="404 Not Found (or 403 Forbidden), and nothing of the file", hint=HIDDEN_HINT,
            )
        response = answer(exchange, expected="404 Not Found (or 403 Forbidden)")
        try:
            expect_status(exchange, response, *HIDDEN_REFUSALS, hint=HIDDEN_HINT)
        except CheckFailed as failure:
            failure.message = f"GET {target} (hidden): {failure.message}"
            raise


@check(
    "6.listing-stays-inside", points=2, depends=("6.listing",),
    description="no listing shows anything outside the root (/SUB/../../, /%2e%2e/, a folder beside the root)",
    hint="Resolve the folder's path (os.path.realpath) and check it is inside the document root before "
    "listing it, exactly as for a file: stage 2's check must come before the folder's branch, not only "
    "before open().",
)
def listing_stays_inside(ctx):
    sub = quote(ctx.docroot.sub_folder)
    listed = ctx.docroot.folders.listed.url_path
    # (The grader's run folder, above the root, may be unreadable to the server: then
    # listing it fails whatever the code; the folder beside the root is readable.)
    with ctx.docroot.secret() as (name, _content, _path):
        targets = [f"/{sub}/../../", "/../", "/%2e%2e/", f"{listed}%2e%2e/%2e%2e/", f"/{sub}/../..", "/..%2f"]
        for target in targets:
            exchange = ctx.send(ctx.request(target))
            if name.encode() in exchange.received:
                raise CheckFailed(
                    f"GET {target} listed the folder OUTSIDE the document root: the page names {name!r}, "
                    "a file that lies beside the root",
                    exchange=exchange, expected="400, 403 or 404 (or a listing of the root itself), never the parent folder",
                )
    with ctx.docroot.sibling_secret() as (sibling, name, _content):
        for target in (f"/../{sibling}/", f"/%2e%2e/{sibling}/", f"/{sub}/../../{sibling}/"):
            exchange = ctx.send(ctx.request(target))
            if name.encode() in exchange.received:
                raise CheckFailed(
                    f"GET {target} listed the folder {sibling!r} beside the root",
                    exchange=exchange, expected="400, 403 or 404",
                    hint="Resolve the folder's path and check that it is inside the root before you list it, "
                    "comparing whole path components: os.path.commonpath([root, path]) == root (a check like "
                    "path.startswith(root) lets 'root-other' through).",
                )
