//! The magic methods that `SymInt`, `SymBool` and `SymFloat` share, written once.
//!
//! Every binary operation goes through [`binop`] with its [`BinOp`]; reflected operations
//! swap the operands. Foreign operands get `NotImplemented`. Each public entry point first checks
//! [`mode_active`] (one thread-local read) and, with a `SymDispatchMode` active, hands the call to
//! the mode with the operation's public callable and the operands in Python's call order.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyFloat, PyInt};
use pyo3::PyTypeInfo;
use symcore_engine::{BinOp, Node, Sort, UnOp};

use crate::dispatch::{dispatch, mode_active, Func};
use crate::error::py_err;
use crate::sym::{borrow_sym, compute, concretize, extract_arg, require_arg, run, wrap, Arg, Sym};

/// `a op b` (or `b op a` when `reflected`), `NotImplemented` for a foreign `other`.
pub fn binop(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    slf: &Sym,
    other: &Bound<'_, PyAny>,
    op: BinOp,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    if mode_active() {
        return dispatch_binary(py, Func::of_binop(op), obj, other, reflected);
    }
    binop_native(py, slf, other, op, reflected)
}

/// Hands a binary operation to the active mode, operands in call order; `NotImplemented` for a
/// foreign `other` (so Python tries the other operand's method, and the mode never sees it).
fn dispatch_binary(
    py: Python<'_>,
    func: Func,
    obj: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    if extract_arg(other)?.is_none() {
        return Ok(py.NotImplemented());
    }
    let args = if reflected { [other, obj] } else { [obj, other] };
    dispatch(py, func, &args)
}

/// [`binop`] without the mode check.
fn binop_native(
    py: Python<'_>,
    slf: &Sym,
    other: &Bound<'_, PyAny>,
    op: BinOp,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    if op != BinOp::Pow {
        if let Some(r) = binop_fast(py, slf, other, op, reflected)? {
            return Ok(r);
        }
    }
    let Some(o) = extract_arg(other)? else {
        return Ok(py.NotImplemented());
    };
    let me = Arg::Sym(slf.clone());
    let args = if reflected { [o, me] } else { [me, o] };
    if op == BinOp::Pow {
        return pow(py, &args);
    }
    compute(py, &args, |arena, t| arena.binary(op, t[0], t[1]))
}

/// The hot path: the other operand is a value of the same environment or an int that fits 64
/// bits. One lock, no allocation besides the result object.
fn binop_fast(
    py: Python<'_>,
    slf: &Sym,
    other: &Bound<'_, PyAny>,
    op: BinOp,
    reflected: bool,
) -> PyResult<Option<Py<PyAny>>> {
    // Ints first: the exact-int check is a flag test, cheaper than three failed class casts.
    let small = if other.is_exact_instance_of::<PyInt>() {
        match other.extract::<i64>() {
            Ok(v) => Some(v),
            Err(_) => return Ok(None),
        }
    } else {
        None
    };
    let other_term = if small.is_some() {
        None
    } else {
        match borrow_sym(other) {
            Some(o) if Arc::ptr_eq(&o.env, &slf.env) => Some(o.term),
            _ => return Ok(None),
        }
    };
    let mut arena = slf.env.arena.lock();
    let o = match (other_term, small) {
        (Some(t), _) => t,
        (None, Some(v)) => arena.small_int_term(v).map_err(py_err)?,
        (None, None) => return Ok(None),
    };
    let (a, b) = if reflected { (o, slf.term) } else { (slf.term, o) };
    let key = (op as u8, a, b);
    if let Some(obj) = arena.cached(py, &key) {
        return Ok(Some(obj));
    }
    let t = arena.binary(op, a, b).map_err(py_err)?;
    let t = arena.canonical(t).map_err(py_err)?;
    let sort = arena.sort(t.value);
    // Allocating a Python object can run the garbage collector and with it arbitrary finalizers,
    // which may use this environment: never allocate under the lock.
    drop(arena);
    let obj = wrap(py, slf.env.clone(), t, sort)?;
    let evicted = slf.env.arena.lock().remember(key, obj.clone_ref(py));
    drop(evicted);
    Ok(Some(obj))
}

