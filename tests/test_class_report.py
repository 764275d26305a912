"""The class report (autograder/class_report.py): content, escaping, and how Chromium renders it.

The gradebook here is written by hand in Gradescope's results.json format,
as batch leaves it, so each test knows exactly what the page must show.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from autograder import batch, class_report, screenshot
from autograder.checks import checks_up_to, get_check
from autograder.cli import main as cli_main

CHECKS = checks_up_to(2)
SCORED = [c for c in CHECKS if not c.advisory]
HOSTILE = '<img src=x onerror="alert(1)">&amp;'  # a student who names their file like this
NO_BROWSER = "Chromium is not installed (apt-get install chromium); the rendering test needs it"


def results_json(passed: set[str], not_run: set[str] = frozenset(), message: str = "") -> dict:
    tests = []
    for check in CHECKS:
        ok = check.name in passed
        what = "not run: it needs 1.responds" if check.name in not_run else message or "it did not work"
        tests.append({
            "name": check.name, "score": check.points if ok else 0, "max_score": check.points,
            "status": "passed" if ok else "failed",
            "output": check.description if ok else f"{check.description}\nWhat happened: {what}",
        })
    return {"score": sum(t["score"] for t in tests), "execution_time": 1.0, "output": "Stage 2", "tests": tests}


ALL = {c.name for c in CHECKS}
# alice passes everything; bob fails the two 404 checks; chloe (hostile name) fails
# 2.missing-file-404 only; dan's server never started.
CLASS = {
    "alice": results_json(ALL),
    "bob": results_json(ALL - {"2.missing-file-404", "2.serves-after-404"}, message="<script>alert('bob')</script>"),
    HOSTILE: results_json(ALL - {"2.missing-file-404"}),
    "dan": results_json({"1.built-on-socket"}, not_run=ALL - {"1.built-on-socket", "1.starts-listening"}),
}


@pytest.fixture
def gradebook(tmp_path) -> Path:
    """A gradebook CSV and its results folder, as batch writes them."""
    path = tmp_path / "week3.csv"
    results = batch.results_folder(path)
    for student, data in CLASS.items():
        (results / student).mkdir(parents=True)
        (results / student / "results.json").write_text(json.dumps(data), encoding="utf-8")
    rows = [batch.load_row(results, student) for student in CLASS]
    batch.write_gradebook(path, rows, batch.check_columns(rows, 2))
    return path


def write_report(gradebook: Path) -> str:
    assert cli_main(["report", str(gradebook)]) == 0
    return gradebook.with_suffix(".html").read_text(encoding="utf-8")


def test_report_command_writes_the_page_beside_the_csv(gradebook):
    page = write_report(gradebook)
    assert page.startswith("<!DOCTYPE html>")
    assert "Class report: week3" in page and "Stage 2: 4 student(s), 4 graded" in page


def test_report_command_without_results_exits_2(tmp_path, capsys):
    assert cli_main(["report", str(tmp_path / "none.csv")]) == 2
    assert "run batch first" in capsys.readouterr().err


def test_page_is_self_contained_and_escapes_student_text(gradebook):
    page = write_report(gradebook)
    assert "<script" not in page.replace("&lt;script", "")  # bob's message is shown as text
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;amp;" in page
    assert not re.search(r"(src|href)\s*=", page.replace("src=x", "")), "no external resource of any kind"
    assert "<link" not in page and "@import" not in page and "url(" not in page


def test_histogram_has_a_bar_per_occupied_band(gradebook):
    page = write_report(gradebook)
    svg = page[page.index("<svg"): page.index("</svg>")]
    total = sum(c.points for c in CHECKS)
    shares = sorted(data["score"] / total for data in CLASS.values())
    bands = {min(9, int(share * 10)) for share in shares}
    assert svg.count("<rect") == len(bands)
    for band in bands:
        label = f"{band * 10}\u2013{band * 10 + 9}%" if band < 9 else "90\u2013100%"
        count = sum(1 for share in shares if min(9, int(share * 10)) == band)
        assert f"<title>{count} student(s) scored {label}</title>" in svg


class GridReader(HTMLParser):
    """The grid's column heads and, per row, the student and the cell classes."""

    def __init__(self):
        super().__init__()
        self.heads, self.rows, self.elements = [], [], []
        self._in_grid = self._in_head_span = self._in_student = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append(tag)
        classes = (attrs.get("class") or "").split()
        if tag == "table" and "grid" in classes:
            self._in_grid = True
        if not self._in_grid:
            return
        if tag == "span":
            self._in_head_span = True
        if tag == "tr" and self.heads:
            self.rows.append({"student": "", "cells": []})
        if tag == "th" and "student" in classes and attrs.get("scope") == "row":
            self._in_student = True
        if tag == "td" and "cell" in classes:
            self.rows[-1]["cells"].append(next(c for c in classes if c != "cell"))

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_grid = False
        self._in_head_span = self._in_head_span and tag != "span"
        self._in_student = self._in_student and tag != "th"

    def handle_data(self, data):
        if self._in_head_span:
            self.heads.append(data)
        if self._in_student:
            self.rows[-1]["student"] += data


