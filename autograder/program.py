"""What the student's source says, read without running it (syntax tree and lines).

The grader names a failure's cause from what it observed on the wire and
inside the run; these facts from the source let it say *where* in the
student's code ("line 23, `f = open(filename)`") and tell apart causes that
look alike from the outside (one recv() or a slow reader, a thread that died
or no threads at all). A fact here never fails a check by itself.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

PYTHON2_PRINT = re.compile(r"^\s*print\s+(?![\s(=]|$)[\"'\w]")  # print "x" / print x, not print(x)
PYTHON2_OTHER = (
    (re.compile(r"^\s*except\s+[\w.]+\s*,\s*\w+\s*:"), "`except Error, e:`"),
    (re.compile(r"\braw_input\s*\("), "raw_input()"),
    (re.compile(r"^\s*print\s*>>"), "`print >>`"),
)
COMMENTED_MAIN_GUARD = re.compile(r"^\s*#+\s*if\s+__name__\s*==\s*['\"]__main__['\"]")
SUBPROCESS_WAITS = ("run", "call", "check_call", "check_output", "communicate", "getoutput", "getstatusoutput")
ENTRY_FUNCTION_NAMES = ("main", "serve", "run", "start", "run_server", "start_server", "webserver")


@dataclass
class Program:
    path: Path
    text: str
    lines: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Program:
        try:
            text = Path(path).read_bytes().decode("utf-8", "replace")
        except OSError:
            text = ""
        return cls(Path(path), text, text.splitlines())

    # -- where -------------------------------------------------------------

    def code_at(self, line: int | None) -> str:
        """The code on `line`, without its comment."""
        if not line or not 0 < line <= len(self.lines):
            return ""
        return _without_comment(self.lines[line - 1]).strip()

    def where(self, line: int | None) -> str:
        """"line 23, `f = open(filename)`", or "" when the line is unknown."""
        code = self.code_at(line)
        if not code:
            return f"line {line}" if line else ""
        return f"line {line}, `{code[:70]}`"

    # -- before it runs ------------------------------------------------------

    @cached_property
    def syntax_error(self) -> SyntaxError | None:
        try:
            compile(self.text, str(self.path), "exec")
        except SyntaxError as error:
            return error
        except ValueError:  # a NUL byte
            return SyntaxError("the file holds a NUL byte")
        return None

    @cached_property
    def tree(self) -> ast.Module | None:
        if self.syntax_error:
            return None
        try:
            return ast.parse(self.text)
        except (SyntaxError, ValueError, RecursionError):
            return None

    @cached_property
    def python2(self) -> str | None:
        """What shows that this is Python 2 ("print without parentheses on line 13"), if anything."""
        if self.syntax_error is None:
            return None
        for number, line in enumerate(self.lines, start=1):
            if PYTHON2_PRINT.match(line):
                return f"print without parentheses on line {number}"
            for pattern, what in PYTHON2_OTHER:
                if pattern.search(line):
                    return f"{what} on line {number}"
        return None

    @cached_property
    def imported(self) -> list[tuple[str, int]]:
        """Top-level names of the modules it imports, with the line."""
        found = []
        for node in ast.walk(self.tree) if self.tree else ():
            if isinstance(node, ast.Import):
                found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append((node.module.split(".")[0], node.lineno))
        return found

    def third_party(self) -> list[tuple[str, int]]:
        """Imported modules that are neither the standard library nor the submission's own files."""
        own = {p.stem for p in self.path.parent.glob("*.py")} | {p.name for p in self.path.parent.iterdir() if p.is_dir()}
        return [(name, line) for name, line in self.imported
                if name not in sys.stdlib_module_names and name not in own and name != "__future__"]

    @cached_property
    def input_lines(self) -> list[int]:
        return [node.lineno for node in self._calls() if _called_name(node) in ("input", "raw_input")]

    @cached_property
    def commented_main_guard(self) -> int | None:
        for number, line in enumerate(self.lines, start=1):
            if COMMENTED_MAIN_GUARD.match(line):
                return number
        return None

    @cached_property
    def uncalled_entry_function(self) -> str | None:
        """A `main()`-like function defined and never called (so the file only defines things)."""
        if not self.tree:
            return None
        defined = [n.name for n in self.tree.body if isinstance(n, ast.FunctionDef)]
        called = {_called_name(node) for node in self._calls()}
        for name in defined:
            if name.lower() in ENTRY_FUNCTION_NAMES and name not in called:
                return name
        return None

    # -- how it serves ------------------------------------------------------

    @cached_property
    def byte_per_send(self) -> int | None:
        """The line of a send() inside a loop that sends one byte (or character) per call."""
        for loop in self._nodes(ast.For):
            names = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)}
            step = _range_step(loop.iter)
            if step not in (None, 1):
                continue
            for call in ast.walk(loop):
                if isinstance(call, ast.Call) and _method(call) in ("send", "sendall") and call.args:
                    if _one_item_of(call.args[0], names):
                        return call.lineno
        return None

    @cached_property
    def recv_lines(self) -> list[int]:
        return [node.lineno for node in self._calls() if _method(node) in ("recv", "recv_into")]

    @cached_property
    def recv_in_loop(self) -> bool:
        """recv() inside a loop of its own (not just the accept loop): the request is read in pieces."""
        for loop in self._nodes(ast.While, ast.For):
            inner = list(ast.walk(loop))
            reads = any(isinstance(n, ast.Call) and _method(n) in ("recv", "recv_into", "readline") for n in inner)
            if reads and not any(isinstance(n, ast.Call) and _method(n) == "accept" for n in inner):
                return True
        return False

    @cached_property
    def read_sentinel(self) -> tuple[str, int] | None:
        """How its recv() loop decides the request is complete, when that is wrong.

        ("lf-lf", line): it waits for "\\n\\n", which a CRLF request never holds;
        ("until-close", line): it has no end marker at all and waits for b"".
        """
        for loop in self._nodes(ast.While):
            calls = [n for n in ast.walk(loop) if isinstance(n, ast.Call)]
            if not any(_method(n) == "recv" for n in calls) or any(_method(n) == "accept" for n in calls):
                continue
            markers = [n.value for n in ast.walk(loop) if isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes))]
            texts = [m.decode("latin-1") if isinstance(m, bytes) else m for m in markers]
            if any("\r\n\r\n" in t for t in texts):
                return None
            if any("\n\n" in t for t in texts):
                return "lf-lf", loop.lineno
            if not any("\n" in t for t in texts):
                return "until-close", loop.lineno
        return None

    @cached_property
    def reads_with_makefile(self) -> bool:
        return any(_method(node) == "makefile" for node in self._calls())

    def open_mode_at(self, line: int | None) -> str | None:
        """The mode of the open() call on `line` ("r" when none is given), or None when it cannot be told."""
        calls = [n for n in self._calls() if getattr(n, "lineno", None) == line and _called_name(n) == "open"]
        if len(calls) != 1:
            return None
        call = calls[0]
        mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
        if mode is None:
            return "r"
        return mode.value if isinstance(mode, ast.Constant) and isinstance(mode.value, str) else None

    @cached_property
    def closes_listening_socket_in_loop(self) -> int | None:
        """The line of `serverSocket.close()` inside a loop, for the socket that listens."""
        listening = {n.func.value.id for n in self._calls() if _method(n) == "listen"
                     and isinstance(n.func.value, ast.Name)}
        for loop in self._nodes(ast.While, ast.For):
            for node in ast.walk(loop):
                if (isinstance(node, ast.Call) and _method(node) == "close" and isinstance(node.func.value, ast.Name)
                        and node.func.value.id in listening):
                    return node.lineno
        return None

    @cached_property
    def module_constants(self) -> dict[str, object]:
        """Names bound once at the top level to a constant: DOCROOT = "www"."""
        found = {}
        for node in self.tree.body if self.tree else ():
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node.value.value
        return found

    @cached_property
    def all_text(self) -> str:
        """The entry point and the modules beside it: what a fact about "the program" is read from."""
        texts = [self.text]
        for module in sorted(self.path.parent.glob("*.py")):
            if module != self.path:
                try:
                    texts.append(module.read_text("utf-8", "replace"))
                except OSError:
                    pass
        return "\n".join(texts)

    @cached_property
    def folder_prefix(self) -> tuple[str, int] | None:
        """A folder the code puts in front of the request's path: os.path.join('www', ...) or 'www' + path."""
        constants = self.module_constants
        for node in ast.walk(self.tree) if self.tree else ():
            if isinstance(node, ast.Call) and _called_name(node) == "join" and len(node.args) >= 2:
                first = node.args[0]
                value = constants.get(first.id) if isinstance(first, ast.Name) else (
                    first.value if isinstance(first, ast.Constant) else None)
                if isinstance(value, str) and value.strip("./\\"):
                    return value, node.lineno
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant):
                text = node.left.value
                if isinstance(text, str) and text.strip("./\\") and not any(c in text for c in " <:=\r\n") \
                        and isinstance(node.right, (ast.Name, ast.Subscript, ast.Call, ast.Attribute)):
                    return text, node.lineno
        return None

    @cached_property
    def thread_target_called(self) -> int | None:
        """`Thread(target=handle(conn))`: the handler runs right away, in the accept loop."""
        for node in self._calls():
            if _called_name(node) == "Thread":
                for keyword in node.keywords:
                    if keyword.arg == "target" and isinstance(keyword.value, ast.Call):
                        return node.lineno
        return None

    @cached_property
    def shared_connection(self) -> tuple[str, int] | None:
        """A connection socket kept in a global that the accept loop overwrites, used by thread code."""
        if not self.tree:
            return None
        shared: dict[str, int] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _method(node.value) == "accept":
                for target in node.targets:
                    if isinstance(target, ast.Tuple) and target.elts and isinstance(target.elts[0], ast.Name):
                        shared.setdefault(target.elts[0].id, node.lineno)
                    elif isinstance(target, ast.Name):
                        shared.setdefault(target.id, node.lineno)
        top_level = {n.id for stmt in self.tree.body if not isinstance(stmt, (ast.FunctionDef, ast.ClassDef))
                     for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        globals_declared = {name for n in ast.walk(self.tree) if isinstance(n, ast.Global) for name in n.names}
        if not any(_called_name(n) in ("Thread", "start_new_thread", "submit") for n in self._calls()):
            return None  # one thread: a global connection is only a matter of style
        for function in self._nodes(ast.FunctionDef):
            params = {a.arg for a in function.args.args + function.args.kwonlyargs}
            for name, line in shared.items():
                if name in params or (name not in top_level and name not in globals_declared):
                    continue
                if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(function)):
                    return name, line
        return None

    # -- helpers ---------------------------------------------------------------

    # -- running scripts (stage 7) -------------------------------------------

    @cached_property
    def waits_without_timeout(self) -> list[int]:
        """Lines that run a program and wait for it with no time limit: subprocess.run(),
        call(), check_output() or .communicate() without timeout=, os.system(), os.popen()."""
        found = []
        from_subprocess = {alias.asname or alias.name for node in self._nodes(ast.ImportFrom)
                           if node.module == "subprocess" for alias in node.names}
        for call in self._calls():
            name = _called_name(call)
            keywords = {keyword.arg for keyword in call.keywords}
            receiver = _receiver(call)
            if name in SUBPROCESS_WAITS and "timeout" not in keywords and (
                    name == "communicate" or receiver == "subprocess" or (receiver is None and name in from_subprocess)):
                found.append(call.lineno)
            elif name in ("system", "popen") and _receiver(call) == "os":
                found.append(call.lineno)
        return sorted(found)

    @cached_property
    def stops_whole_group(self) -> bool:
        """Whether a script's children can be stopped with it: a process group of its own
        (start_new_session, process_group, setsid) and a signal to the group (killpg, taskkill)."""
        text = self.all_text
        return bool(re.search(r"\b(killpg|taskkill)\b", text))

    def _nodes(self, *kinds):
        return [n for n in ast.walk(self.tree) if isinstance(n, kinds)] if self.tree else []

    def _calls(self):
        return self._nodes(ast.Call)


