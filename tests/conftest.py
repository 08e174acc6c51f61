"""Shared test settings: a bounded Hypothesis budget so the property suite stays fast.

Property tests run 50 examples each by default (the 'ci' profile). Run more
locally with ``pytest --hypothesis-profile=thorough`` (500 examples each).
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=500)
settings.load_profile("ci")
