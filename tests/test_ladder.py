"""The ladder holds together: solution N-1 is inside skeleton N (contract section 1).

The five solutions are written by hand, each a readable file of its own; what
keeps them from drifting apart is this test (the README says why a test and
not a generator). For stages 2-4 and 7:

    skeleton N, with its hints and markers left out (its placeholders kept)
        =  solution N-1, with its markers left out (its code kept)
           + new lines (the stage's given code, its blocks' TODO placeholders)

A block that changes code of the stage before shows that code as its
placeholder, so the student's own lines stand where they stood. Docstrings
may change (they describe their stage); any other line of solution N-1 that
is changed or missing in skeleton N must be listed in GIVEN_CHANGES with its
reason, and the handout of stage N tells students about it.

Stage 5 is the reorganisation: serve / handle_connection / delegate take the
place of main / handle_client / answer, and the skeleton leaves their bodies
to the student. There, every other definition of solution 4 must come through
unchanged, unless REORGANISED names it. Stage 6 reorganises delegate into a
list of case classes (test / act), the same way: every definition of
solution 5 but delegate and file_name_for comes through unchanged.

And two promises of the issue behind this ladder: stage 1's skeleton leaves
the socket work to the student, and stage 5's the three functions' bodies.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from autograder.skeletons import find_blocks, make_skeleton

PROJECT = Path(__file__).resolve().parent.parent
NAMES = {1: "stage1_file_server", 2: "stage2_not_found", 3: "stage3_query_echo", 4: "stage4_threaded",
         5: "stage5_post", 6: "stage6_directories",
         7: "stage7_cgi"}
MARKER_LINE = re.compile(r"\s*#(Fill in (start|end)|Hint:|Placeholder:)")

# stage: [(lines of solution N-1, the lines that replace them in skeleton N, why)]
GIVEN_CHANGES = {
    2: [
        (['INTERFACE = "127.0.0.1"  # this machine only: stage 1 does not keep paths inside the folder'],
         ['INTERFACE = ""  # every interface: no path leads out of the folder any more'],
         "paths stay inside the root from stage 2 on, so other machines may connect (contract section 6)"),
        (['log(f"Serving {os.getcwd()} at http://127.0.0.1:{port}/ to this machine only "',
          '"(stage 1 checks no paths) - Ctrl-C stops it.")'],
         ['log(f"Serving {os.getcwd()} on port {port}, every interface - Ctrl-C stops it.")'],
         "the start-up line says where the server listens"),
        (["answer(connection_socket)"], ["handle_client(connection_socket, client_address)"],
         "the accept loop calls handle_client, the student's try/except around answer"),
    ],
}
GIVEN_CHANGES[7] = [
    (["body = read_body(client_sock, received_headers, after_head, content_length, deadline)",
      "POST_data = parse_form(received_headers, body)",
      "status, headers, body = delegate(method, path, received_headers, GET_data, POST_data)"],
     ["request_body = read_body(client_sock, received_headers, after_head, content_length, deadline)",
      "POST_data = parse_form(received_headers, request_body)",
      "# A CGI script gets what delegate's other arguments leave out: the query and the",
      "# body as they came, and both ends of the connection.",
      "status, headers, body = delegate(method, path, received_headers, GET_data, POST_data,",
      "query_string=query_string, body=request_body,",
      "client_address=client_address, server_address=client_sock.getsockname())"],
     "a CGI script needs the raw query and body and the addresses, which delegate's stage-5 arguments lack"),
    (["def delegate(request_type, path, received_headers, GET_data, POST_data=None):"],
     ["def delegate(request_type, path, received_headers, GET_data, POST_data=None,",
      "query_string=None, body=b\"\", client_address=None, server_address=None):"],
     "the same: optional, so delegate called on its own (5.delegate-direct) works as before"),
    (["request = Request(request_type, path, received_headers, GET_data, POST_data)"],
     ["request = Request(request_type, path, received_headers, GET_data, POST_data,",
      "query_string, body, client_address, server_address)"],
     "the request carries them to the CGI case"),
    (["def __init__(self, method, path, received_headers, GET_data, POST_data=None):"],
     ["def __init__(self, method, path, received_headers, GET_data, POST_data=None,",
      "query_string=None, body=b\"\", client_address=None, server_address=None):"],
     "the same"),
    (["CASES = [EchoPage(), PostElsewhere(), FolderWithoutSlash(), FolderIndex(), FolderListing(), ServeFile(), NotFound()]"],
     ["CASES = [EchoPage(), CgiScript(), ScriptFolder(), PostElsewhere(), FolderWithoutSlash(), FolderIndex(),",
      "FolderListing(), ServeFile(), NotFound()]"],
     "two new cases: scripts run (POST too, so before PostElsewhere), nothing else in cgi-bin is shown"),
]
# Definitions of solution N-1 that stage N's reorganisation replaces or changes, and why.
REORGANISED = {5: {
    "main": "becomes serve(interface, port); the command line moves under __main__",
    "handle_client": "becomes part of handle_connection",
    "answer": "splits into handle_connection, receive_head, parse_head and delegate",
    "send_error": "becomes error_response, a value delegate can return",
    "send_page": "becomes page_response and send_response",
    "response_head": "takes delegate's list of headers",
    "echo_page": "echoes the POST pairs too",
    "HTTPError": "no method: handle_connection knows it",
    "METHODS": "POST joins",
    "INTERFACE": "serve() takes the interface",
    "close_gently": "its parameter takes the stage-5 name, client_sock",
}, 6: {
    "delegate": "asks the cases in CASES instead of a chain of ifs; its choices become case classes",
    "file_name_for": "becomes local_path_for: folders too, and hidden names refused",
}}


def solution_text(stage: int) -> str:
    return (PROJECT / "solutions" / f"{NAMES[stage]}.py").read_text(encoding="utf-8")


def docstring_lines(text: str) -> set[int]:
    """1-based numbers of the lines of every docstring (module, classes, functions)."""
    lines = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def normalised(lines) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def given_of_previous(stage: int) -> list[str]:
    """Solution `stage`, as the next skeleton must contain it: markers out, code in."""
    text = solution_text(stage)
    skip = docstring_lines(text)
    return normalised(line for number, line in enumerate(text.splitlines(), 1)
                      if number not in skip and not MARKER_LINE.match(line))


def skeleton_code(stage: int) -> list[str]:
    """Skeleton `stage` without hints and markers: given code and placeholders."""
    text = solution_text(stage)
    skip = docstring_lines(text)
    placeholders = {}
    for block in find_blocks(text):
        for number in range(block.start_line, block.end_line + 1):
            skip.add(number)
        placeholders[block.start_line] = [block.indent + code for code in block.placeholder]
    kept = []
    for number, line in enumerate(text.splitlines(), 1):
        kept += placeholders.get(number, [])
        if number not in skip:
            kept.append(line)
    return normalised(kept)


def apply_given_changes(lines: list[str], stage: int) -> list[str]:
    """lines with each change GIVEN_CHANGES lists for `stage` made (each must be there once)."""
    for old, new, _ in GIVEN_CHANGES.get(stage, []):
        old, new = normalised(old), normalised(new)
        at = [i for i in range(len(lines)) if lines[i:i + len(old)] == old]
        assert len(at) == 1, f"GIVEN_CHANGES for stage {stage}: {old} is in solution {stage - 1} {len(at)} times"
        lines = lines[:at[0]] + new + lines[at[0] + len(old):]
    return lines


@pytest.mark.parametrize("stage", [2, 3, 4, 7], ids=lambda s: f"stage{s}")
def test_skeleton_n_is_solution_n_minus_1_plus_its_blocks(stage):
    before = apply_given_changes(given_of_previous(stage - 1), stage)
    after = skeleton_code(stage)
    position = 0
    for number, line in enumerate(before):  # every line of before, in order, somewhere in after
        try:
            position = after.index(line, position) + 1
        except ValueError:
            context = "\n".join(before[max(0, number - 3):number + 1])
            pytest.fail(
                f"skeleton {stage} lacks this line of solution {stage - 1} (or has it out of order):\n"
                f"{context}\n\nFix the drift, make the change a block whose placeholder is the old "
                "code, or list it in GIVEN_CHANGES with its reason."
            )


def definitions(text: str) -> dict[str, str]:
    """{name: source} of the module's top-level functions, classes and assignments."""
    tree = ast.parse(text)
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found[node.name] = ast.get_source_segment(text, node)
        elif isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
            for target in node.targets:
                found[target.id] = ast.get_source_segment(text, node)
    return found


