//! `SymInt`: a symbolic Python int.

use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use symcore_engine::{BinOp, Term, UnOp};

use crate::dispatch::Func;
use crate::methods::sym_pymethods;
use crate::sym::{constant_object, extract_integer, Sym};

/// A symbolic integer with exact Python `int` semantics.
///
/// Made by `ShapeEnv.symint(...)` (a symbol), by arithmetic on SymInts, or as a constant by
/// `SymInt(3)`. Comparisons return `SymBool`; `/` returns `SymFloat`.
#[pyclass(name = "SymInt", module = "symcore._core", frozen)]
pub struct PySymInt(pub Sym);

sym_pymethods!(int_like PySymInt, "SymInt", {
    /// A constant SymInt with the value of the Python int `value`.
    #[new]
    fn new(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<Self>> {
        let v = extract_integer(value)?;
        let obj = constant_object(py, |arena| Ok(Term::total(arena.int(v)?)))?;
        Ok(obj.bind(py).cast::<Self>()?.clone().unbind())
    }
    fn __invert__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Invert, Func::Invert)
    }
});
