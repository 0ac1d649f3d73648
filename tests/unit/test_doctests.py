"""The examples in symcore's docstrings run and print what they say (against the installed
package, whichever way it was installed)."""

import doctest
import importlib

import pytest

MODULES = [
    "symcore.shape_env",
    "symcore.dispatch",
    "symcore.graph",
    "symcore.proxy",
    "symcore.sympy_interop",
    "symcore.tensor",
    "symcore.tensor.dtypes",
    "symcore.tensor.fake",
    "symcore.tensor.tracing",
    "symcore.ops",
    "symcore.nn",
    "symcore.nn.functional",
    "symcore.nn.init",
    "symcore.analysis",
    "symcore.batch",
    "symcore.strategies",
    "symcore.testing",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
