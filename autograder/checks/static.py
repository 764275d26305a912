"""Checks that read the submission's source code (its syntax tree), never run it."""

from __future__ import annotations

import ast
from pathlib import Path

from autograder.checks.registry import NEEDS_NOTHING, CheckFailed, check

# Modules that would do the lab's work for the student.
SERVER_MODULES = (
    "http.server", "socketserver", "wsgiref", "xmlrpc.server",
    "flask", "django", "bottle", "tornado", "aiohttp", "fastapi", "starlette",
    "cherrypy", "twisted", "uvicorn", "werkzeug", "sanic", "falcon", "pyramid",
    "waitress", "gunicorn", "quart", "hypercorn", "socketify", "litestar", "webob",
)
MUTATING_METHODS = {
    "append", "extend", "insert", "add", "update", "pop", "popitem", "clear",
    "remove", "discard", "setdefault", "appendleft", "popleft",
}


def python_files(entry_path: Path) -> list[Path]:
    """The entry point first, then any other .py files beside it (a folder submission)."""
    others = sorted(p for p in entry_path.parent.rglob("*.py") if p != entry_path and "__pycache__" not in p.parts)
    return [entry_path] + others


def parse(path: Path) -> ast.Module:
    source = path.read_bytes().decode("utf-8", errors="replace")
    try:
        return ast.parse(source, filename=path.name)
    except SyntaxError as error:
        raise CheckFailed(
            f"{path.name} has a syntax error on line {error.lineno}: {error.msg}",
            expected="a file Python can read",
            hint="Run `python3 -m py_compile yourfile.py` to see the error, and fix that line "
            "(or the one just before it).",
        ) from None


def imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, dotted module name) for every import, including __import__('x')."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            found.append((node.lineno, node.args[0].value))
    return found


def _is_dynamic_import(call: ast.Call) -> bool:
    function = call.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
    return (
        name in ("__import__", "import_module")
        and bool(call.args)
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )


def _is_server_module(name: str) -> bool:
    return any(name == banned or name.startswith(banned + ".") for banned in SERVER_MODULES)


@check(
    "1.built-on-socket", needs=NEEDS_NOTHING, depends=("1.responds",),
    description="built on the socket module, not on http.server, socketserver or a web framework",
    hint="This lab is about sockets: create the server with socket.socket(), bind, listen and accept yourself.",
)
def built_on_socket(ctx):
    for path in python_files(ctx.entry_path):
        for line, name in imported_modules(parse(path)):
            if _is_server_module(name):
                raise CheckFailed(
                    f"{path.name}, line {line}: imports {name}, which does the server's work for you",
                    expected="only the socket module (and helpers such as os, sys, mimetypes, urllib.parse, threading)",
                )


# -- stage 4 advisories ------------------------------------------------------


def _threading_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound to the threading module, names imported from it)."""
    modules, members = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname or alias.name for alias in node.names if alias.name == "threading"}
        elif isinstance(node, ast.ImportFrom) and node.module == "threading":
            members |= {alias.asname or alias.name for alias in node.names}
    return modules, members


def _accept_loops(tree: ast.Module) -> list[ast.AST]:
    loops = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.While, ast.For)) and any(
            isinstance(inner, ast.Call) and getattr(inner.func, "attr", "") == "accept"
            for inner in ast.walk(node)
        ):
            loops.append(node)
    return loops


def _lines_inside(nodes: list[ast.AST]) -> set[int]:
    return {line for node in nodes for line in range(node.lineno, (node.end_lineno or node.lineno) + 1)}


@check(
    "4.thread-per-connection-only", advisory=True, needs=NEEDS_NOTHING,
    description="only the accept loop touches threading (advisory)",
    hint="Start one thread per accepted connection inside the accept loop; the handler itself "
    "needs no locks or shared threads when connections share nothing.",
)
def thread_per_connection_only(ctx):
    tree = parse(ctx.entry_path)
    modules, members = _threading_names(tree)
    allowed = _lines_inside(_accept_loops(tree))
    outside = []
    for node in ast.walk(tree):
        uses_module = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
        uses_member = isinstance(node, ast.Name) and node.id in members
        if (uses_module or uses_member) and node.lineno not in allowed:
            outside.append(node.lineno)
    if outside:
        lines = ", ".join(map(str, sorted(set(outside))[:8]))
        raise CheckFailed(
            f"threading is used outside the accept loop, on line(s) {lines}",
            expected="threading.Thread(target=..., args=(connection, address)).start() in the accept loop, and nowhere else",
        )


def _module_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _shared_state_uses(function: ast.AST, shared: set[str]) -> list[str]:
    declared_global = {name for node in ast.walk(function) if isinstance(node, ast.Global) for name in node.names}
    assigned_locally = {
        node.id for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    } - declared_global
    arguments = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    visible = shared - assigned_locally - arguments
    uses = [f"line {function.lineno}: {function.name} declares global {', '.join(sorted(declared_global))}"] if declared_global else []
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in visible and node.func.attr in MUTATING_METHODS:
                uses.append(f"line {node.lineno}: {owner.id}.{node.func.attr}(...) changes module-level state")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and target.value.id in visible:
                    uses.append(f"line {node.lineno}: {target.value.id}[...] is changed")
    return uses


@check(
    "4.no-shared-state", advisory=True, needs=NEEDS_NOTHING,
    description="no mutable module-level state shared between connections (advisory)",
    hint="Keep each request's data in local variables of the handler; threads then share nothing "
    "and cannot mix up each other's requests.",
)
def no_shared_state(ctx):
    tree = parse(ctx.entry_path)
    shared = _module_level_names(tree)
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            uses += _shared_state_uses(node, shared)
    if uses:
        raise CheckFailed(
            "connections share module-level state: " + "; ".join(sorted(set(uses))[:5]),
            expected="handlers that keep per-request data in local variables",
        )