/// `a ** b`. Python's result type depends on the exponent's sign (an int for `b >= 0`, a float
/// otherwise), so a symbolic integer exponent is first decided by a guard on `b >= 0`.
pub fn pow(py: Python<'_>, args: &[Arg; 2]) -> PyResult<Py<PyAny>> {
    let (env, cond) = run(args, |arena, t| {
        let symbolic_int_exp = arena.sort(t[1].value) == Sort::Int
            && arena.sort(t[0].value) != Sort::Float
            && !matches!(arena.node(t[1].value), Node::Int(_));
        if !symbolic_int_exp {
            return Ok(None);
        }
        let zero = arena.int_term(0)?;
        Ok(Some(arena.binary(BinOp::Ge, t[1], zero)?))
    })?;
    let non_negative = match cond {
        None => true,
        Some(c) => {
            let b = wrap(py, env, c, Sort::Bool)?;
            b.bind(py).is_truthy()?
        }
    };
    compute(py, args, |arena, t| {
        if non_negative {
            arena.binary(BinOp::Pow, t[0], t[1])
        } else {
            let a = arena.unary(UnOp::ToFloat, t[0])?;
            let b = arena.unary(UnOp::ToFloat, t[1])?;
            arena.binary(BinOp::Pow, a, b)
        }
    })
}

/// 3-argument `pow(a, b, m)`.
pub fn pow_mod(py: Python<'_>, args: [Arg; 3]) -> PyResult<Py<PyAny>> {
    compute(py, &args, |arena, t| arena.pow_mod_term(t[0], t[1], t[2]))
}

/// `pow(self, other[, modulo])` or its reflection.
pub fn pow_method(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    slf: &Sym,
    other: &Bound<'_, PyAny>,
    modulo: Option<&Bound<'_, PyAny>>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let Some(m) = modulo.filter(|m| !m.is_none()) else {
        return binop(py, obj, slf, other, BinOp::Pow, reflected);
    };
    let Some(o) = extract_arg(other)? else {
        return Ok(py.NotImplemented());
    };
    if mode_active() {
        let args = if reflected { [other, obj, m] } else { [obj, other, m] };
        return dispatch(py, Func::Pow3, &args);
    }
    let m = require_arg(m, "pow() modulus")?;
    let me = Arg::Sym(slf.clone());
    let args = if reflected { [o, me, m] } else { [me, o, m] };
    pow_mod(py, args)
}

/// `divmod(a, b)` as a tuple of `a // b` and `a % b`.
pub fn divmod(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    slf: &Sym,
    other: &Bound<'_, PyAny>,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    if mode_active() {
        return dispatch_binary(py, Func::Divmod, obj, other, reflected);
    }
    let q = binop_native(py, slf, other, BinOp::FloorDiv, reflected)?;
    if q.is(py.NotImplemented()) {
        return Ok(q);
    }
    let r = binop_native(py, slf, other, BinOp::Mod, reflected)?;
    Ok((q, r).into_pyobject(py)?.into_any().unbind())
}

/// A comparison (`__richcmp__`).
pub fn richcmp(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    slf: &Sym,
    other: &Bound<'_, PyAny>,
    op: CompareOp,
) -> PyResult<Py<PyAny>> {
    let op = match op {
        CompareOp::Eq => BinOp::Eq,
        CompareOp::Ne => BinOp::Ne,
        CompareOp::Lt => BinOp::Lt,
        CompareOp::Le => BinOp::Le,
        CompareOp::Gt => BinOp::Gt,
        CompareOp::Ge => BinOp::Ge,
    };
    binop(py, obj, slf, other, op, false)
}

/// `op self` computed natively (no mode check): for internal use.
pub fn unop(py: Python<'_>, slf: &Sym, op: UnOp) -> PyResult<Py<PyAny>> {
    compute(py, &[Arg::Sym(slf.clone())], |arena, t| arena.unary(op, t[0]))
}

