"""symcore: symbolic shapes on a Rust expression engine.

Public names live here; submodules are organised by responsibility (``shape_env``, ``errors``).
"""

from symcore._core import SymBool, SymFloat, SymInt, sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not
from symcore.dispatch import SymDispatchMode, active_modes
from symcore.errors import (
    DataDependentError,
    ExpressionTooLargeError,
    MixedEnvironmentsError,
    ParseError,
    SymbolError,
    UnboundSymbolError,
)
from symcore.shape_env import Guard, ShapeEnv, SymValue

__all__ = [
    "DataDependentError",
    "ExpressionTooLargeError",
    "Guard",
    "MixedEnvironmentsError",
    "ParseError",
    "ShapeEnv",
    "SymBool",
    "SymDispatchMode",
    "SymFloat",
    "SymInt",
    "SymValue",
    "SymbolError",
    "UnboundSymbolError",
    "active_modes",
    "sym_float",
    "sym_int",
    "sym_ite",
    "sym_max",
    "sym_min",
    "sym_not",
]
