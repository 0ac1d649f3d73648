//! The `sym_*` functions: symbolic versions of builtins that also accept plain Python numbers.

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use symcore_engine::UnOp;

use crate::dispatch::{dispatch, mode_active, Func};
use crate::sym::{as_sym, compute, require_arg, Arg};

fn any_sym(args: &[Bound<'_, PyAny>]) -> bool {
    args.iter().any(|a| as_sym(a).is_some())
}

fn builtin<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let func = match name {
        "max" => Func::BuiltinMax,
        "min" => Func::BuiltinMin,
        "bool" => Func::Bool,
        "float" => Func::Float,
        _ => Func::Int,
    };
    Ok(func.callable(py)?.clone())
}

fn min_max(py: Python<'_>, args: &Bound<'_, PyTuple>, is_max: bool) -> PyResult<Py<PyAny>> {
    let items: Vec<Bound<'_, PyAny>> = args.iter().collect();
    let name = if is_max { "sym_max" } else { "sym_min" };
    if items.is_empty() {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{name}() expected at least 1 argument, got 0"
        )));
    }
    if !any_sym(&items) {
        return Ok(builtin(py, if is_max { "max" } else { "min" })?.call1(args)?.unbind());
    }
    if mode_active() {
        let refs: Vec<&Bound<'_, PyAny>> = items.iter().collect();
        return dispatch(py, if is_max { Func::SymMax } else { Func::SymMin }, &refs);
    }
    let args = items
        .iter()
        .map(|a| require_arg(a, name))
        .collect::<PyResult<Vec<Arg>>>()?;
    compute(py, &args, |arena, t| arena.min_max_terms(t, is_max))
}

/// The largest argument: `max(...)` for plain numbers, a symbolic max otherwise.
#[pyfunction]
#[pyo3(signature = (*args))]
pub fn sym_max(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    min_max(py, args, true)
}

/// The smallest argument: `min(...)` for plain numbers, a symbolic min otherwise.
#[pyfunction]
#[pyo3(signature = (*args))]
pub fn sym_min(py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    min_max(py, args, false)
}

fn unary(py: Python<'_>, x: &Bound<'_, PyAny>, op: UnOp, func: Func, name: &str, plain: &str) -> PyResult<Py<PyAny>> {
    if as_sym(x).is_none() {
        require_arg(x, name)?;
        return Ok(builtin(py, plain)?.call1((x,))?.unbind());
    }
    if mode_active() {
        return dispatch(py, func, &[x]);
    }
    let arg = require_arg(x, name)?;
    compute(py, &[arg], |arena, t| arena.unary(op, t[0]))
}

/// `not x` without converting a symbolic `x` to a Python bool (no guard).
#[pyfunction]
pub fn sym_not(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    if as_sym(x).is_none() {
        require_arg(x, "sym_not")?;
        return Ok(pyo3::types::PyBool::new(py, !x.is_truthy()?)
            .to_owned()
            .into_any()
            .unbind());
    }
    unary(py, x, UnOp::Not, Func::SymNot, "sym_not", "bool")
}

/// `float(x)` without converting a symbolic `x` to a Python value.
#[pyfunction]
pub fn sym_float(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(py, x, UnOp::ToFloat, Func::SymFloat, "sym_float", "float")
}

/// `int(x)` (truncating a float) without converting a symbolic `x` to a Python value.
#[pyfunction]
pub fn sym_int(py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    unary(py, x, UnOp::ToInt, Func::SymInt, "sym_int", "int")
}

/// `then if cond else other`, symbolic when `cond` is: both branches are kept and the result
/// is chosen when the value is evaluated.
#[pyfunction]
pub fn sym_ite(
    py: Python<'_>,
    cond: &Bound<'_, PyAny>,
    then: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
) -> PyResult<Py<PyAny>> {
    if as_sym(cond).is_none() && as_sym(then).is_none() && as_sym(other).is_none() {
        require_arg(cond, "sym_ite condition")?;
        return Ok(if cond.is_truthy()? {
            then.clone().unbind()
        } else {
            other.clone().unbind()
        });
    }
    // With a plain condition and a symbolic branch, still go through the engine: the branch not
    // taken was computed too (arguments are evaluated eagerly), and its checks must survive.
    let args = [
        require_arg(cond, "sym_ite")?,
        require_arg(then, "sym_ite")?,
        require_arg(other, "sym_ite")?,
    ];
    if mode_active() {
        return dispatch(py, Func::SymIte, &[cond, then, other]);
    }
    compute(py, &args, |arena, t| arena.ite_term(t[0], t[1], t[2]))
}