/// A unary magic method: `func` is its public callable (`operator.neg`, `math.floor`, ...).
pub fn unary_method(py: Python<'_>, obj: &Bound<'_, PyAny>, slf: &Sym, op: UnOp, func: Func) -> PyResult<Py<PyAny>> {
    if mode_active() {
        return dispatch(py, func, &[obj]);
    }
    unop(py, slf, op)
}

/// `round(self[, ndigits])`.
pub fn round(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    slf: &Sym,
    ndigits: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let ndigits = ndigits.filter(|n| !n.is_none());
    if mode_active() {
        return match ndigits {
            None => dispatch(py, Func::Round, &[obj]),
            Some(n) => dispatch(py, Func::Round, &[obj, n]),
        };
    }
    match ndigits {
        None => unop(py, slf, UnOp::Round),
        Some(n) => {
            let n = require_arg(n, "round() ndigits")?;
            compute(py, &[Arg::Sym(slf.clone()), n], |arena, t| {
                arena.round_ndigits_term(t[0], t[1])
            })
        }
    }
}

/// The concrete value after converting by `op` (`int()`, `bool()`, ...), deciding a symbolic one
/// through the owning ShapeEnv. `func` is the conversion's public callable.
pub fn concrete(py: Python<'_>, obj: &Bound<'_, PyAny>, slf: &Sym, op: UnOp, func: Func) -> PyResult<Py<PyAny>> {
    if mode_active() {
        return dispatch(py, func, &[obj]);
    }
    let value = unop(py, slf, op)?;
    let sym = crate::sym::as_sym(value.bind(py))
        .ok_or_else(|| py_err(symcore_engine::EngineError::Type("internal".into())))?;
    concretize(py, &sym, value)
}

/// `float(self)` of an int-like value: the concrete int, converted as Python converts ints.
pub fn int_to_float(py: Python<'_>, obj: &Bound<'_, PyAny>, slf: &Sym) -> PyResult<Py<PyAny>> {
    if mode_active() {
        return dispatch(py, Func::Float, &[obj]);
    }
    let i = concrete(py, obj, slf, UnOp::ToInt, Func::Int)?;
    Ok(PyFloat::type_object(py).call1((i,))?.unbind())
}

