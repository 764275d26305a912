"""The checks, one module per stage; see registry.py for how a check is written."""

from autograder.checks.registry import Check, CheckFailed, all_checks, check, checks_up_to, get_check

__all__ = ["Check", "CheckFailed", "all_checks", "check", "checks_up_to", "get_check"]
