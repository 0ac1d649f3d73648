//! `symcore._core`: the native module. Registers classes, functions and exceptions only; each
//! lives in its own file.

mod dispatch;
mod env;
mod error;
mod functions;
mod methods;
mod recorder;
mod sym;
mod symbool;
mod symfloat;
mod symint;

/// Native core of symcore: symbolic ints, bools and floats over a Rust expression engine.
#[pyo3::pymodule]
mod _core {
    #[pymodule_export]
    use super::dispatch::{active_modes, pop_mode, push_mode};
    #[pymodule_export]
    use super::env::PyEnv;
    #[pymodule_export]
    use super::error::{
        ContradictionError, DataDependentError, ExpressionTooLargeError, MixedEnvironmentsError, ParseError,
        SymbolError, UnboundSymbolError,
    };
    #[pymodule_export]
    use super::functions::{sym_float, sym_int, sym_ite, sym_max, sym_min, sym_not};
    #[pymodule_export]
    use super::recorder::PyRecorder;
    #[pymodule_export]
    use super::symbool::PySymBool;
    #[pymodule_export]
    use super::symfloat::PySymFloat;
    #[pymodule_export]
    use super::symint::PySymInt;

    #[pymodule_init]
    fn init(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
        super::dispatch::init(m)
    }
}
