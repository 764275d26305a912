"""The check registry: every dependency names a real check, and runs before the checks that need it."""
import pytest

from autograder.checks import registry
from autograder.checks.registry import Check, NEEDS_NOTHING, all_checks


def make(name, depends=()):
    return Check(name=name, stage=int(name.split(".")[0]), points=1, description=name, hint="",
                 depends=tuple(depends), advisory=False, needs=NEEDS_NOTHING, run=lambda ctx: None)


def names(checks):
    return [c.name for c in checks]


def test_a_check_moves_after_the_check_it_depends_on_and_the_rest_keep_their_order():
    checks = [make("1.a", ["1.c"]), make("1.b"), make("1.c"), make("1.d", ["1.a"])]
    assert names(registry._after_their_dependencies(checks)) == ["1.b", "1.c", "1.a", "1.d"]


def test_a_misspelt_dependency_is_an_error_not_a_free_pass():
    with pytest.raises(ValueError, match="1.respond"):
        registry._after_their_dependencies([make("1.responds"), make("1.x", ["1.respond"])])


def test_a_cycle_is_an_error():
    with pytest.raises(ValueError, match="cycle"):
        registry._after_their_dependencies([make("1.a", ["1.b"]), make("1.b", ["1.a"])])


def test_the_kits_checks_all_run_after_their_dependencies():
    seen = set()
    for check in all_checks():
        assert set(check.depends) <= seen, check.name
        seen.add(check.name)


def test_built_on_socket_is_graded_only_for_a_server_that_answers():
    """A file that never serves earns no point, not even for importing only socket."""
    assert "1.responds" in registry.get_check("1.built-on-socket").depends


def test_depends_adds_to_the_default_instead_of_replacing_it():
    # 4.concurrent-32 names only 4.stalled-client; it still needs a server that answers.
    concurrent = registry.get_check("4.concurrent-32")
    assert concurrent.depends == ("1.responds", "4.stalled-client")
    assert registry.get_check("1.starts-listening").depends == ()
    assert registry.get_check("1.responds").depends == ("1.starts-listening",)
    assert "1.responds" in registry.get_check("2.serves-after-404").depends
