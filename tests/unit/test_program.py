"""Facts the diagnosis reads from a student's source (autograder/program.py), from plain text."""

import textwrap

from autograder.program import Program


def program(tmp_path, text, name="server.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Program.load(path)


def test_a_line_is_quoted_without_its_comment(tmp_path):
    p = program(tmp_path, "x = 1\nf = open(name)    # my file, '#' and all\ns = 'a # b'  # c\n")
    assert p.where(2) == "line 2, `f = open(name)`"
    assert p.where(3) == "line 3, `s = 'a # b'`"


def test_python_2_is_named_by_its_print(tmp_path):
    p = program(tmp_path, "import sys\nprint 'Ready to serve...'\n")
    assert p.python2 == "print without parentheses on line 2"
    assert program(tmp_path, "print('fine')\n", "ok.py").python2 is None


def test_one_send_per_byte_and_not_a_chunked_loop(tmp_path):
    classic = program(tmp_path, """
        for i in range(0, len(outputdata)):
            connectionSocket.send(outputdata[i].encode())
    """)
    assert classic.byte_per_send == 3
    chunked = program(tmp_path, """
        for i in range(0, len(data), 1024):
            conn.sendall(data[i:i + 1024])
    """, "chunked.py")
    assert chunked.byte_per_send is None


def test_recv_once_or_in_a_loop(tmp_path):
    once = program(tmp_path, """
        while True:
            conn, addr = s.accept()
            message = conn.recv(1024)
    """)
    assert not once.recv_in_loop and once.recv_lines == [4]
    looped = program(tmp_path, """
        while True:
            conn, addr = s.accept()
            data = b""
            while b"\\r\\n\\r\\n" not in data:
                data += conn.recv(1024)
    """, "loop.py")
    assert looped.recv_in_loop and looped.read_sentinel is None


def test_a_thread_target_called_and_a_shared_global_connection(tmp_path):
    called = program(tmp_path, "import threading\nt = threading.Thread(target=handle(conn, addr))\n")
    assert called.thread_target_called == 2
    shared = program(tmp_path, """
        import threading
        def handle():
            data = connectionSocket.recv(1024)
        while True:
            connectionSocket, addr = serverSocket.accept()
            threading.Thread(target=handle).start()
    """, "shared.py")
    assert shared.shared_connection == ("connectionSocket", 6)
    passed = program(tmp_path, """
        import threading
        def handle(connectionSocket):
            data = connectionSocket.recv(1024)
        while True:
            connectionSocket, addr = serverSocket.accept()
            threading.Thread(target=handle, args=(connectionSocket,)).start()
    """, "passed.py")
    assert passed.shared_connection is None


def test_text_mode_is_read_from_the_open_call(tmp_path):
    p = program(tmp_path, "f = open(name)\ng = open(name, 'rb')\nh = open(name, mode)\n")
    assert (p.open_mode_at(1), p.open_mode_at(2), p.open_mode_at(3)) == ("r", "rb", None)


def test_programs_run_without_a_time_limit_and_stopping_the_whole_group(tmp_path):
    p = program(tmp_path, """
        import os, subprocess
        from subprocess import check_output
        def run():
            pass
        run()
        subprocess.run(["python3", "x.py"], capture_output=True)
        subprocess.run(["python3", "x.py"], timeout=5)
        proc = subprocess.Popen(["python3", "x.py"])
        out, err = proc.communicate(b"")
        out, err = proc.communicate(b"", timeout=5)
        check_output("python3 x.py", shell=True)
        os.system("python3 x.py")
        proc.kill()
    """)
    assert p.waits_without_timeout == [7, 10, 12, 13]
    assert not p.stops_whole_group
    assert program(tmp_path, "import os\nos.killpg(1, 9)\n", "group.py").stops_whole_group