def read_grid(page: str) -> GridReader:
    reader = GridReader()
    reader.feed(page)
    return reader


def expected_grid() -> list[dict]:
    grid = []
    for student, data in CLASS.items():
        cells = [class_report.cell_kind(test) for test in data["tests"]]
        grid.append({"student": student, "cells": cells})
    return grid


def test_grid_has_a_row_per_student_and_a_coloured_cell_per_check(gradebook):
    grid = read_grid(write_report(gradebook))
    assert grid.heads == [c.name for c in CHECKS]
    assert grid.rows == expected_grid()
    bob = next(row for row in grid.rows if row["student"] == "bob")
    names = [c.name for c in CHECKS]
    assert bob["cells"][names.index("2.missing-file-404")] == "fail"
    assert bob["cells"][names.index("1.status-line-200")] == "pass"
    dan = next(row for row in grid.rows if row["student"] == "dan")
    assert dan["cells"][names.index("1.starts-listening")] == "fail"
    assert dan["cells"][names.index("2.no-traversal")] == "skip"


def test_most_failed_lists_checks_by_failures_with_their_hints(gradebook):
    page = write_report(gradebook)
    section = page[page.index("Checks the class failed most"):]
    rows = re.findall(r"<tr><td><code>([^<]+)</code></td><td class=\"count\">(\d+) of (\d+)", section)
    assert rows[0] == ("2.missing-file-404", "2", "4")  # bob and chloe
    listed = [name for name, _, _ in rows]
    assert "1.starts-listening" in listed  # dan
    assert "2.no-traversal" not in listed  # dan's was not run: 1.starts-listening is to blame
    hint = get_check("2.missing-file-404").hint
    assert class_report._e(hint) in section


# ---------------------------------------------------------------- in a real browser


@pytest.fixture
def browser():
    if screenshot.find_browser() is None:
        pytest.skip(NO_BROWSER)


def test_chromium_parses_the_grid_as_written(gradebook, browser):
    """The browser's DOM (after its own HTML parsing) has the same grid, and no injected element."""
    write_report(gradebook)
    url = gradebook.with_suffix(".html").resolve().as_uri()
    dom = screenshot.run_headless(url, ["--dump-dom"]).stdout.decode("utf-8")
    grid = read_grid(dom)
    assert grid.heads == [c.name for c in CHECKS]
    assert grid.rows == expected_grid()
    assert "img" not in grid.elements and "script" not in grid.elements
    assert "svg" in grid.elements and grid.elements.count("rect") >= 1


def test_chromium_paints_pass_and_fail_colours(gradebook, browser, tmp_path):
    """A screenshot of the page has green and red cells, in proportion to passes and failures."""
    image_module = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot's pixels")
    write_report(gradebook)
    picture = tmp_path / "report.png"
    url = gradebook.with_suffix(".html").resolve().as_uri()
    screenshot.run_headless(url, [f"--screenshot={picture}", "--window-size=1400,1400"])
    with image_module.open(picture) as image:
        data = image.convert("RGB").tobytes()
    pixels = [tuple(data[i:i + 3]) for i in range(0, len(data), 3)]
    green = sum(1 for p in pixels if near(p, (0x2D, 0xA4, 0x4E)))
    red = sum(1 for p in pixels if near(p, (0xCF, 0x22, 0x2E)))
    bars = sum(1 for p in pixels if near(p, (0x4F, 0x7C, 0xC4)))
    passes = sum(row["cells"].count("pass") for row in expected_grid())
    fails = sum(row["cells"].count("fail") for row in expected_grid())
    assert bars > 1000, "the histogram's bars are drawn"
    # a cell is about 18 x 20 pixels; the legend adds one swatch of each colour
    assert green > passes * 150 and red > fails * 150, (green, red)
    assert green > 3 * red, "far more passes than failures in this class, and so in the picture"


def near(pixel, colour, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def test_gradebook_csv_round_trips_through_the_report(gradebook):
    with open(gradebook, newline="", encoding="utf-8") as source:
        names = [row["student"] for row in csv.DictReader(source)]
    assert names == list(CLASS)
    assert class_report._students(gradebook, batch.results_folder(gradebook)) == list(CLASS)
