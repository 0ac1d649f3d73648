//! `Env`: the native half of a `ShapeEnv` — one arena of expressions and its symbols.

use std::sync::Arc;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use rustc_hash::FxHashMap;
use symcore_engine::{parse, EngineError, Integer, SymbolInfo, Term};

use crate::error::{py_err, MixedEnvironmentsError};
use crate::sym::{as_sym, compute_in, extract_integer, require_arg, value_to_py, wrap, Arg, EnvCore};

/// The native store of one ShapeEnv: symbols and every expression built from them.
///
/// Python code uses `symcore.ShapeEnv`, which wraps this class and adds guards.
#[pyclass(name = "Env", module = "symcore._core", frozen)]
pub struct PyEnv {
    pub core: Arc<EnvCore>,
}

fn opt_integer(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Integer>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) if o.is_instance_of::<pyo3::types::PyBool>() => {
            Err(PyTypeError::new_err(format!("{what} must be an int, not bool")))
        }
        Some(o) => extract_integer(o).map(Some).map_err(|_| {
            let ty = o.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            PyTypeError::new_err(format!("{what} must be an int or None, not {ty}"))
        }),
    }
}

/// `(name, hint, min, max)` of one symbol.
type SymbolRow = (String, Option<Integer>, Option<Integer>, Option<Integer>);

#[pymethods]
impl PyEnv {
    #[new]
    fn new() -> Self {
        PyEnv { core: EnvCore::new() }
    }

    /// Registers a `weakref.ref` to the Python object whose `_guard(x)` decides symbolic values.
    fn set_owner(&self, owner: Py<PyAny>) {
        *self.core.owner.lock() = Some(owner);
    }

