# Source of notebooks/06-directories.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 06 · Stage 6: folders
#
# A URL path may name a folder. The stage-6 server answers with the folder's
# `index.html` when it has one, and otherwise with a **listing**: a page with a
# link to every entry. Three rules come with it:
#
# * a folder's URL ends in `/`, and `GET /folder` gets a `301` that says so;
# * a name is percent-encoded in a link (`%20`) and HTML-escaped on the page
#   (`&lt;`): two encodings for two places;
# * names that start with `.` are hidden: never listed, never served.
#
# We serve a copy of `www/` with one more folder, full of awkward names.

# %%
import shutil
import urllib.parse
from html import escape

import labhelpers as lab

from autograder.grading import grade
from autograder.report_terminal import render
from autograder.stages import WWW

root = lab.scratch_folder() / "root"
shutil.copytree(WWW, root)
odd = root / "odd"
(odd / "sub folder").mkdir(parents=True)
for name in ("my notes.txt", "<b>.txt", "R&D.txt", "#1.txt", "report%20final.txt", "café.txt", ".env"):
    (odd / name).write_text(f"this is {name}\n", encoding="utf-8")
(odd / "sub folder" / "inside.txt").write_text("inside\n", encoding="utf-8")

server = lab.Server(6, root=root)
print(server)
print(sorted(path.name for path in odd.iterdir()))

# %% [markdown]
# ## A listing on the wire
#
# `odd/` has no `index.html`, so the server makes a page. Look at the lines of
# the list: the `href` of each link is the name percent-encoded, the text is
# the name HTML-escaped, the folder has a `/` after both, and `.env` is not
# there at all.

# %%
response = lab.exchange(server.port, lab.get_request("/odd/"))
lab.show(response)

# %% [markdown]
# The two encodings side by side, for each name:

# %%
for path in sorted(odd.iterdir()):
    if not path.name.startswith("."):
        slash = "/" if path.is_dir() else ""
        print(f"{path.name!r:24} href={urllib.parse.quote(path.name) + slash!r:32} text={escape(path.name) + slash!r}")

# %% [markdown]
# * `quote` makes a URL: a space is `%20`, and `#` and `%` are encoded too - a
#   raw `#` would start a fragment, and `report%20final.txt` must not become
#   `report final.txt` when the server decodes the path.
# * `escape` makes HTML text: `<b>.txt` shows as `<b>.txt` instead of turning
#   the page bold.
#
# ## Why the slash matters
#
# The links are relative: `href="my%20notes.txt"`. A browser resolves a
# relative link against the URL of the page it is on, replacing everything
# after the last `/`. That is the whole reason for the trailing slash:

# %%
for page in ("http://127.0.0.1/odd/", "http://127.0.0.1/odd"):
    print(f"on {page:24} the link my%20notes.txt leads to {urllib.parse.urljoin(page, 'my%20notes.txt')}")

# %% [markdown]
# On `/odd` the link would lead to the root. So the server never lists a folder
# at a URL without the slash: it answers `301 Moved Permanently`, and the
# browser asks again at the `Location`. The query string comes along.

# %%
lab.show(lab.exchange(server.port, lab.get_request("/odd?sort=name")))

# %% [markdown]
# ## Hidden names
#
# `.env` files hold passwords, `.git/` a project's whole history: attackers ask
# every server on the internet for `/.env`. Not listed is not enough; they are
# not served either, at any depth.

# %%
for target in ("/odd/.env", "/%2Eenv", "/odd/.%65nv"):
    print(f"{target:14}", lab.status_line(lab.exchange(server.port, lab.get_request(target))))

# %% [markdown]
# The listing in the reference solution - the block students write:

# %%
lab.excerpt(6, "for name in sorted(os.listdir(folder)):")

# %% [markdown]
# ## The grader
#
# At stage 6 the grader runs the checks of stages 1 to 6. It makes folders
# with random names for the run (with and without `index.html`, names like the
# ones above, hidden files at several depths), reads each listing as a browser
# does - html.parser for the links, then `urljoin` against the listing's URL -
# and follows every link.

# %%
print(render(grade(lab.solution(6), 6, seed=2024)))

# %% [markdown]
# The planted bug: `html.escape` in the href instead of `quote`, "to be safe",
# as on the echo page. Every plain name still works, so a quick test in the
# browser passes; a space stays a space and `#1.txt` becomes a fragment.

# %%
escaped_href = lab.broken_copy(
    6,
    "items += f'<li><a href=\"{urllib.parse.quote(name)}{slash}\">{html.escape(name)}{slash}</a></li>\\n'",
    "items += f'<li><a href=\"{html.escape(name)}{slash}\">{html.escape(name)}{slash}</a></li>\\n'",
    name="stage6_escaped_href.py",
)
print(render(grade(escaped_href, 6, seed=2024)))

# %% [markdown]
# ## Summary
#
# * A folder's URL ends in `/`; without it, `301` and `Location` with the slash
#   (and the query string).
# * In a link, a name is a URL: `quote`. On the page, it is HTML: `escape`.
# * Hidden names are neither listed nor served; listings stay inside the root.

# %%
server.stop()
print("servers still running:", lab.stop_all())
