"""The inspection brief (``carag brief``): every inspection question with the case findings its links name."""

from carag_dsl.tools.brief.figures import BriefError, BriefTally, build_brief

__all__ = ["BriefError", "BriefTally", "build_brief"]
