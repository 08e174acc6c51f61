"""Ratings over samples of cases: tallies, bands, standards, and the HTML report.

Fourth stage: counts evaluated cases. May import :mod:`carag_dsl.runtime` and below.
"""
