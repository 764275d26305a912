"""Runs inside the submission's interpreter: run the student's file, note what it does.

The grader starts `python watch_inside.py EVENTS FILE PORT` instead of
`python FILE PORT`. This file then gives the submission exactly what a plain
run gives it (contract §3): `sys.argv == [FILE, PORT]`, `__name__ ==
"__main__"`, `sys.path[0]` the file's folder, the same working directory and
the same output, tracebacks included (this file's own frame is cut from
them). Meanwhile it appends one line per event to EVENTS, for the grader to
name a failure's cause in terms of the student's code:

    ("open", path, mode, exists, file, line)      the student's code opened a file
    ("bind", address, file, line)                 ... bound a socket
    ("input", prompt, file, line)                 ... read from stdin with input()
    ("run", argv, shell, cwd, env_names, file, line)  ... started a program (a CGI script):
                                                  subprocess (shell: through /bin/sh -c or
                                                  cmd /c) or os.system; env_names the names
                                                  of its environment, None when inherited
    ("crash", thread, type, message, file, line)  an exception nobody caught
    ("finished",)                                 the file ran to its end

`file` and `line` are the deepest frame in the student's own files. Each
line is a Python literal (read back with ast.literal_eval). Nothing here
changes what the submission sees or scores: the grader reads these lines
only to explain failures it observed on the wire.

Standard library only, and as few imports as possible: a module imported
here would be in the student's sys.modules when a plain run has none.
"""

import os
import sys

INTERESTING = frozenset({"open", "socket.bind", "builtins.input", "subprocess.Popen", "os.system"})
SHELLS = ("/bin/sh", "/system/bin/sh", "cmd.exe")
THIS_FILE = os.path.abspath(__file__)


class Watch:
    def __init__(self, events_path, script):
        self.fd = os.open(events_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.folder = os.path.dirname(os.path.abspath(script)) + os.sep
        self.busy = False
        self.threads_hooked = False

    # -- writing ------------------------------------------------------------

    def note(self, *event):
        try:
            os.write(self.fd, (repr(event) + "\n").encode("utf-8", "backslashreplace"))
        except OSError:
            pass  # the grader has stopped listening; the submission must not notice

    def student_frame(self, frame):
        """(file, line) of the innermost frame in the student's files, from `frame` outwards."""
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(self.folder) and name != THIS_FILE:
                return os.path.relpath(name, self.folder), frame.f_lineno
            frame = frame.f_back
        return None, None

    def deepest_student_frame(self, traceback):
        where = (None, None)
        while traceback is not None:
            name = traceback.tb_frame.f_code.co_filename
            if name.startswith(self.folder) and name != THIS_FILE:
                where = (os.path.relpath(name, self.folder), traceback.tb_lineno)
            traceback = traceback.tb_next
        return where

    # -- the audit hook -----------------------------------------------------

    def audit(self, event, args):
        if self.busy:
            return
        if not self.threads_hooked and "threading" in sys.modules:
            self.hook_threads(sys.modules["threading"])
        if event not in INTERESTING:
            return
        self.busy = True
        try:
            caller = sys._getframe(1)
            if event == "open":
                self.on_open(caller, *args[:2])
            elif event == "socket.bind":
                self.note("bind", repr(args[1]), *self.student_frame(caller))
            elif event == "subprocess.Popen":
                self.on_popen(caller, *args[:4])
            elif event == "os.system":
                self.note("run", [os.fsdecode(args[0])], True, None, None, *self.student_frame(caller))
            else:
                self.note("input", str(args[0]), *self.student_frame(caller))
        except Exception:
            pass
        finally:
            self.busy = False

    def on_popen(self, caller, executable, argv, cwd, env):
        if isinstance(argv, (str, bytes)):
            argv = [argv]
        argv = [os.fsdecode(item) if isinstance(item, (str, bytes)) else repr(item) for item in argv]
        shell = len(argv) >= 2 and (argv[0].endswith(SHELLS) and argv[1] in ("-c", "/c"))
        shell = shell or (os.name == "nt" and " /c " in argv[0])
        names = sorted(os.fsdecode(name) for name in env) if env is not None else None
        cwd = os.fsdecode(cwd) if isinstance(cwd, (str, bytes)) else None
        self.note("run", argv, shell, cwd, names, *self.student_frame(caller))

    def on_open(self, caller, path, mode):
        if caller.f_code.co_filename.startswith("<frozen"):
            return  # importlib reading a module
        file, line = self.student_frame(caller)
        if file is None or isinstance(path, int):
            return
        path = os.fsdecode(path)
        self.note("open", path, str(mode), os.path.exists(path), file, line)

    # -- exceptions nobody caught -------------------------------------------

    def hook_threads(self, threading):
        if not hasattr(threading, "excepthook"):
            return  # still being imported
        self.threads_hooked = True
        original = threading.excepthook

        def thread_died(info):
            if info.exc_type is not SystemExit:
                self.crashed(getattr(info.thread, "name", "?"), info.exc_value, info.exc_traceback)
            return original(info)

        threading.excepthook = thread_died

    def crashed(self, thread, error, traceback):
        file, line = self.deepest_student_frame(traceback)
        if file is None and isinstance(error, SyntaxError) and error.filename:
            file, line = os.path.basename(error.filename), error.lineno
        self.note("crash", thread, type(error).__name__, str(error)[:300], file, line)

    def main_thread_died(self, kind, error, traceback):
        self.crashed("MainThread", error, traceback)
        while traceback is not None and traceback.tb_frame.f_code.co_filename == THIS_FILE:
            traceback = traceback.tb_next  # the traceback a plain run prints
        sys.__excepthook__(kind, error.with_traceback(traceback), traceback)


def run(events_path, script):
    watch = Watch(events_path, script)
    script = os.path.abspath(script)
    sys.argv = sys.argv[2:]
    sys.path[0] = os.path.dirname(script)
    sys.excepthook = watch.main_thread_died
    # A fresh __main__ for the student's code: this file's own names (and the
    # functions above, which keep them) stay out of the student's globals.
    main = type(sys)("__main__")
    main.__file__, main.__cached__, main.__builtins__ = script, None, sys.modules["builtins"]
    sys.modules["__main__"] = main
    sys.addaudithook(watch.audit)
    with open(script, "rb") as source:
        code = compile(source.read(), script, "exec")
    try:
        exec(code, vars(main))
    except SystemExit as stop:
        file, line = watch.deepest_student_frame(stop.__traceback__)
        watch.note("exit", repr(stop.code), file, line)
        raise
    watch.note("finished")


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
