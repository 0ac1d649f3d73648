//! The machinery shared by `SymInt`, `SymBool` and `SymFloat`: environments, operand
//! conversion, running an engine operation, and wrapping its result in the right class.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use num_bigint::BigInt;
use parking_lot::Mutex;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyFrozenSet, PyInt, PyTuple};
use rustc_hash::FxHashMap;
use symcore_engine::{print, Arena, EngineError, Integer, Node, Sort, SymbolId, Term, Value};

use crate::error::{py_err, DataDependentError};
use crate::symbool::PySymBool;
use crate::symfloat::PySymFloat;
use crate::symint::PySymInt;

/// Slots of the result-object cache (a power of two).
const OBJECT_SLOTS: usize = 1 << 14;

/// Key of a cached result object: `(op, a, b)`.
pub type ObjectKey = (u8, Term, Term);

/// An arena plus the Python objects of recent results, behind one lock.
#[derive(Default)]
pub struct Store {
    arena: Arena,
    /// A direct-mapped cache of the Python objects of recent operations `(op, a, b)`: because
    /// expressions are hash-consed, a repeated operation returns the object it returned before
    /// (values are immutable), which costs one probe instead of an allocation. Fixed size, so it
    /// stays in cache and memory stays bounded; a colliding entry is simply replaced. The objects
    /// point back at the environment, so the owner clears the cache when it dies
    /// ([`EnvCore::clear_objects`]).
    objects: Vec<Option<(ObjectKey, Py<PyAny>)>>,
}

fn slot_of(key: &ObjectKey) -> usize {
    use std::hash::BuildHasher;
    // Truncating the 64-bit hash is intended: only the low bits pick the slot.
    (rustc_hash::FxBuildHasher.hash_one(key) as usize) & (OBJECT_SLOTS - 1)
}

impl std::ops::Deref for Store {
    type Target = Arena;
    fn deref(&self) -> &Arena {
        &self.arena
    }
}

impl std::ops::DerefMut for Store {
    fn deref_mut(&mut self) -> &mut Arena {
        &mut self.arena
    }
}

impl Store {
    /// The cached object of `(op, a, b)`.
    pub fn cached(&self, py: Python<'_>, key: &ObjectKey) -> Option<Py<PyAny>> {
        match self.objects.get(slot_of(key)) {
            Some(Some((k, obj))) if k == key => Some(obj.clone_ref(py)),
            _ => None,
        }
    }

    /// Remembers the object of `(op, a, b)`; returns the object it displaced, which the caller
    /// drops once the lock is released.
    #[must_use]
    pub fn remember(&mut self, key: ObjectKey, obj: Py<PyAny>) -> Option<Py<PyAny>> {
        if self.objects.is_empty() {
            self.objects.resize_with(OBJECT_SLOTS, || None);
        }
        let slot = slot_of(&key);
        self.objects
            .get_mut(slot)
            .and_then(|s| s.replace((key, obj)))
            .map(|(_, old)| old)
    }
}

/// One environment's arena, shared by every value built in it.
pub struct EnvCore {
    /// The expressions. Locked only for the duration of one engine call, never while Python code
    /// runs, so a guard hook can call back into symcore.
    pub arena: Mutex<Store>,
    /// A `weakref.ref` to the Python `ShapeEnv` that owns this core: its `_guard` method decides
    /// symbolic values that Python needs as concrete ones. Weak, so that values kept in the
    /// ShapeEnv (guards) do not form an uncollectable cycle through Rust.
    pub owner: Mutex<Option<Py<PyAny>>>,
    /// A process-unique number, part of structural keys.
    pub uid: u64,
}

impl EnvCore {
    /// A fresh, empty environment.
    pub fn new() -> Arc<EnvCore> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Arc::new(EnvCore {
            arena: Mutex::new(Store::default()),
            owner: Mutex::new(None),
            uid: NEXT.fetch_add(1, Ordering::Relaxed),
        })
    }
}

impl EnvCore {
    /// Drops the cached result objects (they reference this environment; see [`Store`]).
    pub fn clear_objects(&self) {
        let objects = std::mem::take(&mut self.arena.lock().objects);
        drop(objects);
    }
}

