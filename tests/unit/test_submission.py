"""Finding the entry point of a file, folder or zip (contract §3)."""

import zipfile

import pytest

from autograder.submission import NoEntryPoint, NoSuchSubmission, resolve


def make_zip(path, members):
    with zipfile.ZipFile(path, "w") as bundle:
        for name, text in members.items():
            bundle.writestr(name, text)
    return path


def test_a_single_file_of_any_name(tmp_path):
    student = tmp_path / "alice_webserver"
    student.write_text("print('hi')\n")
    entry = resolve(student, tmp_path / "work")
    assert entry.path == student


def test_missing_path_cannot_be_graded(tmp_path):
    with pytest.raises(NoSuchSubmission):
        resolve(tmp_path / "nope.py", tmp_path)


@pytest.mark.parametrize("name", ["server.py", "webserve.py", "webserve"])
def test_folder_prefers_the_named_entry_points(tmp_path, name):
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "helpers.py").write_text("")
    (folder / name).write_text("")
    assert resolve(folder, tmp_path / "work").path == folder / name


def test_folder_with_only_one_python_file(tmp_path):
    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "my_server.py").write_text("")
    (folder / "notes.txt").write_text("")
    assert resolve(folder, tmp_path / "work").path.name == "my_server.py"


def test_folder_with_several_python_files_and_no_entry_point(tmp_path):
    folder = tmp_path / "dave"
    folder.mkdir()
    (folder / "a.py").write_text("")
    (folder / "b.py").write_text("")
    with pytest.raises(NoEntryPoint, match="rename the file that starts your server to server.py"):
        resolve(folder, tmp_path / "work")


def test_zip_with_nested_folder_and_macos_junk(tmp_path):
    archive = make_zip(tmp_path / "erin.zip", {
        "erin-lab/server.py": "print('real')\n",
        "__MACOSX/erin-lab/._server.py": "junk",
        "erin-lab/.DS_Store": "junk",
    })
    entry = resolve(archive, tmp_path / "work")
    assert entry.path.read_text() == "print('real')\n"
    assert "__MACOSX" not in entry.path.parts


def test_zip_members_cannot_escape(tmp_path):
    archive = make_zip(tmp_path / "evil.zip", {"../../escaped.py": "x", "ok/server.py": "y"})
    entry = resolve(archive, tmp_path / "work")
    assert entry.path.name == "server.py"
    assert not (tmp_path / "escaped.py").exists()


def test_zip_without_python(tmp_path):
    archive = make_zip(tmp_path / "frank.zip", {"readme.txt": "I forgot"})
    with pytest.raises(NoEntryPoint, match="no Python file"):
        resolve(archive, tmp_path / "work")


def test_main_py_is_an_entry_name(tmp_path):
    folder = tmp_path / "gina"
    folder.mkdir()
    (folder / "http_utils.py").write_text("def parse(x):\n    return x\n")
    (folder / "main.py").write_text("import http_utils\nhttp_utils.parse(1)\n")
    assert resolve(folder, tmp_path / "work").path.name == "main.py"


def test_the_kits_file_name_for_the_stage(tmp_path):
    folder = tmp_path / "hal"
    folder.mkdir()
    (folder / "helpers.py").write_text("print('helper')\n")
    (folder / "stage2_not_found.py").write_text("print('serve')\n")
    assert resolve(folder, tmp_path / "work", stage=2).path.name == "stage2_not_found.py"


def test_test_files_never_count(tmp_path):
    folder = tmp_path / "ivy"
    folder.mkdir()
    (folder / "webserver.py").write_text("print('serve')\n")
    (folder / "test_webserver.py").write_text("import webserver\nprint('test')\n")
    (folder / "webserver_test.py").write_text("print('test')\n")
    assert resolve(folder, tmp_path / "work").path.name == "webserver.py"


def test_the_only_file_that_runs_something(tmp_path):
    folder = tmp_path / "jon"
    folder.mkdir()
    (folder / "util.py").write_text("import os\nROOT = '.'\ndef helper():\n    return 1\n")
    (folder / "web.py").write_text("import util\nif __name__ == '__main__':\n    util.helper()\n")
    assert resolve(folder, tmp_path / "work").path.name == "web.py"

