"""The class report: one self-contained HTML page for the instructor.

    python -m autograder report GRADEBOOK.csv [--out CLASS.html]

(batch writes it too, as GRADEBOOK.html beside the CSV.) The page shows the
score distribution as a histogram, a grid of students x checks coloured by
pass and fail, and the checks the class failed most, each with the hint the
grader gives students - what to go over in the next lecture.

Self-contained on purpose: the CSS and the SVG are inline and there is no
script, no font, no CDN, so the page opens offline, from an e-mail or from a
course server, years later, and it looks the same. Everything that comes from
a submission (names, messages, server output) is HTML-escaped.
"""

from __future__ import annotations

import functools
import html
import statistics
import sys
import time
from pathlib import Path

from autograder.gradebook import (
    not_run,
    RESULTS_JSON,
    Row,
    check_columns,
    load_row,
    results_folder,
    unspreadsheet,
)

EXIT_DONE, EXIT_NO_GRADEBOOK = 0, 2
BINS = 10  # histogram bars of 10 % each; the last includes full marks
MOST_FAILED = 10
TITLE_CHARS = 400  # of a check's output, in a cell's tooltip

STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #57606a; margin: 0 0 16px; }
.stats span { display: inline-block; margin-right: 22px; } .stats b { font-size: 18px; }
svg text { font: 11px system-ui, sans-serif; fill: #1f2328; }
svg .bar { fill: #4f7cc4; } svg .axis { stroke: #8c959f; }
table { border-collapse: collapse; }
table.grid th, table.grid td { border: 1px solid #d0d7de; }
table.grid td.cell { width: 18px; min-width: 18px; height: 20px; text-align: center; font-size: 12px; padding: 0; }
table.grid th.check { vertical-align: bottom; padding: 4px 2px; font-weight: normal; font-size: 11px; }
table.grid th.check span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.grid th.student { text-align: left; padding: 2px 8px; font-weight: 600; white-space: nowrap;
  position: sticky; left: 0; background: #fff; }
table.grid td.score { padding: 2px 8px; text-align: right; white-space: nowrap; }
table.grid td.note { padding: 2px 8px; color: #57606a; font-size: 12px; max-width: 420px; }
td.pass { background: #2da44e; color: #fff; } td.fail { background: #cf222e; color: #fff; }
td.skip { background: #f4b6b9; color: #82071e; } td.warn { background: #f2cc60; color: #4d2d00; }
td.none { background: #eaeef2; color: #8c959f; }
.legend span { display: inline-block; padding: 1px 8px; margin-right: 8px; border-radius: 3px; }
.scroll { overflow-x: auto; }
table.failed th, table.failed td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid #d0d7de; }
table.failed td.count { white-space: nowrap; } code { font-size: 12px; }
"""

MARKS = {"pass": "\u2713", "fail": "\u2717", "skip": "\u2013", "warn": "!", "none": ""}


def run(args) -> int:
    gradebook = Path(args.gradebook)
    results = results_folder(gradebook)
    if not results.is_dir():
        print(f"labgrade: no results folder {results} beside {gradebook}; run batch first", file=sys.stderr)
        return EXIT_NO_GRADEBOOK
    students = _students(gradebook, results)
    rows = [load_row(results, name) for name in students]
    columns = check_columns(rows)
    out = Path(args.out) if args.out else gradebook.with_suffix(".html")
    write_report(out, rows, columns, title=gradebook.stem)
    print(f"Class report: {out}", file=sys.stderr)
    return EXIT_DONE


def _students(gradebook: Path, results: Path) -> list[str]:
    """The gradebook's students, in its order; every graded folder when there is no CSV."""
    if gradebook.is_file():
        import csv

        with open(gradebook, newline="", encoding="utf-8") as source:
            return [unspreadsheet(row["student"]) for row in csv.DictReader(source) if row.get("student")]
    return sorted((p.parent.name for p in results.glob(f"*/{RESULTS_JSON}")), key=str.lower)


def write_report(path: Path, rows: list[Row], columns: list[str], stage: int | None = None, title: str = "") -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(render(rows, columns, stage=stage, title=title), encoding="utf-8")
    temporary.replace(path)


def render(rows: list[Row], columns: list[str], stage: int | None = None, title: str = "") -> str:
    stage = stage or max((int(name.split(".", 1)[0]) for name in columns if name[:1].isdigit()), default=0)
    heading = f"Class report: {title}" if title else "Class report"
    graded = [row for row in rows if row.graded]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(heading)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(heading)}</h1>",
        (f'<p class="meta">Stage {stage}: {len(rows)} student(s), {len(graded)} graded. '
        f"Written {time.strftime('%Y-%m-%d %H:%M')} by python -m autograder.</p>"),
        _stats(graded),
        "<h2>Score distribution</h2>",
        histogram_svg(graded),
        "<h2>Students and checks</h2>",
        _legend(),
        _grid(rows, columns),
        "<h2>Checks the class failed most</h2>",
        _most_failed(rows, columns),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------- parts


def _stats(graded: list[Row]) -> str:
    if not graded:
        return '<p class="stats">No student graded yet.</p>'
    scores = [row.score for row in graded]
    full = sum(1 for row in graded if row.max_score and row.score >= row.max_score)
    best = max(row.max_score for row in graded)
    items = [
        ("mean", f"{statistics.mean(scores):.1f} / {_n(best)}"),
        ("median", f"{_n(statistics.median(scores))} / {_n(best)}"),
        ("full marks", f"{full} of {len(graded)}"),
    ]
    return '<p class="stats">' + "".join(f"<span>{label}: <b>{_e(value)}</b></span>" for label, value in items) + "</p>"


def histogram_svg(graded: list[Row], width: int = 640, height: int = 240) -> str:
    """Students per 10 % band of the score, as an inline SVG bar chart."""
    counts = [0] * BINS
    for row in graded:
        share = row.score / row.max_score if row.max_score else 0.0
        counts[min(BINS - 1, max(0, int(share * BINS)))] += 1
    left, bottom, top = 36, 36, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    tallest = max(counts) or 1
    bar_w = plot_w / BINS
    shapes = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="histogram" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>Students per score band</title>'),
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>',
    ]
    for index, count in enumerate(counts):
        x = left + index * bar_w
        bar_h = plot_h * count / tallest
        y = top + plot_h - bar_h
        band = f"{index * 10}\u2013{index * 10 + 9}%" if index < BINS - 1 else "90\u2013100%"
        if count:
            shapes.append(f'<rect class="bar" x="{x + 3:.1f}" y="{y:.1f}" width="{bar_w - 6:.1f}" height="{bar_h:.1f}">'
                          f"<title>{count} student(s) scored {band}</title></rect>")
            shapes.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        shapes.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{band}</text>')
    shapes.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">students per band of the score (share of the points)</text>')
    shapes.append("</svg>")
    return "\n".join(shapes)


def _legend() -> str:
    entries = [("pass", "passed"), ("fail", "failed"), ("skip", "not run (a check it needs failed)"),
               ("warn", "advisory warning"), ("none", "no result")]
    return '<p class="legend">' + "".join(
        f'<span class="{kind}" style="{_legend_colour(kind)}">{MARKS[kind] or "&nbsp;"} {text}</span>'
        for kind, text in entries
    ) + "</p>"


def _legend_colour(kind: str) -> str:
    return {"pass": "background:#2da44e;color:#fff", "fail": "background:#cf222e;color:#fff",
            "skip": "background:#f4b6b9;color:#82071e", "warn": "background:#f2cc60;color:#4d2d00",
            "none": "background:#eaeef2;color:#57606a"}[kind]


def _grid(rows: list[Row], columns: list[str]) -> str:
    head = ['<th class="student">student</th>', "<th>score</th>"]
    head += [f'<th class="check" title="{_e(_description(name))}"><span>{_e(name)}</span></th>' for name in columns]
    head.append("<th>note</th>")
    lines = ['<div class="scroll"><table class="grid"><thead><tr>' + "".join(head) + "</tr></thead><tbody>"]
    for row in rows:
        tests = {test["name"]: test for test in row.tests}
        cells = [f'<th class="student" scope="row">{_e(row.student)}</th>',
                 f'<td class="score">{_n(row.score)}/{_n(row.max_score)}</td>' if row.graded else '<td class="score">\u2013</td>']
        for name in columns:
            kind = cell_kind(tests.get(name))
            tip = str(tests.get(name, {}).get("output", ""))[:TITLE_CHARS]
            cells.append(f'<td class="cell {kind}" title="{_e(name + ": " + tip)}">{MARKS[kind]}</td>')
        cells.append(f'<td class="note">{_e("; ".join(row.notes))}</td>')
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table></div>")
    return "\n".join(lines)


def cell_kind(test: dict | None) -> str:
    """pass, fail, skip (not run), warn (advisory) or none, for one results.json test."""
    if test is None:
        return "none"
    if test.get("status") == "passed":
        return "pass"
    if not_run(test):
        return "skip"  # not run, advisory or not: no warning for what was never tried
    return "warn" if not test.get("max_score") else "fail"


def _most_failed(rows: list[Row], columns: list[str]) -> str:
    graded = [row for row in rows if row.graded]
    failures = []
    for name in columns:
        tests = [t for row in graded for t in row.tests if t["name"] == name]
        # Only checks that ran and failed: a check not run because another
        # failed points at that other check, which is counted itself.
        failed = [t for t in tests if cell_kind(t) == "fail"]
        if failed:
            failures.append((len(failed), name, len(tests)))
    if not failures:
        return "<p>Every graded student passed every scored check.</p>"
    failures.sort(key=lambda item: (-item[0], columns.index(item[1])))
    lines = [('<table class="failed"><thead><tr><th>check</th><th>failed by</th><th>what it checks</th>'
             "<th>the hint students get</th></tr></thead><tbody>")]
    for count, name, total in failures[:MOST_FAILED]:
        check = _registry().get(name)
        lines.append(
            f"<tr><td><code>{_e(name)}</code></td><td class=\"count\">{count} of {total} ({100 * count / total:.0f}%)</td>"
            f"<td>{_e(check.description if check else '')}</td><td>{_e(check.hint if check else '')}</td></tr>"
        )
    lines.append("</tbody></table>")
    return "\n".join(lines)


# ---------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=1)
def _registry() -> dict:
    from autograder.checks import all_checks

    return {check.name: check for check in all_checks()}


def _description(name: str) -> str:
    check = _registry().get(name)
    return check.description if check else ""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
