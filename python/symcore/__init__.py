"""symcore: symbolic shapes on a Rust expression engine.

Public names live here; submodules are organised by responsibility, each importing only the ones
below it: ``errors``, ``shape_env`` (symbols, guards), ``dispatch`` (SymDispatchMode), ``graph``
(the IR), ``proxy`` (the tracer), ``sympy_interop`` (to and from sympy), ``demo`` (the ``symcore`` command).
"""

from symcore._core import SymBool, SymFloat, SymInt, sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not
from symcore.dispatch import SymDispatchMode, active_modes
from symcore.errors import (
    ContradictionError,
    DataDependentError,
    ExpressionTooLargeError,
    MixedEnvironmentsError,
    ParseError,
    SymbolError,
    UnboundSymbolError,
)
from symcore.graph import Graph, GraphError, GraphModule, Interpreter, Node
from symcore.proxy import MissingProxyError, ProxySymDispatchMode, SymbolicTracer, trace_symbolic
from symcore.shape_env import (
    Decision,
    Guard,
    GuardFn,
    ShapeEnv,
    SymValue,
    ValidityRegion,
    check,
    guard_size_oblivious,
)
from symcore.sympy_interop import from_sympy, sympy_functions, to_sympy

__all__ = [
    "ContradictionError",
    "DataDependentError",
    "Decision",
    "ExpressionTooLargeError",
    "Graph",
    "GraphError",
    "GraphModule",
    "Guard",
    "GuardFn",
    "Interpreter",
    "MissingProxyError",
    "MixedEnvironmentsError",
    "Node",
    "ParseError",
    "ProxySymDispatchMode",
    "ShapeEnv",
    "SymBool",
    "SymDispatchMode",
    "SymFloat",
    "SymInt",
    "SymValue",
    "SymbolError",
    "SymbolicTracer",
    "UnboundSymbolError",
    "ValidityRegion",
    "active_modes",
    "check",
    "from_sympy",
    "guard_size_oblivious",
    "sym_float",
    "sym_int",
    "sym_ite",
    "sym_max",
    "sym_min",
    "sym_not",
    "sympy_functions",
    "to_sympy",
    "trace_symbolic",
]
