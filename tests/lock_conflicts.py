"""A database refusal as PostgreSQL gives it when two writers wait for each other."""

from typing import Any

from django.db import OperationalError


class _Deadlock(Exception):
    sqlstate = "40P01"


def deadlock(*args: Any, **kwargs: Any) -> Any:
    """Stand in for a service: fail as a deadlock does."""
    try:
        raise _Deadlock("deadlock detected")
    except _Deadlock as cause:
        raise OperationalError("deadlock detected") from cause