def _called_name(call: ast.Call) -> str | None:
    return _called_name_of(call.func)


def _called_name_of(node) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _receiver(call: ast.Call) -> str | None:
    """"subprocess" for subprocess.run(...), None for a bare run(...), "" for anything else."""
    if isinstance(call.func, ast.Name):
        return None
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        return call.func.value.id
    return ""


def _method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _range_step(iterable) -> int | None:
    """The step of `range(...)` (1 when not given), else None."""
    if isinstance(iterable, ast.Call) and _called_name(iterable) == "range":
        if len(iterable.args) == 3:
            step = iterable.args[2]
            return step.value if isinstance(step, ast.Constant) and isinstance(step.value, int) else -1
        return 1
    return None


def _one_item_of(argument, loop_names: set[str]) -> bool:
    """Whether `argument` is one element picked by the loop variable: data[i], data[i].encode(), bytes([b]), b."""
    node = argument
    if isinstance(node, ast.Call) and _method(node) == "encode":
        node = node.func.value
    if isinstance(node, ast.Call) and _called_name(node) == "bytes" and node.args:
        node = node.args[0]
        if isinstance(node, ast.List) and len(node.elts) == 1:
            node = node.elts[0]
    if isinstance(node, ast.Name):
        return node.id in loop_names
    if isinstance(node, ast.Subscript):
        index = node.slice
        if isinstance(index, ast.Name):
            return index.id in loop_names
        if isinstance(index, ast.Slice) and isinstance(index.lower, ast.Name) and index.lower.id in loop_names:
            upper = index.upper
            return (isinstance(upper, ast.BinOp) and isinstance(upper.right, ast.Constant) and upper.right.value == 1)
    return False



def _without_comment(line: str) -> str:
    """`f = open(name)  # my file` -> `f = open(name)`; a '#' inside a string stays."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                return line[: token.start[1]].rstrip() or line
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return line
