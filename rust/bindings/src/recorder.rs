//! `Recorder`: the native half of the proxy tracer, so recording an operation costs no Python.
//!
//! A recorder buffers operations as `(entry, func, args, mask)` records: `entry` numbers the
//! result, an argument whose bit is set in `mask` is the entry number of an earlier value, any
//! other argument is a literal. The Python tracer turns records into graph nodes when its graph is
//! read. Values are recognised by `(environment, expression)`, which is the structural key of
//! `SymInt.key()`, so an operation that produces an already recorded expression adds nothing.
//!
//! [`crate::dispatch::dispatch`] recognises an active mode that is a `Recorder` and does not
//! override `__sym_dispatch__`, and records without entering Python at all.

use std::sync::Arc;

use parking_lot::{Mutex, RwLock};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::PyTypeInfo;
use rustc_hash::FxHashMap;
use symcore_engine::Term;

use crate::dispatch::Func;
use crate::sym::{borrow_sym, lit_value, value_to_py};

/// One buffered operation: result entry, callable, arguments, and which arguments are entries.
type Record = (u32, Py<PyAny>, Vec<Py<PyAny>>, u64);

/// The state a tracer's recorders share.
#[derive(Default)]
pub struct RecState {
    index: FxHashMap<(u64, Term), u32>,
    next_entry: u32,
    pending: Vec<Record>,
}

/// A buffer of recorded operations, and (in a Python subclass) a dispatch mode that fills it.
#[pyclass(name = "Recorder", module = "symcore._core", subclass, frozen)]
pub struct PyRecorder {
    state: RwLock<Arc<Mutex<RecState>>>,
}

fn key_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<(u64, Term)>> {
    match borrow_sym(obj) {
        Some(s) if s.constant().is_none() => Ok(Some((s.env.uid, s.term))),
        Some(_) => Ok(None),
        None => Err(PyTypeError::new_err("expected a symcore value")),
    }
}

impl PyRecorder {
    fn shared(&self) -> Arc<Mutex<RecState>> {
        self.state.read().clone()
    }

    /// Records `out = func(*args)` (see the module docs); `mode` answers for operands that have no
    /// entry yet (values built outside the trace) through `mode.tracer._entry_for(value)`.
    pub fn record_call(
        &self,
        py: Python<'_>,
        mode: &Bound<'_, PyAny>,
        func: &Bound<'_, PyAny>,
        args: &[Bound<'_, PyAny>],
        out: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let state = self.shared();
        if let Some(sym) = borrow_sym(out) {
            if sym.constant().is_some() {
                return Ok(());
            }
            let key = (sym.env.uid, sym.term);
            if state.lock().index.contains_key(&key) {
                return Ok(());
            }
            let entry = Self::push(py, &state, mode, func, args)?;
            state.lock().index.insert(key, entry);
            return Ok(());
        }
        if let Ok(items) = out.cast::<PyTuple>() {
            let mut keys = Vec::new();
            for (i, v) in items.iter().enumerate() {
                if borrow_sym(&v).is_some() {
                    if let Some(key) = key_of(&v)? {
                        keys.push((i, key));
                    }
                }
            }
            if keys.is_empty() {
                return Ok(());
            }
            let whole = Self::push(py, &state, mode, func, args)?;
            let getitem = Func::GetItem.callable(py)?;
            for (i, key) in keys {
                if state.lock().index.contains_key(&key) {
                    continue;
                }
                let item = [whole.into_pyobject(py)?.into_any(), i.into_pyobject(py)?.into_any()];
                let entry = Self::push_raw(&state, getitem, item.iter().map(|b| b.clone().unbind()).collect(), 1);
                state.lock().index.insert(key, entry);
            }
        }
        Ok(())
    }

    fn push(
        py: Python<'_>,
        state: &Mutex<RecState>,
        mode: &Bound<'_, PyAny>,
        func: &Bound<'_, PyAny>,
        args: &[Bound<'_, PyAny>],
    ) -> PyResult<u32> {
        let mut items = Vec::with_capacity(args.len());
        let mut mask = 0u64;
        for (i, a) in args.iter().enumerate() {
            let Some(sym) = borrow_sym(a) else {
                items.push(a.clone().unbind());
                continue;
            };
            if let Some(c) = sym.constant() {
                items.push(value_to_py(py, &lit_value(c))?);
                continue;
            }
            let key = (sym.env.uid, sym.term);
            let known = state.lock().index.get(&key).copied();
            let entry = match known {
                Some(e) => e,
                None => mode
                    .getattr(pyo3::intern!(py, "tracer"))?
                    .call_method1("_entry_for", (a,))?
                    .extract()?,
            };
            if i < 64 {
                mask |= 1 << i;
            }
            items.push(entry.into_pyobject(py)?.into_any().unbind());
        }
        Ok(Self::push_raw(state, func, items, mask))
    }

    fn push_raw(state: &Mutex<RecState>, func: &Bound<'_, PyAny>, items: Vec<Py<PyAny>>, mask: u64) -> u32 {
        let mut st = state.lock();
        let entry = st.next_entry;
        st.next_entry += 1;
        st.pending.push((entry, func.clone().unbind(), items, mask));
        entry
    }
}

#[pymethods]
impl PyRecorder {
    /// A recorder with a fresh buffer (arguments are accepted and ignored, so that subclasses may
    /// take their own).
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        PyRecorder {
            state: RwLock::new(Arc::new(Mutex::new(RecState::default()))),
        }
    }

    /// Makes this recorder write into `other`'s buffer.
    fn _share(&self, other: &Bound<'_, PyRecorder>) {
        *self.state.write() = other.get().shared();
    }

    /// The entry number of a symbolic value, or None.
    fn entry(&self, value: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
        Ok(match key_of(value)? {
            Some(key) => self.shared().lock().index.get(&key).copied(),
            None => None,
        })
    }

    /// A new entry number for `value` (replacing any earlier one).
    fn bind(&self, value: &Bound<'_, PyAny>) -> PyResult<u32> {
        let key = key_of(value)?.ok_or_else(|| PyTypeError::new_err("constants are literals, not entries"))?;
        let state = self.shared();
        let mut st = state.lock();
        let entry = st.next_entry;
        st.next_entry += 1;
        st.index.insert(key, entry);
        Ok(entry)
    }

    /// Removes and returns the buffered records, oldest first, as
    /// `(entry, func, args, mask)` tuples.
    fn take<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let pending = std::mem::take(&mut self.shared().lock().pending);
        let list = PyList::empty(py);
        for (entry, func, items, mask) in pending {
            list.append((entry, func, PyTuple::new(py, items)?, mask))?;
        }
        Ok(list)
    }

