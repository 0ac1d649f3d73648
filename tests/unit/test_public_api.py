"""The public API is a contract (names issues fix are relied on by users' code): any change to it
shows up here. To accept an intended change, regenerate the expect file:
``SYMCORE_UPDATE_EXPECT=1 python -m pytest tests/unit/test_public_api.py``."""

import inspect
import os
from pathlib import Path

import symcore

EXPECT = Path(__file__).parent.parent / "expect" / "public_api.txt"
# Attributes every class (or every dataclass) has, or that vary between Python versions.
_NOISE = {
    "__doc__",
    "__module__",
    "__dict__",
    "__weakref__",
    "__annotations__",
    "__match_args__",
    "__slots__",
    "__setattr__",
    "__delattr__",
    "__slotnames__",  # cached on the class by copy/pickle, so present only after a copy
}


def _describe() -> str:
    lines = []
    for name in sorted(symcore.__all__):
        obj = getattr(symcore, name)
        if inspect.isclass(obj):
            members = sorted(m for m in vars(obj) if not m.startswith("_") or (m.startswith("__") and m.endswith("__")))
            members = [m for m in members if m not in _NOISE and not m.startswith("__dataclass")]
            lines.append(f"class {name}: {', '.join(members)}")
        elif callable(obj):
            try:
                signature = str(inspect.signature(obj))
            except (TypeError, ValueError):
                signature = "(...)"
            lines.append(f"def {name}{signature}")
        else:
            lines.append(f"{name} = {type(obj).__name__}")
    return "\n".join(lines) + "\n"


def test_public_api_matches_the_expect_file():
    actual = _describe()
    if os.environ.get("SYMCORE_UPDATE_EXPECT"):
        EXPECT.write_text(actual)
    assert EXPECT.read_text() == actual, "public API changed; see this test's docstring"
