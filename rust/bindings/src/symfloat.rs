//! `SymFloat`: a symbolic Python float.

use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use symcore_engine::{BinOp, Term, UnOp};

use crate::dispatch::Func;
use crate::methods::sym_pymethods;
use crate::sym::{constant_object, Sym};

/// A symbolic float with CPython's float semantics (true division of SymInts, `float()`...).
///
/// `math.floor`, `math.ceil`, `math.trunc` and `round` turn it back into a `SymInt`.
#[pyclass(name = "SymFloat", module = "symcore._core", frozen)]
pub struct PySymFloat(pub Sym);

sym_pymethods!(PySymFloat, "SymFloat", {
    /// A constant SymFloat.
    #[new]
    fn new(py: Python<'_>, value: f64) -> PyResult<Py<Self>> {
        let obj = constant_object(py, |arena| Ok(Term::total(arena.float(value)?)))?;
        Ok(obj.bind(py).cast::<Self>()?.clone().unbind())
    }
    fn __int__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::methods::concrete(py, slf.as_any(), &slf.get().0, UnOp::ToInt, Func::Int)
    }
    fn __float__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::methods::concrete(py, slf.as_any(), &slf.get().0, UnOp::ToFloat, Func::Float)
    }
});