/// Op code under which constructors cache their constant objects in [`Store`].
const CONSTANT_KEY: u8 = u8::MAX;

/// The object for the constant `term` of [`const_env`]: `SymInt(3)` returns the same object each
/// time, like CPython's small-int cache, so making a constant costs a lookup.
pub fn constant_object(
    py: Python<'_>,
    term_of: impl FnOnce(&mut Arena) -> Result<Term, EngineError>,
) -> PyResult<Py<PyAny>> {
    let env = const_env();
    let (term, sort, cached) = {
        let mut store = env.arena.lock();
        let term = term_of(&mut store).map_err(py_err)?;
        let cached = store.cached(py, &(CONSTANT_KEY, term, term));
        (term, store.sort(term.value), cached)
    };
    if let Some(obj) = cached {
        return Ok(obj);
    }
    let obj = wrap(py, env.clone(), term, sort)?;
    let evicted = env.arena.lock().remember((CONSTANT_KEY, term, term), obj.clone_ref(py));
    drop(evicted);
    Ok(obj)
}

/// The environment of constants made without one (`SymInt(3)`); constants mix with any
/// environment.
pub fn const_env() -> Arc<EnvCore> {
    static ENV: OnceLock<Arc<EnvCore>> = OnceLock::new();
    ENV.get_or_init(EnvCore::new).clone()
}

/// A value: its environment and its term there.
#[derive(Clone)]
pub struct Sym {
    /// The environment.
    pub env: Arc<EnvCore>,
    /// The value in it.
    pub term: Term,
}

/// A plain Python number.
#[derive(Clone)]
pub enum Lit {
    /// An `int`.
    Int(Integer),
    /// A `float`.
    Float(f64),
    /// A `bool`.
    Bool(bool),
}

/// An operand: a symcore value or a plain Python number.
pub enum Arg {
    /// A SymInt, SymBool or SymFloat.
    Sym(Sym),
    /// A plain number.
    Lit(Lit),
}

/// A Python int as an exact integer.
pub fn extract_integer(obj: &Bound<'_, PyAny>) -> PyResult<Integer> {
    if let Ok(v) = obj.extract::<i64>() {
        return Ok(Integer::Small(v));
    }
    Ok(Integer::from_bigint(obj.extract::<BigInt>()?))
}

/// A borrow of the symcore value inside `obj`, if it is one (no reference count traffic).
pub fn borrow_sym<'a>(obj: &'a Bound<'_, PyAny>) -> Option<&'a Sym> {
    if let Ok(s) = obj.cast::<PySymInt>() {
        return Some(&s.get().0);
    }
    if let Ok(s) = obj.cast::<PySymBool>() {
        return Some(&s.get().0);
    }
    if let Ok(s) = obj.cast::<PySymFloat>() {
        return Some(&s.get().0);
    }
    None
}

/// The symcore value inside `obj`, if it is one.
pub fn as_sym(obj: &Bound<'_, PyAny>) -> Option<Sym> {
    borrow_sym(obj).cloned()
}

/// Converts an operand; `None` for types symcore does not combine with (the caller returns
/// `NotImplemented`).
pub fn extract_arg(obj: &Bound<'_, PyAny>) -> PyResult<Option<Arg>> {
    if let Some(s) = as_sym(obj) {
        return Ok(Some(Arg::Sym(s)));
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Some(Arg::Lit(Lit::Bool(obj.is_truthy()?))));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Some(Arg::Lit(Lit::Int(extract_integer(obj)?))));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Some(Arg::Lit(Lit::Float(obj.extract::<f64>()?))));
    }
    Ok(None)
}

/// Like [`extract_arg`], but a TypeError for anything that is not a number.
pub fn require_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Arg> {
    extract_arg(obj)?.ok_or_else(|| {
        let ty = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(format!(
            "{what}: expected an int, float, bool or symcore value, got {ty}"
        ))
    })
}

fn lit_term(arena: &mut Arena, lit: &Lit) -> Result<Term, EngineError> {
    Ok(match lit {
        Lit::Int(v) => Term::total(arena.int(v.clone())?),
        Lit::Float(v) => Term::total(arena.float(*v)?),
        Lit::Bool(v) => Term::total(arena.boolean(*v)?),
    })
}

