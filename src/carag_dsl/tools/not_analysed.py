"""What a partial lint or diff could not analyse exactly: one shape for both (the analysis's budget ran out, or
a comparison it cannot decide). Apart from :mod:`carag_dsl.analysis` so the diff, which samples without the
analysis extra, needs no ``dd`` for it."""

from __future__ import annotations

import attrs


@attrs.frozen
class NotAnalysed:
    """Part of a lint or diff the exact analysis could not finish, and why (what it proved before is kept).

    ``subject`` is the part: a lint rule's id, or a diff comparison's target (``status:Q1``, ``case_type``).
    """

    subject: str
    reason: str

    def to_dict(self, key: str) -> dict[str, str]:
        """As a report's JSON writes it, the subject under ``key`` (lint: "rule", diff: "target")."""
        return {key: self.subject, "reason": self.reason}