    /// Number of buffered records.
    fn __len__(&self) -> usize {
        self.shared().lock().pending.len()
    }

    /// Records `out = func(*args)`.
    fn record(
        slf: &Bound<'_, Self>,
        py: Python<'_>,
        func: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
        out: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let args: Vec<Bound<'_, PyAny>> = args.iter().collect();
        slf.get().record_call(py, slf.as_any(), func, &args, out)
    }

    /// As a dispatch mode: computes `func(*args, **kwargs)` and records it.
    fn __sym_dispatch__(
        slf: &Bound<'_, Self>,
        py: Python<'_>,
        func: &Bound<'_, PyAny>,
        _types: &Bound<'_, PyAny>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let out = func.call(args, kwargs.filter(|k| !k.is_empty()))?;
        let items: Vec<Bound<'_, PyAny>> = args.iter().collect();
        slf.get().record_call(py, slf.as_any(), func, &items, &out)?;
        Ok(out.unbind())
    }
}

/// When `mode` is a recorder whose class keeps the native `__sym_dispatch__`, computes and
/// records the operation without entering Python; `None` otherwise.
pub fn try_native(
    py: Python<'_>,
    mode: &Bound<'_, PyAny>,
    func: &Bound<'_, PyAny>,
    args: &[&Bound<'_, PyAny>],
) -> PyResult<Option<Py<PyAny>>> {
    let Ok(rec) = mode.cast::<PyRecorder>() else {
        return Ok(None);
    };
    static NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let native = NATIVE.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(PyRecorder::type_object(py).getattr("__sym_dispatch__")?.unbind())
    })?;
    if !mode
        .get_type()
        .getattr(pyo3::intern!(py, "__sym_dispatch__"))?
        .is(native.bind(py))
    {
        return Ok(None);
    }
    let out = func.call1(PyTuple::new(py, args)?)?;
    let owned: Vec<Bound<'_, PyAny>> = args.iter().map(|a| (*a).clone()).collect();
    rec.get().record_call(py, mode, func, &owned, &out)?;
    Ok(Some(out.unbind()))
}
