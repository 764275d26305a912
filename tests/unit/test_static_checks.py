"""The syntax-tree checks, on small sources."""

import textwrap
from types import SimpleNamespace

import pytest

from autograder.checks import CheckFailed, get_check


def run(name, tmp_path, source):
    path = tmp_path / "server.py"
    path.write_text(textwrap.dedent(source))
    get_check(name).run(SimpleNamespace(entry_path=path))


@pytest.mark.parametrize("source", [
    "import http.server\n",
    "from http import server\n",
    "from http.server import BaseHTTPRequestHandler\n",
    "import socketserver as ss\n",
    "from wsgiref.simple_server import make_server\n",
    "import flask\n",
    "server = __import__('http.server')\n",
    "import importlib\nimportlib.import_module('socketserver')\n",
])
def test_server_frameworks_are_refused(tmp_path, source):
    with pytest.raises(CheckFailed, match="line"):
        run("1.built-on-socket", tmp_path, source)


def test_plain_socket_server_is_built_on_socket(tmp_path):
    run("1.built-on-socket", tmp_path, "import socket, sys, os, mimetypes, threading\nfrom urllib.parse import unquote\nimport http\n")


def test_syntax_error_is_reported_with_its_line(tmp_path):
    with pytest.raises(CheckFailed, match="syntax error on line 2"):
        run("1.built-on-socket", tmp_path, "import socket\ndef broken(:\n")


def test_helper_modules_of_a_folder_submission_are_read_too(tmp_path):
    (tmp_path / "helper.py").write_text("import socketserver\n")
    with pytest.raises(CheckFailed, match="helper.py"):
        run("1.built-on-socket", tmp_path, "import socket\n")


THREADED = """
import socket, threading

def handle(connection):
    data = connection.recv(1024)
    connection.close()

def serve(port):
    listener = socket.socket()
    while True:
        connection, address = listener.accept()
        threading.Thread(target=handle, args=(connection,), daemon=True).start()
"""


def test_thread_per_connection_in_the_accept_loop_is_fine(tmp_path):
    run("4.thread-per-connection-only", tmp_path, THREADED)


def test_a_global_lock_is_threading_outside_the_accept_loop(tmp_path):
    source = THREADED.replace("import socket, threading\n", "import socket, threading\nLOCK = threading.Lock()\n")
    with pytest.raises(CheckFailed, match="line"):
        run("4.thread-per-connection-only", tmp_path, source)


def test_local_state_is_not_shared(tmp_path):
    run("4.no-shared-state", tmp_path, THREADED + "\nMIME = {'.html': 'text/html'}\n")


@pytest.mark.parametrize("mutation", [
    "BUFFER.append(data)",
    "BUFFER[0] = data",
])
def test_mutating_module_level_state_is_shared_state(tmp_path, mutation):
    source = THREADED.replace("    data = connection.recv(1024)\n", f"    data = connection.recv(1024)\n    {mutation}\n")
    with pytest.raises(CheckFailed, match="module-level state|is changed"):
        run("4.no-shared-state", tmp_path, "BUFFER = []\n" + source)


def test_global_statement_is_shared_state(tmp_path):
    source = THREADED.replace("    data = connection.recv(1024)\n", "    global last\n    last = connection.recv(1024)\n")
    with pytest.raises(CheckFailed, match="declares global last"):
        run("4.no-shared-state", tmp_path, "last = b''\n" + source)


@pytest.mark.parametrize("source", [
    "import cgi\n",
    "from cgi import parse_header\n",
    "import cgitb\ncgitb.enable()\n",
    "import socket\nfs = __import__('cgi').FieldStorage\n",
])
def test_the_cgi_module_is_refused(tmp_path, source):
    with pytest.raises(CheckFailed, match="Python 3.13 no longer has"):
        run("7.no-cgi-module", tmp_path, source)


def test_a_cgi_server_without_the_cgi_module_passes(tmp_path):
    run("7.no-cgi-module", tmp_path, "import socket, subprocess, signal\nfrom urllib.parse import parse_qs\n"
        "CGI_FOLDER = 'cgi-bin'  # a name, not the module\n")
