"""A course's shape: which stages, in what order, for how many points (a TOML file).

An instructor keeps a small file beside their course, for example the
classic Kurose & Ross lab (file server, 404, then threads; no echo page):

    [course]
    name = "Web server lab"
    hand_in = "webserver.py"        # the file name students hand in

    [[stage]]
    kit = 1                         # the kit's stage this course stage is
    name = "Web server"
    points = 40                     # spread over its checks, in proportion to the kit's points

    [[stage]]
    kit = 2
    name = "404 Not Found"
    leave_out = ["2.bad-request-400"]

    [[stage]]
    kit = 4
    name = "Multithreaded web server"
    [stage.check_points]            # or points per check
    "4.stalled-client" = 10

Grading "at" a course stage runs the checks of that stage and of the course
stages listed before it (a course stage the course does not list is never graded:
the Kurose course's threaded stage has no /echo check). The order of the
[[stage]] tables is the order of release. `Course.default()` is the kit's
own ladder, used when no file is given. Loading checks that every check a
course grades has the checks it depends on in the course too.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.checks.registry import Check, all_checks
from autograder.stages import STAGES, get_stage

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

EXAMPLES = Path(__file__).resolve().parent / "courses"


class CourseError(ValueError):
    """The course file cannot be used (the message says where and why)."""


@dataclass(frozen=True)
class CourseStage:
    kit: int  # the kit's stage number
    name: str
    points: float | None = None  # the stage's total, spread over its checks
    check_points: dict = field(default_factory=dict)  # check name -> points
    leave_out: tuple[str, ...] = ()


@dataclass(frozen=True)
class Course:
    name: str
    stages: tuple[CourseStage, ...]
    hand_in: str | None = None  # the file name students hand in (an extra entry-point name)
    source: Path | None = None

    # -- loading --------------------------------------------------------------

    @classmethod
    def default(cls) -> Course:
        return cls("the kit's ladder", tuple(CourseStage(s.number, s.adds) for s in STAGES))

    @classmethod
    def load(cls, path: Path | str | None) -> Course:
        if path is None:
            return cls.default()
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as problem:
            raise CourseError(f"cannot read the course file {path}: {problem.strerror or problem}") from None
        except tomllib.TOMLDecodeError as problem:
            raise CourseError(f"{path} is not valid TOML: {problem}") from None
        course = cls._from_data(data, path)
        course.validate()
        return course

    @classmethod
    def _from_data(cls, data: dict, path: Path) -> Course:
        about = data.get("course", {})
        tables = data.get("stage", [])
        if not isinstance(tables, list) or not tables:
            raise CourseError(f"{path}: no [[stage]] tables: a course has at least one stage")
        stages = []
        for number, table in enumerate(tables, start=1):
            where = f"{path}, stage table {number}"
            if "kit" not in table:
                raise CourseError(f"{where}: `kit = N` (the kit's stage number) is missing")
            try:
                kit = get_stage(table["kit"]).number
            except ValueError as problem:
                raise CourseError(f"{where}: {problem}") from None
            unknown = set(table) - {"kit", "name", "points", "check_points", "leave_out"}
            if unknown:
                raise CourseError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
            stages.append(CourseStage(
                kit=kit, name=str(table.get("name", get_stage(kit).adds)),
                points=_number(table.get("points"), where), check_points=dict(table.get("check_points", {})),
                leave_out=tuple(table.get("leave_out", ())),
            ))
        return cls(str(about.get("name", path.stem)), tuple(stages), about.get("hand_in"), path)

    def validate(self) -> None:
        known = {c.name: c for c in all_checks()}
        kits = [s.kit for s in self.stages]
        if len(set(kits)) != len(kits):
            raise CourseError(f"{self.where}: a kit stage is listed twice")
        for stage in self.stages:
            for name in (*stage.check_points, *stage.leave_out):
                if name not in known or known[name].stage != stage.kit:
                    raise CourseError(f"{self.where}: {name!r} is not a check of kit stage {stage.kit}")
            for name, points in stage.check_points.items():
                _number(points, f"{self.where}, {name}")
        for stage in self.stages:
            graded = {c.name for c in self.checks_for(stage.kit, validate=False)}
            for check in self.checks_for(stage.kit, validate=False):
                missing = [d for d in check.depends if d not in graded]
                if missing:
                    raise CourseError(
                        f"{self.where}: {check.name} needs {', '.join(missing)}, which the course leaves out "
                        f"at stage {stage.kit}")

    @property
    def where(self) -> str:
        return str(self.source) if self.source else self.name

    # -- what grading at a stage runs ---------------------------------------------

    def stage(self, kit: int) -> CourseStage:
        for stage in self.stages:
            if stage.kit == kit:
                return stage
        listed = ", ".join(str(s.kit) for s in self.stages)
        raise CourseError(f"the course {self.name!r} has no stage {kit} (its stages: {listed})")

    def checks_for(self, kit: int, validate: bool = True) -> list[Check]:
        """The checks graded at course stage `kit`: its own and those of the course stages before it."""
        wanted = self.stage(kit) if validate else next(s for s in self.stages if s.kit == kit)
        if _standalone(kit):
            upto = [wanted]  # a program of its own (the client): graded on its own
        else:
            upto = [s for s in self.stages[: self.stages.index(wanted) + 1] if not _standalone(s.kit)]
        chosen = {s.kit: s for s in upto}
        checks = []
        for check in all_checks():
            stage = chosen.get(check.stage)
            if stage is None or check.name in stage.leave_out:
                continue
            checks.append(check)
        return [self._with_points(check, chosen[check.stage], checks) for check in checks]

    def _with_points(self, check: Check, stage: CourseStage, checks: list[Check]) -> Check:
        if check.advisory:
            return check
        if check.name in stage.check_points:
            return dataclasses.replace(check, points=float(stage.check_points[check.name]))
        if stage.points is None:
            return check
        scored = [c for c in checks if c.stage == check.stage and not c.advisory and c.name not in stage.check_points]
        fixed = sum(float(p) for p in stage.check_points.values())
        return dataclasses.replace(check, points=_share(check, scored, stage.points - fixed))


def _standalone(kit: int) -> bool:
    return bool(getattr(get_stage(kit), "standalone", False))


def _share(check: Check, scored: list[Check], total: float) -> float:
    """`total` spread over `scored` in proportion to the kit's points, to 0.01; the last takes the rounding."""
    weight = sum(c.points for c in scored) or 1
    shares = [round(total * c.points / weight, 2) for c in scored]
    shares[-1] = round(total - sum(shares[:-1]), 2)
    return shares[[c.name for c in scored].index(check.name)]


def _number(value, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise CourseError(f"{where}: points must be a number >= 0, not {value!r}")
    return float(value)
