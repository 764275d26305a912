# Source of notebooks/03-query-echo.ipynb. Edit this file, then run
# `python notebooks/build.py`; see notebooks/README.md.

# %% [markdown]
# # 03 · Stage 3: the query string and the `/echo` page
#
# Until now every response was a file. The `/echo` page is made by the program:
# it lists the pairs of the *query string*, the part of the URL after `?`.
#
#     /echo?name=Ada&course=networks
#     \___/ \______________________/
#     path       query string: name=Ada, course=networks
#
# This is how a form sent with GET reaches the server, and it brings two new
# things to get right: decoding the pairs, and escaping them when they go into
# a page.

# %%
import urllib.parse

import labhelpers as lab

from autograder.grading import grade
from autograder.report_terminal import render

server = lab.Server(3)
print(server)

# %% [markdown]
# ## The echo page
#
# For each pair the page shows `key=K; value=V; ` - a format simple enough for
# a program (the grader) to check.

# %%
response = lab.exchange(server.port, lab.get_request("/echo?name=test&name=test2"))
head, body = lab.split_response(response)
lab.show(head)
print()
print(body.decode("utf-8"))

# %% [markdown]
# ## Decoding the pairs
#
# A query string is percent-encoded like a path, with one addition from HTML
# forms: `+` stands for a space. So a real `+` has to be sent as `%2B`, and
# `=` inside a value as `%3D`. Bytes above 127 are UTF-8: `ü` is `%C3%BC`.
#
# `urllib.parse.parse_qs` does all of it and returns `{key: [values]}` - a list,
# because a key may come more than once.

# %%
query = "q=grade+%3D+A%2B&city=Z%C3%BCrich&q=again"
urllib.parse.parse_qs(query)

# %% [markdown]
# Note the order: `parse_qs` groups the values of a key together, in the order
# the keys first appear. Both that order and the plain query order are accepted
# by the grader.

# %%
response = lab.exchange(server.port, lab.get_request("/echo?" + query))
print(lab.echoed_pairs(response))

# %% [markdown]
# ## Escaping: a value is text, not HTML
#
# The values come from whoever wrote the URL. If the server pastes them into the
# page as they are, a value such as `<script>...</script>` becomes part of the
# page and runs in the visitor's browser - with the site's name on it. This is
# cross-site scripting, one of the most common security holes on the web.
#
# `html.escape` turns the characters that mean something in HTML into entities
# (`<` becomes `&lt;`), so the browser shows them instead of obeying them.

# %%
value = "<script>alert('hi')</script>"
target = "/echo?x=" + urllib.parse.quote(value)
print("we send:", target)
response = lab.exchange(server.port, lab.get_request(target))
print("we get: ", lab.echoed_pairs(response))

# %% [markdown]
# ## The grader
#
# Stages 1 to 3, on the reference solution:

# %%
print(render(grade(lab.solution(3), 3, seed=2024)))

# %% [markdown]
# A copy that forgets `html.escape`. Every check but one passes: the page looks
# right for every ordinary value.

# %%
no_escape = lab.broken_copy(
    3,
    'text += f"key={html.escape(key)}; value={html.escape(value)}; "',
    'text += f"key={key}; value={value}; "',
    name="stage3_no_escape.py",
)
print(render(grade(no_escape, 3, seed=2024)))

# %% [markdown]
# What that server sends for the same request as above - the script is now part
# of the page:

# %%
with lab.Server(no_escape) as broken_server:
    response = lab.exchange(broken_server.port, lab.get_request(target))
print(lab.echoed_pairs(response))

# %% [markdown]
# ## Summary
#
# * Split the target at the first `?`; decode the query with `parse_qs` (`+` is
#   a space, `%XX` are UTF-8 bytes).
# * Escape everything that came from the request before it goes into a page.
#
# Next: `04-threaded`, serving more than one client at a time.

# %%
server.stop()
print("servers still running:", lab.stop_all())
