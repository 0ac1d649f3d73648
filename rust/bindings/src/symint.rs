//! `SymInt`: a symbolic Python int.

use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::type_object::PyTypeInfo;
use symcore_engine::{BinOp, UnOp};

use crate::methods::sym_pymethods;
use crate::sym::{const_env, extract_integer, Sym};

/// A symbolic integer with exact Python `int` semantics.
///
/// Made by `ShapeEnv.symint(...)` (a symbol), by arithmetic on SymInts, or as a constant by
/// `SymInt(3)`. Comparisons return `SymBool`; `/` returns `SymFloat`.
#[pyclass(name = "SymInt", module = "symcore._core", frozen)]
pub struct PySymInt(pub Sym);

impl PySymInt {
    fn constant(value: &Bound<'_, PyAny>) -> PyResult<Sym> {
        let v = extract_integer(value)?;
        let env = const_env();
        let id = env.arena.lock().int(v).map_err(crate::error::py_err)?;
        Ok(Sym { env, term: symcore_engine::Term::total(id) })
    }
}

sym_pymethods!(int_like PySymInt, "SymInt", {
    /// A constant SymInt with the value of the Python int `value`.
    #[new]
    fn new(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PySymInt(Self::constant(value)?))
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::methods::unop(py, &self.0, UnOp::Invert)
    }
});
