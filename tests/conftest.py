"""Shared test configuration: hypothesis profiles.

Select one with the environment variable ``SYMCORE_HYPOTHESIS_PROFILE`` (``default``, ``ci`` or
``thorough``); unset means ``default``.
"""

import os

from hypothesis import settings

settings.register_profile("default", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("thorough", max_examples=3000, deadline=None)

settings.load_profile(os.environ.get("SYMCORE_HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config):
    # pyproject turns warnings into errors; hypothesis' failure reporting imports a third-party
    # module that emits this DeprecationWarning, which would mask the real failure.
    config.addinivalue_line("filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")