    /// Declares a symbol and returns it as a SymInt.
    #[pyo3(signature = (name, hint=None, min=None, max=None))]
    fn symbol(
        &self,
        py: Python<'_>,
        name: &str,
        hint: Option<&Bound<'_, PyAny>>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let info = SymbolInfo {
            name: name.into(),
            hint: opt_integer(hint, "hint")?,
            min: opt_integer(min, "min")?,
            max: opt_integer(max, "max")?,
        };
        let term = self.core.arena.lock().declare_symbol(info).map_err(py_err)?;
        wrap(py, self.core.clone(), term, symcore_engine::Sort::Int)
    }

    /// A constant of this environment from a Python int, float or bool.
    fn constant(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let arg = require_arg(value, "constant()")?;
        self.run_in(py, vec![arg], |_, t| Ok(t[0]))
    }

    /// Parses the printed expression language (never evaluates code).
    fn parse(&self, py: Python<'_>, text: &str) -> PyResult<Py<PyAny>> {
        let (term, sort) = {
            let mut arena = self.core.arena.lock();
            let t = parse(&mut arena, text).map_err(py_err)?;
            (t, arena.sort(t.value))
        };
        wrap(py, self.core.clone(), term, sort)
    }

    /// The value of `x` with each symbol bound by `binding` (name -> int).
    fn evaluate(&self, py: Python<'_>, x: &Bound<'_, PyAny>, binding: &Bound<'_, PyDict>) -> PyResult<Py<PyAny>> {
        let arg = require_arg(x, "evaluate()")?;
        let term = match &arg {
            Arg::Sym(s) if Arc::ptr_eq(&s.env, &self.core) => s.term,
            Arg::Sym(s) if s.constant().is_none() => {
                return Err(MixedEnvironmentsError::new_err(
                    "evaluate(): the value belongs to another environment",
                ))
            }
            _ => {
                let env = PyEnv {
                    core: self.core.clone(),
                };
                let obj = env.run_in(py, vec![arg], |_, t| Ok(t[0]))?;
                as_sym(obj.bind(py))
                    .map(|s| s.term)
                    .ok_or_else(|| PyTypeError::new_err("internal"))?
            }
        };
        let arena = self.core.arena.lock();
        let mut values = FxHashMap::default();
        for (k, v) in binding.iter() {
            let name: String = k
                .extract()
                .map_err(|_| PyTypeError::new_err("binding keys must be symbol names"))?;
            let sid = arena
                .symbol_by_name(&name)
                .ok_or_else(|| py_err(EngineError::UnknownSymbol(name.clone())))?;
            if v.is_instance_of::<pyo3::types::PyBool>() || !v.is_instance_of::<pyo3::types::PyInt>() {
                let ty = v.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                return Err(PyTypeError::new_err(format!(
                    "value for {name:?} must be an int, not {ty}"
                )));
            }
            values.insert(sid, extract_integer(&v)?);
        }
        let v = arena.evaluate(term, &|s| values.get(&s).cloned()).map_err(py_err)?;
        drop(arena);
        value_to_py(py, &v)
    }

    /// `(name, hint, min, max)` of every symbol, in declaration order.
    fn symbols<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows: Vec<SymbolRow> = {
            let arena = self.core.arena.lock();
            arena
                .symbols()
                .map(|(_, i)| (i.name.to_string(), i.hint.clone(), i.min.clone(), i.max.clone()))
                .collect()
        };
        let list = PyList::empty(py);
        for (name, hint, min, max) in rows {
            let conv = |v: Option<Integer>| -> PyResult<Py<PyAny>> {
                match v {
                    Some(i) => value_to_py(py, &symcore_engine::Value::Int(i)),
                    None => Ok(py.None()),
                }
            };
            let row = PyTuple::new(
                py,
                [
                    name.into_pyobject(py)?.into_any().unbind(),
                    conv(hint)?,
                    conv(min)?,
                    conv(max)?,
                ],
            )?;
            list.append(row)?;
        }
        Ok(list)
    }

    /// `(lo, hi)` bounds of the integer value `x` under the symbols' declared ranges; `None` for
    /// an unbounded end. Sound: every value `x` can take (where it evaluates) is inside.
    fn bound(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let term = self.own_term(x)?;
        let range = self.core.arena.lock().bound(term.value);
        let end = |b: &symcore_engine::Bound| -> PyResult<Py<PyAny>> {
            match b {
                symcore_engine::Bound::Finite(v) => value_to_py(py, &symcore_engine::Value::Int(v.clone())),
                _ => Ok(py.None()),
            }
        };
        Ok((end(range.lo())?, end(range.hi())?))
    }

    /// `True`/`False` when the symbols' declared ranges decide the boolean `x`, else `None`.
    fn known_truth(&self, x: &Bound<'_, PyAny>) -> PyResult<Option<bool>> {
        let term = self.own_term(x)?;
        let arena = self.core.arena.lock();
        Ok(arena.known_truth(term.value, &|s| arena.declared_range(s)))
    }

    /// True when `x` is a value of this environment (constants belong to every environment).
    fn owns(&self, x: &Bound<'_, PyAny>) -> bool {
        as_sym(x).is_some_and(|s| Arc::ptr_eq(&s.env, &self.core) || s.constant().is_some())
    }

    /// Number of distinct expression nodes stored.
    fn __len__(&self) -> usize {
        self.core.arena.lock().len()
    }
}

impl Drop for PyEnv {
    fn drop(&mut self) {
        self.core.clear_objects();
    }
}

impl PyEnv {
    /// The term of `x` in this environment (constants are imported).
    fn own_term(&self, x: &Bound<'_, PyAny>) -> PyResult<Term> {
        let arg = require_arg(x, "value")?;
        let (_, term) = crate::sym::run_in(Some(&self.core), &[arg], |_, t| Ok(t[0]))?;
        Ok(term)
    }

    fn run_in(
        &self,
        py: Python<'_>,
        args: Vec<Arg>,
        f: impl FnOnce(&mut symcore_engine::Arena, &[Term]) -> Result<Term, EngineError>,
    ) -> PyResult<Py<PyAny>> {
        compute_in(py, Some(&self.core), &args, f)
    }
}