/// The constant value of a term, if it is a constant.
pub fn constant_of(arena: &Arena, t: Term) -> Option<Lit> {
    if t.checks.is_some() {
        return None;
    }
    match arena.node(t.value) {
        Node::Int(v) => Some(Lit::Int(v.clone())),
        Node::Float(bits) => Some(Lit::Float(f64::from_bits(*bits))),
        Node::Bool(b) => Some(Lit::Bool(*b)),
        _ => None,
    }
}

/// Runs `f` on the operands' terms in one environment: the environment of the first symbolic
/// operand, into which constants from anywhere are imported. Non-constant values from two
/// environments are an error.
pub fn run<R>(
    args: &[Arg],
    f: impl FnOnce(&mut Arena, &[Term]) -> Result<R, EngineError>,
) -> PyResult<(Arc<EnvCore>, R)> {
    run_in(None, args, f)
}

/// [`run`] with the home environment given (`None`: the first symbolic operand's).
pub fn run_in<R>(
    prefer: Option<&Arc<EnvCore>>,
    args: &[Arg],
    f: impl FnOnce(&mut Arena, &[Term]) -> Result<R, EngineError>,
) -> PyResult<(Arc<EnvCore>, R)> {
    let mut home: Option<&Arc<EnvCore>> = prefer;
    let mut mixed = false;
    for a in args {
        if let Arg::Sym(s) = a {
            match home {
                None => home = Some(&s.env),
                Some(h) if !Arc::ptr_eq(h, &s.env) => mixed = true,
                _ => {}
            }
        }
    }
    if !mixed {
        let env = home.cloned().unwrap_or_else(const_env);
        let r = {
            let mut arena = env.arena.lock();
            let mut terms = Vec::with_capacity(args.len());
            for a in args {
                terms.push(match a {
                    Arg::Sym(s) => s.term,
                    Arg::Lit(l) => lit_term(&mut arena, l).map_err(py_err)?,
                });
            }
            f(&mut arena, &terms).map_err(py_err)?
        };
        return Ok((env, r));
    }
    // Several environments: every value outside the home environment must be a constant.
    let mut lits: Vec<Option<Lit>> = Vec::with_capacity(args.len());
    let mut home: Option<Arc<EnvCore>> = prefer.cloned();
    for a in args {
        lits.push(match a {
            Arg::Sym(s) => {
                let c = constant_of(&s.env.arena.lock(), s.term);
                if c.is_none() {
                    match &home {
                        None => home = Some(s.env.clone()),
                        Some(h) if !Arc::ptr_eq(h, &s.env) => return Err(py_err(EngineError::MixedEnvironments)),
                        _ => {}
                    }
                }
                c
            }
            Arg::Lit(l) => Some(l.clone()),
        });
    }
    let env = home.unwrap_or_else(const_env);
    let r = {
        let mut arena = env.arena.lock();
        let mut terms = Vec::with_capacity(args.len());
        for (a, l) in args.iter().zip(&lits) {
            terms.push(match (a, l) {
                (_, Some(l)) => lit_term(&mut arena, l).map_err(py_err)?,
                (Arg::Sym(s), None) => s.term,
                (Arg::Lit(l), None) => lit_term(&mut arena, l).map_err(py_err)?,
            });
        }
        f(&mut arena, &terms).map_err(py_err)?
    };
    Ok((env, r))
}

/// Wraps a term in the class of its sort.
pub fn wrap(py: Python<'_>, env: Arc<EnvCore>, term: Term, sort: Sort) -> PyResult<Py<PyAny>> {
    let sym = Sym { env, term };
    let obj = match sort {
        Sort::Int => Py::new(py, PySymInt(sym))?.into_any(),
        Sort::Bool => Py::new(py, PySymBool(sym))?.into_any(),
        Sort::Float => Py::new(py, PySymFloat(sym))?.into_any(),
    };
    untrack(py, &obj);
    Ok(obj)
}

