"""How the stage-6 checks read a listing: what a browser would make of its links.

No server here: pages written by hand are read against a folder of a real
document root, so each way of writing a correct listing (absolute or
relative hrefs, &amp; in the attribute, <base>, a parent link, folders first,
caseless order) is accepted, and each broken one is not.
"""

from __future__ import annotations

from html import escape
from types import SimpleNamespace
from urllib.parse import quote

import pytest

from autograder import docroot
from autograder.checks.stage6 import Listing, _accepted_orders

PORT = 8080


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    root = tmp_path_factory.mktemp("s6") / "root"
    root.mkdir()
    return docroot.build(root, seed=4)


def read(folder, page: str) -> Listing:
    ctx = SimpleNamespace(port=PORT)
    response = SimpleNamespace(text=lambda: page)
    return Listing(ctx, folder, exchange=None, response=response)


def page_of(folder, href) -> str:
    lines = []
    for entry in folder.entries:
        slash = "/" if entry.is_folder else ""
        lines.append(f'<li><a href="{href(entry.name + slash)}">{escape(entry.name + slash)}</a></li>')
    return "<html><body><ul>\n" + "\n".join(lines) + "\n</ul></body></html>"


def every_entry_linked(listing) -> bool:
    return all(listing.links_to(entry) for entry in listing.folder.entries)


@pytest.mark.parametrize("style", ["relative", "absolute-path", "absolute-url", "localhost", "escaped-attribute",
                                   "dot-slash"])
def test_correct_hrefs_lead_to_every_entry(docs, style):
    folder = docs.folders.odd_names
    prefix = {"relative": "", "absolute-path": folder.url_path, "absolute-url": f"http://127.0.0.1:{PORT}{folder.url_path}",
              "localhost": f"http://localhost:{PORT}{folder.url_path}", "escaped-attribute": "", "dot-slash": "./"}[style]
    safe = "/&" if style == "escaped-attribute" else "/"
    listing = read(folder, page_of(folder, lambda name: escape(prefix + quote(name, safe=safe))))
    assert every_entry_linked(listing)
    assert not [h for h, _ in listing.links if any(c in h for c in ' "<>')]


def test_a_base_element_moves_the_relative_links(docs):
    odd = docs.folders.odd_names
    # The folder's page, as if it had been fetched from another URL: only <base> puts the links right.
    elsewhere = SimpleNamespace(relative=odd.relative, url_path="/elsewhere/", entries=odd.entries)
    page = page_of(odd, quote)
    assert not every_entry_linked(read(elsewhere, page))
    page = page.replace("<body>", f'<head><base href="{odd.url_path}"></head><body>')
    assert every_entry_linked(read(elsewhere, page))


@pytest.mark.parametrize("href, why", [
    (lambda name: name, "raw: a space, and # starts a fragment"),
    (lambda name: escape(name), "html.escape is no URL encoding"),
    (lambda name: "/" + quote(name), "from the root, not the folder"),
    (lambda name: quote(quote(name)), "encoded twice"),
])
def test_broken_hrefs_miss_an_entry(docs, href, why):
    listing = read(docs.folders.odd_names, page_of(docs.folders.odd_names, href))
    assert not every_entry_linked(listing), why


def test_navigation_links_and_duplicates_change_nothing(docs):
    folder = docs.folders.listed
    page = page_of(folder, quote).replace("<ul>", '<ul><li><a href="../">Parent</a></li><li><a href="/">home</a></li>')
    listing = read(folder, page)
    assert every_entry_linked(listing)
    assert listing.resolve("../")[1] == "/" and listing.resolve("?C=N;O=D")[1] == f"/{folder.relative}/"


def test_the_accepted_orders(docs):
    entries = docs.folders.listed.entries
    names = [e.name for e in entries]
    folders = [e.name for e in entries if e.is_folder]
    accepted = _accepted_orders(entries)
    assert sorted(names) in accepted and sorted(names, key=str.lower) in accepted
    first = sorted(folders) + sorted(n for n in names if n not in folders)
    assert first in accepted
    assert sorted(names) != sorted(names, key=str.lower), "one capital name: the two orders differ"
    assert list(reversed(sorted(names))) not in accepted


def test_links_to_another_server_lead_nowhere(docs):
    listing = read(docs.folders.listed, '<a href="http://127.0.0.1:9/x">x</a><a href="mailto:a@b">m</a>')
    assert listing.resolve("http://127.0.0.1:9/x") is None and listing.resolve("mailto:a@b") is None


def test_the_odd_names_are_on_disk(docs):
    names = {e.name for e in docs.folders.odd_names.entries}
    assert docs.folders.markup_name in names  # Linux allows '<' in a name
    assert any("#" in n for n in names) and any("%" in n for n in names) and any(" " in n for n in names)
    assert all((docs.root / f.relative).read_bytes() == f.content for f in docs.folders.hidden_files)
    assert (docs.root / ".env").is_file() and (docs.root / docs.sub_folder / ".git" / "config").is_file()
