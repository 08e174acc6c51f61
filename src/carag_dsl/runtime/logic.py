"""Three-valued (Kleene) logic and the run-time values of expressions.

A value is a Python value (bool, int, str for option codes and text,
``datetime.date``, ``datetime.timedelta`` for durations, ``frozenset`` for
multi-choice answers) or :data:`UNKNOWN`, which stands for a fact or answer
not given yet. Every operation with an unknown operand is unknown unless the
known operands already decide the result (``false and unknown`` is false).
"""

from __future__ import annotations


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:  # an unknown must never be mistaken for false
        raise TypeError("UNKNOWN has no truth value; test 'is UNKNOWN' first")


UNKNOWN = _Unknown()


def k_not(value):
    return UNKNOWN if value is UNKNOWN else not value


def k_and(left, right):
    if left is False or right is False:
        return False
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return True


def k_or(left, right):
    if left is True or right is True:
        return True
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    return False