/// Takes a value object out of the cyclic garbage collector's lists.
///
/// pyo3 makes every class a GC type, but a value holds no Python references (only an `Arc` of
/// Rust data), so it can never be part of a reference cycle the collector could break; tracking
/// it only makes every collection traverse all live values — with the result-object cache, that
/// is every value ever built — which showed up as 15% of the time spent building expressions.
#[allow(unsafe_code)]
fn untrack(_py: Python<'_>, obj: &Py<PyAny>) {
    // SAFETY:
    // - `obj` is a live object (we hold a strong reference) and the GIL is held (`_py`).
    // - Its type has `Py_TPFLAGS_HAVE_GC` (every pyo3 class does), which `PyObject_GC_UnTrack`
    //   requires; untracking an object that is already untracked is a no-op, and pyo3's
    //   `tp_dealloc` untracks again safely.
    // - The object's only fields are Rust values (`Sym`: an `Arc` and two ids) and its type has
    //   no `__dict__`/`__weakref__` slots, so no Python reference is hidden from the collector.
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) }
}

/// Runs an engine operation producing a term and wraps the result.
pub fn compute(
    py: Python<'_>,
    args: &[Arg],
    f: impl FnOnce(&mut Arena, &[Term]) -> Result<Term, EngineError>,
) -> PyResult<Py<PyAny>> {
    compute_in(py, None, args, f)
}

/// [`compute`] with the home environment given.
pub fn compute_in(
    py: Python<'_>,
    prefer: Option<&Arc<EnvCore>>,
    args: &[Arg],
    f: impl FnOnce(&mut Arena, &[Term]) -> Result<Term, EngineError>,
) -> PyResult<Py<PyAny>> {
    let (env, (term, sort)) = run_in(prefer, args, |arena, terms| {
        let t = f(arena, terms)?;
        let t = arena.canonical(t)?;
        Ok((t, arena.sort(t.value)))
    })?;
    wrap(py, env, term, sort)
}

/// A Python value for an engine value.
pub fn value_to_py(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Int(Integer::Small(i)) => i.into_pyobject(py)?.into_any().unbind(),
        Value::Int(Integer::Big(b)) => b.as_ref().into_pyobject(py)?.into_any().unbind(),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::Float(f) => PyFloat::new(py, *f).into_any().unbind(),
    })
}

/// The engine value of a plain number.
pub fn lit_value(l: Lit) -> Value {
    match l {
        Lit::Int(i) => Value::Int(i),
        Lit::Float(f) => Value::Float(f),
        Lit::Bool(b) => Value::Bool(b),
    }
}

impl Sym {
    /// The canonical printed form.
    pub fn text(&self) -> PyResult<String> {
        print(&self.env.arena.lock(), self.term.value).map_err(py_err)
    }

    /// The constant value, if this is a constant.
    pub fn constant(&self) -> Option<Lit> {
        constant_of(&self.env.arena.lock(), self.term)
    }

    /// The sort of the value.
    pub fn sort(&self) -> Sort {
        self.env.arena.lock().sort(self.term.value)
    }

    /// The value under the symbols' hints, `None` when a symbol has none.
    pub fn hint(&self) -> PyResult<Option<Value>> {
        self.env.arena.lock().hint(self.term).map_err(py_err)
    }

    /// The Python value of the hint, or None.
    pub fn hint_py(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.hint()? {
            Some(v) => value_to_py(py, &v),
            None => Ok(py.None()),
        }
    }

    /// Names of the symbols the value depends on.
    pub fn free_symbols<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyFrozenSet>> {
        let names: Vec<String> = {
            let arena = self.env.arena.lock();
            arena
                .free_symbols(self.term)
                .into_iter()
                .map(|s| arena.symbol_info(s).name.to_string())
                .collect()
        };
        PyFrozenSet::new(py, names)
    }

