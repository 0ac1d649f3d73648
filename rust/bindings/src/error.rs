//! Engine errors as the Python exceptions a Python user expects.

use pyo3::exceptions::{
    PyMemoryError, PyOverflowError, PyRuntimeError, PyTypeError, PyValueError, PyZeroDivisionError,
};
use pyo3::{create_exception, PyErr};
use symcore_engine::EngineError;

create_exception!(
    symcore._core,
    MixedEnvironmentsError,
    PyValueError,
    "Values from two different ShapeEnvs met in one operation."
);
create_exception!(
    symcore._core,
    ParseError,
    PyValueError,
    "Text that is not in symcore's expression language; the message names the position."
);
create_exception!(
    symcore._core,
    SymbolError,
    PyValueError,
    "An unknown symbol name, a name used twice, or a symbol whose hint is outside its range."
);
create_exception!(
    symcore._core,
    UnboundSymbolError,
    PyValueError,
    "Evaluation needed a symbol that the binding does not give a value."
);
create_exception!(
    symcore._core,
    ExpressionTooLargeError,
    PyMemoryError,
    "A result past symcore's resource limits (integers over 2**22 bits, printed forms over 256 MiB)."
);
create_exception!(
    symcore._core,
    DataDependentError,
    PyRuntimeError,
    "A symbolic value had to become a concrete Python value, but a symbol it depends on has no hint."
);

create_exception!(
    symcore._core,
    ContradictionError,
    PyRuntimeError,
    "A fact (a guard or a check) that can never hold together with what the ShapeEnv already knows, or a check that is false for the traced values."
);

/// An engine error on its way to Python.
pub struct SymError(pub EngineError);

impl From<EngineError> for SymError {
    fn from(e: EngineError) -> Self {
        SymError(e)
    }
}

impl From<SymError> for PyErr {
    fn from(e: SymError) -> PyErr {
        let msg = e.0.to_string();
        match e.0 {
            EngineError::DivisionByZero(_) => PyZeroDivisionError::new_err(msg),
            EngineError::NegativeShift | EngineError::InvalidValue(_) => PyValueError::new_err(msg),
            EngineError::Overflow(_) => PyOverflowError::new_err(msg),
            EngineError::Type(_) => PyTypeError::new_err(msg),
            EngineError::Parse { .. } => ParseError::new_err(msg),
            EngineError::UnknownSymbol(_) | EngineError::BadSymbol(_) => SymbolError::new_err(msg),
            EngineError::UnboundSymbol(_) => UnboundSymbolError::new_err(msg),
            EngineError::MixedEnvironments => MixedEnvironmentsError::new_err(msg),
            EngineError::TooLarge(_) => ExpressionTooLargeError::new_err(msg),
            EngineError::Contradiction(_) => ContradictionError::new_err(msg),
        }
    }
}

/// Converts an engine result for a pyo3 boundary.
pub fn py_err(e: EngineError) -> PyErr {
    SymError(e).into()
}
