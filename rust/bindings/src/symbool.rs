//! `SymBool`: a symbolic Python bool.

use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use symcore_engine::{BinOp, Term, UnOp};

use crate::dispatch::Func;
use crate::methods::sym_pymethods;
use crate::sym::{constant_object, Sym};

/// A symbolic truth value, the result of comparing symbolic numbers.
///
/// `&`, `|`, `^` with another bool are logical, and `~b` is logical negation (as `sym_not`).
/// `bool(b)` decides a symbolic `b` by the symbols' hints and records a guard in the ShapeEnv.
#[pyclass(name = "SymBool", module = "symcore._core", frozen)]
pub struct PySymBool(pub Sym);

sym_pymethods!(int_like PySymBool, "SymBool", {
    /// A constant SymBool.
    #[new]
    fn new(py: Python<'_>, value: bool) -> PyResult<Py<Self>> {
        let obj = constant_object(py, |arena| Ok(Term::total(arena.boolean(value)?)))?;
        Ok(obj.bind(py).cast::<Self>()?.clone().unbind())
    }
    fn __invert__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
        crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Not, Func::Invert)
    }
});
