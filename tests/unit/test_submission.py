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
    with pytest.raises(NoEntryPoint, match="rename your entry point to server.py"):
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
