"""Ratings over samples of cases: tallies, bands, standards, and the HTML report.

Fourth stage: counts evaluated cases. May import :mod:`carag_dsl.runtime` and below.
"""

#: Most subgroups ``by`` may make unless told otherwise: a breakdown is read by people, and a free-text
#: field would otherwise make one group per case (200,000 groups took 1.4 GB and a 400 MB report).
#: Here, not in :mod:`.tally`, so the signature of ``RuleSet.rate`` does not import the tally at start-up.
MAX_GROUPS = 1000