/// Generates the `#[pymethods]` block of a value class: the shared methods plus `$extra`.
macro_rules! sym_pymethods {
    // `SymInt` and `SymBool`: also the integer-only methods (bitwise operations, `__index__`).
    (int_like $ty:ident, $pyname:literal, { $($extra:tt)* }) => {
        $crate::methods::sym_pymethods!($ty, $pyname, {
        fn __lshift__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::LShift, false)
        }
        fn __rlshift__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::LShift, true)
        }
        fn __rshift__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::RShift, false)
        }
        fn __rrshift__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::RShift, true)
        }
        fn __and__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::BitAnd, false)
        }
        fn __rand__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::BitAnd, true)
        }
        fn __or__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::BitOr, false)
        }
        fn __ror__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::BitOr, true)
        }
        fn __xor__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::BitXor, false)
        }
        fn __rxor__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
            $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::BitXor, true)
        }
        fn __int__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
            $crate::methods::concrete(py, slf.as_any(), &slf.get().0, UnOp::ToInt, Func::Int)
        }
        fn __index__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
            $crate::methods::concrete(py, slf.as_any(), &slf.get().0, UnOp::ToInt, Func::Index)
        }
        fn __float__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
            $crate::methods::int_to_float(py, slf.as_any(), &slf.get().0)
        }
            $($extra)*
        });
    };
    ($ty:ident, $pyname:literal, { $($extra:tt)* }) => {
        #[pymethods]
        impl $ty {
            fn __add__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Add, false)
            }
            fn __radd__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Add, true)
            }
            fn __sub__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Sub, false)
            }
            fn __rsub__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Sub, true)
            }
            fn __mul__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Mul, false)
            }
            fn __rmul__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Mul, true)
            }
            fn __truediv__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::TrueDiv, false)
            }
            fn __rtruediv__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::TrueDiv, true)
            }
            fn __floordiv__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::FloorDiv, false)
            }
            fn __rfloordiv__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::FloorDiv, true)
            }
            fn __mod__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Mod, false)
            }
            fn __rmod__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::binop(py, slf.as_any(), &slf.get().0, other, BinOp::Mod, true)
            }
            fn __divmod__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::divmod(py, slf.as_any(), &slf.get().0, other, false)
            }
            fn __rdivmod__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                $crate::methods::divmod(py, slf.as_any(), &slf.get().0, other, true)
            }
            fn __pow__(slf: &Bound<'_, Self>, py: Python<'_>,
                other: &Bound<'_, PyAny>,
                modulo: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                $crate::methods::pow_method(py, slf.as_any(), &slf.get().0, other, modulo, false)
            }
            fn __rpow__(slf: &Bound<'_, Self>, py: Python<'_>,
                other: &Bound<'_, PyAny>,
                modulo: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                $crate::methods::pow_method(py, slf.as_any(), &slf.get().0, other, modulo, true)
            }
            fn __richcmp__(slf: &Bound<'_, Self>, py: Python<'_>, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
                $crate::methods::richcmp(py, slf.as_any(), &slf.get().0, other, op)
            }
            fn __neg__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
                $crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Neg, Func::Neg)
            }
            fn __pos__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
                $crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Pos, Func::Pos)
            }
            fn __abs__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
                $crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Abs, Func::Abs)
            }
            fn __floor__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
                $crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Floor, Func::Floor)
            }
            fn __ceil__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
                $crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Ceil, Func::Ceil)
            }
            fn __trunc__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<Py<PyAny>> {
                $crate::methods::unary_method(py, slf.as_any(), &slf.get().0, UnOp::Trunc, Func::Trunc)
            }
            #[pyo3(signature = (ndigits=None))]
            fn __round__(slf: &Bound<'_, Self>, py: Python<'_>, ndigits: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                $crate::methods::round(py, slf.as_any(), &slf.get().0, ndigits)
            }
            fn __bool__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<bool> {
                $crate::methods::concrete(py, slf.as_any(), &slf.get().0, UnOp::ToBool, Func::Bool)?.bind(py).is_truthy()
            }
            fn __hash__(slf: &Bound<'_, Self>, py: Python<'_>) -> PyResult<isize> {
                slf.get().0.hash(py)
            }
            fn __repr__(&self) -> PyResult<String> {
                self.0.text()
            }
            fn __str__(&self) -> PyResult<String> {
                self.0.text()
            }
            /// The value under the symbols' hints, or None when a symbol it depends on has none.
            #[getter]
            fn hint(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                self.0.hint_py(py)
            }
            /// True for a constant: no symbols, and nothing on the way that can raise.
            #[getter]
            fn is_constant(&self) -> bool {
                self.0.constant().is_some()
            }
            /// Names of the symbols the value depends on.
            #[getter]
            fn free_symbols<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyFrozenSet>> {
                self.0.free_symbols(py)
            }
            /// The ShapeEnv that owns this value, or None.
            #[getter]
            fn shape_env(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
                let owner = self.0.env.owner.lock().as_ref().map(|w| w.clone_ref(py));
                match owner {
                    Some(w) => Ok(w.bind(py).call0()?.unbind()),
                    None => Ok(py.None()),
                }
            }
            /// The value with symbols replaced: `x.subs({"s0": 3})` or `x.subs([(s0, s1 + 1)])`.
            fn subs(&self, py: Python<'_>, mapping: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                self.0.subs(py, mapping)
            }
            /// A hashable structural key: equal keys iff the same canonical expression.
            fn key<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
                self.0.key(py)
            }
            $($extra)*
        }
    };
}

pub(crate) use sym_pymethods;