    /// A hashable structural key.
    pub fn key<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let sort = self.sort();
        let tag = match sort {
            Sort::Int => "int",
            Sort::Bool => "bool",
            Sort::Float => "float",
        };
        if let Some(c) = self.constant() {
            // Constants are keyed by value (and sort: 1, 1.0 and True are different expressions),
            // whatever environment made them. NaN keys by its bit pattern so it equals itself.
            let v = match c {
                // By bit pattern: 0.0 and -0.0 are different expressions, and NaN equals itself.
                Lit::Float(f) => {
                    let bits = if f.is_nan() { f64::NAN.to_bits() } else { f.to_bits() };
                    bits.into_pyobject(py)?.into_any().unbind()
                }
                other => value_to_py(py, &lit_value(other))?,
            };
            return PyTuple::new(py, [tag.into_pyobject(py)?.into_any().unbind(), v]);
        }
        let checks = self.term.checks.map_or(0, |c| c.raw());
        PyTuple::new(
            py,
            [
                tag.into_pyobject(py)?.into_any().unbind(),
                self.env.uid.into_pyobject(py)?.into_any().unbind(),
                self.term.value.raw().into_pyobject(py)?.into_any().unbind(),
                checks.into_pyobject(py)?.into_any().unbind(),
            ],
        )
    }

    /// `hash()`: constants hash like the Python value; symbolic values refuse.
    pub fn hash(&self, py: Python<'_>) -> PyResult<isize> {
        match self.constant() {
            Some(c) => value_to_py(py, &lit_value(c))?.bind(py).hash(),
            None => Err(PyTypeError::new_err(format!(
                "unhashable: symbolic value {} (hashing by its hint would silently specialise it); use x.key() \
                 for a structural key",
                self.text()?
            ))),
        }
    }

    /// The value with symbols replaced: a mapping from symbol names, or pairs whose first item
    /// is a symbol name or symbol SymInt; values are ints or symcore values of the same
    /// environment.
    pub fn subs(&self, py: Python<'_>, mapping: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        // A mapping (`{"s0": 3}`), or pairs (`[(s0, 3)]`: symbolic SymInts are unhashable, so
        // they cannot be dict keys).
        let items = if mapping.hasattr("items")? {
            mapping.call_method0("items")?
        } else {
            mapping.clone()
        };
        let mut pairs: Vec<(String, Arg)> = Vec::new();
        for item in items.try_iter()? {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
            let name = if let Ok(s) = k.extract::<String>() {
                s
            } else if let Some(s) = as_sym(&k) {
                s.text()?
            } else {
                return Err(PyTypeError::new_err(
                    "subs() keys must be symbol names or symbol SymInts",
                ));
            };
            pairs.push((name, require_arg(&v, "subs() value")?));
        }
        let mut args: Vec<Arg> = vec![Arg::Sym(self.clone())];
        let names: Vec<String> = pairs.iter().map(|(n, _)| n.clone()).collect();
        args.extend(pairs.into_iter().map(|(_, a)| a));
        compute(py, &args, |arena, terms| {
            let mut map: FxHashMap<SymbolId, Term> = FxHashMap::default();
            for (name, t) in names.iter().zip(&terms[1..]) {
                let sid = arena
                    .symbol_by_name(name)
                    .ok_or_else(|| EngineError::UnknownSymbol(name.clone()))?;
                map.insert(sid, *t);
            }
            arena.substitute(terms[0], &map)
        })
    }
}

/// The concrete Python value of `sym` that Python code asked for (`bool()`, `int()`,
/// `float()`, `__index__`): a constant answers directly; otherwise the owning ShapeEnv's
/// `_guard` decides by the hints and records the fact it relied on. Without an owner, the hint
/// answers without a record; without a hint, a [`DataDependentError`].
pub fn concretize(py: Python<'_>, sym: &Sym, obj: Py<PyAny>) -> PyResult<Py<PyAny>> {
    if let Some(c) = sym.constant() {
        return value_to_py(py, &lit_value(c));
    }
    let owner = sym.env.owner.lock().as_ref().map(|w| w.clone_ref(py));
    if let Some(weak) = owner {
        let env = weak.bind(py).call0()?;
        if !env.is_none() {
            return Ok(env.call_method1("_guard", (obj,))?.unbind());
        }
    }
    match sym.hint()? {
        Some(v) => value_to_py(py, &v),
        None => Err(DataDependentError::new_err(format!(
            "cannot convert symbolic value {} to a Python value: it depends on symbols without hints",
            sym.text()?
        ))),
    }
}
