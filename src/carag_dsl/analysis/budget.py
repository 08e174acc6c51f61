"""How much work the exact analysis may do, and the meter that stops it when the work runs past that.

A few lines of rules can make the case space explode: an ``any of`` fact whose options the rules name
has a class per subset of them, dates and numbers compared with each other have a cell per order the
comparisons allow, and BDDs can grow with every rule. So the analysis runs within a :class:`Budget`:

- checked *up front* where the size can be known before any work: the classes of one fact or answer
  (:attr:`Budget.classes`), the cells of one group of dates and numbers compared with each other
  (:attr:`Budget.cells`), the linear forms a date or number expression can take;
- checked *as it runs* where it cannot: BDD nodes (:attr:`Budget.nodes`), memory (:attr:`Budget.memory_mb`)
  and time (:attr:`Budget.seconds`), every few hundred operations (:meth:`Meter.tick`).

Past it, :class:`BudgetExceeded` (an :class:`AnalysisUnsupported`) says which limit and why; lint and diff
catch it, keep what they proved, and name what they could not analyse.
"""

from __future__ import annotations

import os
import time
from typing import Callable

import attrs

from carag_dsl.analysis.numeric import AnalysisUnsupported, BudgetExceeded

__all__ = ["AnalysisUnsupported", "Budget", "BudgetExceeded", "DEFAULT_BUDGET", "Meter", "UNTIMED"]


@attrs.frozen
class Budget:
    #: Kinds of value one fact or answer may have (an ``any of`` field: a subset of the options the rules name).
    classes: int = 4096
    #: Cells of one group of dates and numbers the rules compare with each other (and feasibility checks to find them).
    cells: int = 4096
    #: Nodes in the BDD manager.
    nodes: int = 3_000_000
    #: Memory the analysis may add to the process, in MB (None: not checked).
    memory_mb: int | None = 700
    #: Seconds for the whole analysis (building the space and every question put to it; None: not checked).
    seconds: float | None = 20.0
    #: Asked at every check: True stops the analysis (the language server's, when the text changes).
    stop: Callable[[], bool] | None = attrs.field(default=None, eq=False)

    def check_classes(self, count: int, what: str) -> None:
        if count > self.classes:
            raise BudgetExceeded(f"{what} has {_count(count)} kinds of value the rules can tell apart, more than the "
                                 f"{self.classes:,} the exact analysis takes")


#: The budget lint and diff use unless told otherwise: one run of either, from start to end.
DEFAULT_BUDGET = Budget()
#: The budget of a space built through the API, which may live and answer questions for as long as its
#: caller likes: the sizes are held, time and memory (the process's, shared with the caller) are not.
UNTIMED = Budget(memory_mb=None, seconds=None)
_TICKS_BETWEEN_CHECKS = 256
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class Meter:
    """The work one analysis has done against its budget (one meter per :class:`~carag_dsl.analysis.CaseSpace`)."""

    def __init__(self, budget: Budget, bdd=None):
        self.budget = budget
        self.bdd = bdd
        self.started = time.monotonic()
        self.deadline = self.started + budget.seconds if budget.seconds is not None else None
        self.memory_at_start = _resident_bytes()
        self._ticks = _TICKS_BETWEEN_CHECKS  # the first tick checks

    def tick(self, count: int = 1) -> None:
        """Count ``count`` operations; every few hundred, check time, BDD nodes and memory."""
        self._ticks += count
        if self._ticks >= _TICKS_BETWEEN_CHECKS:
            self._ticks = 0
            self.check()

    def check(self) -> None:
        budget = self.budget
        if budget.stop is not None and budget.stop():
            raise BudgetExceeded("the analysis was stopped")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded(f"the exact analysis ran out of time ({budget.seconds:g} s)")
        if self.bdd is not None and len(self.bdd) > budget.nodes:
            raise BudgetExceeded(f"the exact analysis needed more than {budget.nodes:,} BDD nodes")
        if budget.memory_mb is not None and _resident_bytes() - self.memory_at_start > budget.memory_mb * 1024 * 1024:
            raise BudgetExceeded(f"the exact analysis needed more than {budget.memory_mb:,} MB of memory")


def _resident_bytes() -> int:
    """The process's resident memory now (Linux), else its peak so far, else 0 (nothing to measure with:
    Windows, or the browser the studio runs in; memory is then held only through the BDD nodes)."""
    try:
        with open("/proc/self/statm", "rb") as stream:
            return int(stream.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _count(count: int) -> str:
    """A count as people read it, huge ones as a power of two."""
    if count <= 10**9:
        return f"{count:,}"
    return ("" if count & (count - 1) == 0 else "about ") + f"2^{count.bit_length() - 1}"