def without_markers(source: str) -> str:
    return "".join(line for line in source.splitlines(True) if not MARKER_LINE.match(line))


@pytest.mark.parametrize("stage", sorted(REORGANISED), ids=lambda s: f"stage{s}")
def test_a_reorganisation_keeps_every_other_definition(stage):
    before = {name: without_markers(code) for name, code in definitions(solution_text(stage - 1)).items()}
    after = definitions(make_skeleton(solution_text(stage)))
    reorganised = REORGANISED[stage]
    changed = sorted(name for name, code in before.items() if name not in reorganised and after.get(name) != code)
    assert not changed, f"stage {stage} changes or drops these definitions of stage {stage - 1}: {changed}"
    stale = sorted(name for name in reorganised if name not in before)
    assert not stale, f"REORGANISED names definitions stage {stage - 1} does not have: {stale}"


def function_body(text: str, name: str) -> list[str]:
    """The lines of a top-level function's body after its docstring, stripped, blank lines out."""
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = text.splitlines()
    end = node.end_lineno  # the last statement; comments after it (a "#Fill in end") belong too
    while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip().startswith("#"):
        end += 1
    return normalised(lines[node.body[0].end_lineno:end])


@pytest.mark.parametrize("name", ["serve", "handle_connection", "delegate"])
def test_stage5_skeleton_leaves_the_three_bodies_to_the_student(name):
    text = solution_text(5)
    body = function_body(text, name)
    assert body[0] == "#Fill in start" and body[-1] == "#Fill in end", body[:3]
    assert sum(line == "#Fill in start" for line in body) == 1, "one block: the whole body"
    skeleton = function_body(make_skeleton(text), name)
    code = [line for line in skeleton if not line.startswith("#")]
    assert len(code) == 1 and code[0].startswith("raise "), f"the skeleton's {name} gives code: {code}"


SOCKET_WORK = {
    "creating the socket": r"socket\.socket\(",
    "bind": r"\.bind\(",
    "listen": r"\.listen\(",
    "accept": r"\.accept\(",
    "recv": r"\.recv\(",
    "the status line": r"HTTP/1\.1 ",
    "sendall": r"\.sendall\(",
    "close": r"\.close\(",
}


@pytest.mark.parametrize("work", list(SOCKET_WORK))
def test_stage1_skeleton_leaves_the_socket_work_to_the_student(work):
    pattern = re.compile(SOCKET_WORK[work])
    code = lambda text: "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))  # noqa: E731
    assert pattern.search(code(solution_text(1))), f"the stage-1 solution has no {work}"
    skeleton = (PROJECT / "skeletons" / f"{NAMES[1]}.py").read_text(encoding="utf-8")
    found = [line for line in code(skeleton).splitlines() if pattern.search(line)]
    assert not found, f"the stage-1 skeleton gives {work} away: {found}"


def test_stage1_solution_is_short():
    """A first socket program: under a hundred lines with its teaching comments (markers left out)."""
    lines = [line for line in solution_text(1).splitlines() if not MARKER_LINE.match(line)]
    assert len(lines) <= 100, len(lines)
