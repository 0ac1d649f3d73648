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

/// `(lo, hi)` of a range as Python ints, `None` for an infinite end.
fn range_ends(py: Python<'_>, range: &symcore_engine::Range) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
    let end = |b: &symcore_engine::Bound| -> PyResult<Py<PyAny>> {
        match b {
            symcore_engine::Bound::Finite(v) => value_to_py(py, &symcore_engine::Value::Int(v.clone())),
            _ => Ok(py.None()),
        }
    };
    Ok((end(range.lo())?, end(range.hi())?))
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

    /// `(lo, hi)` bounds of the integer value `x` under the symbols' ranges (declared, tightened
    /// by the facts added); `None` for an unbounded end. Sound: every value `x` can take (where
    /// it evaluates) is inside.
    fn bound(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let term = self.own_term(x)?;
        let range = {
            let mut arena = self.core.arena.lock();
            let t = arena.canonical(term).map_err(py_err)?;
            arena.known_bound(t.value)
        };
        range_ends(py, &range)
    }

    /// `True`/`False` when the symbols' known ranges decide the boolean `x`, else `None`.
    fn known_truth(&self, x: &Bound<'_, PyAny>) -> PyResult<Option<bool>> {
        let term = self.own_term(x)?;
        let mut arena = self.core.arena.lock();
        let t = arena.canonical(term).map_err(py_err)?;
        Ok(arena.known_truth(t.value, &|s| arena.known_range(s)))
    }

    /// Decides the boolean `x` from the known ranges and facts: `(truth, fact indices used,
    /// names of the symbols whose ranges were used)`, `truth` being `None` when unknown.
    /// Symbols named in `oblivious` are assumed `>= 2` as well.
    /// `assume` are hypotheses for this question only.
    #[pyo3(signature = (x, oblivious=Vec::new(), assume=Vec::new()))]
    fn decide(
        &self,
        x: &Bound<'_, PyAny>,
        oblivious: Vec<String>,
        assume: Vec<Bound<'_, PyAny>>,
    ) -> PyResult<(Option<bool>, Vec<usize>, Vec<String>)> {
        let term = self.own_term(x)?;
        let hypotheses: Vec<symcore_engine::ExprId> = assume
            .iter()
            .map(|h| self.own_term(h).map(|t| t.value))
            .collect::<PyResult<_>>()?;
        let mut arena = self.core.arena.lock();
        let mut ids = Vec::with_capacity(oblivious.len());
        for name in &oblivious {
            ids.push(
                arena
                    .symbol_by_name(name)
                    .ok_or_else(|| py_err(EngineError::UnknownSymbol(name.clone())))?,
            );
        }
        let d = arena.decide_known(term.value, &ids, &hypotheses).map_err(py_err)?;
        let names = d
            .symbols
            .iter()
            .map(|s| arena.symbol_info(*s).name.to_string())
            .collect();
        Ok((d.truth, d.facts, names))
    }

    /// Just the truth of [`PyEnv::decide`] (no explanation), for hot paths.
    fn truth(&self, x: &Bound<'_, PyAny>) -> PyResult<Option<bool>> {
        let term = self.own_term(x)?;
        let mut arena = self.core.arena.lock();
        Ok(arena.decide_known(term.value, &[], &[]).map_err(py_err)?.truth)
    }

    /// Adds a fact that holds from now on and learns from it (tightened ranges, replacements,
    /// divisibility). Returns `(index, names of replaced symbols, names of tightened symbols)`.
    /// Raises `ContradictionError` (recording nothing) when the fact cannot hold.
    #[pyo3(signature = (x, replace=true))]
    fn add_fact(&self, x: &Bound<'_, PyAny>, replace: bool) -> PyResult<(usize, Vec<String>, Vec<String>)> {
        let term = self.own_term(x)?;
        let (learned, names) = {
            let mut arena = self.core.arena.lock();
            let learned = arena.add_fact(term.value, replace).map_err(py_err)?;
            let name = |s: &symcore_engine::SymbolId| arena.symbol_info(*s).name.to_string();
            let names: (Vec<String>, Vec<String>) = (
                learned.replaced.iter().map(name).collect(),
                learned.tightened.iter().map(name).collect(),
            );
            (learned, names)
        };
        if !learned.replaced.is_empty() || !learned.divisible.is_empty() {
            // Cached results were built before the replacement.
            self.core.clear_objects();
        }
        Ok((learned.index, names.0, names.1))
    }

    /// Whether the facts at `indices` alone (with the declared ranges, no replacements) imply
    /// fact `index`.
    fn implied_by(&self, index: usize, indices: Vec<usize>) -> PyResult<bool> {
        let mut arena = self.core.arena.lock();
        let Some(&b) = arena.facts().get(index) else {
            return Err(pyo3::exceptions::PyIndexError::new_err("no such fact"));
        };
        Ok(arena.decide_among(b, &indices).truth == Some(true))
    }

    /// The facts added so far, as SymBools, in order.
    fn facts(&self, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
        let ids: Vec<symcore_engine::ExprId> = self.core.arena.lock().facts().to_vec();
        ids.into_iter()
            .map(|id| wrap(py, self.core.clone(), Term::total(id), symcore_engine::Sort::Bool))
            .collect()
    }

    /// `x` rewritten with the current replacements.
    fn canonical(&self, py: Python<'_>, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let term = self.own_term(x)?;
        let (t, sort) = {
            let mut arena = self.core.arena.lock();
            let t = arena.canonical(term).map_err(py_err)?;
            (t, arena.sort(t.value))
        };
        wrap(py, self.core.clone(), t, sort)
    }

    /// `name -> replacement` for every replaced symbol.
    fn replacements(&self, py: Python<'_>) -> PyResult<Vec<(String, Py<PyAny>)>> {
        let rows: Vec<(String, Term)> = {
            let arena = self.core.arena.lock();
            arena
                .symbols()
                .filter_map(|(s, i)| arena.replacement(s).map(|t| (i.name.to_string(), t)))
                .collect()
        };
        rows.into_iter()
            .map(|(n, t)| Ok((n, wrap(py, self.core.clone(), t, symcore_engine::Sort::Int)?)))
            .collect()
    }

    /// `(lo, hi)` of a symbol's known range (`None` for an unbounded end).
    fn symbol_range(&self, py: Python<'_>, name: &str) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let range = {
            let arena = self.core.arena.lock();
            let s = arena
                .symbol_by_name(name)
                .ok_or_else(|| py_err(EngineError::UnknownSymbol(name.to_owned())))?;
            arena.known_range(s)
        };
        range_ends(py, &range)
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
