//! The per-thread stack of `SymDispatchMode`s and the call into the innermost one.
//!
//! Every operation on a value checks [`mode_active`] — one thread-local read — and, with a mode
//! active, hands the call to [`dispatch`]: the innermost mode is popped, its
//! `__sym_dispatch__(func, types, args, kwargs)` runs with `func` the operation's public callable
//! (`operator.add`, `math.floor`, `symcore.sym_max`, ...), and the mode is pushed back on every
//! exit. So a handler computing `func(*args, **kwargs)` reaches the next mode out, or the native
//! code.

use std::cell::{Cell, RefCell};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyModule, PyTuple, PyType};
use symcore_engine::BinOp;

use crate::sym::borrow_sym;

thread_local! {
    /// Number of modes on this thread's stack (the hot-path flag).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// This thread's modes, innermost last.
    static MODES: RefCell<Vec<Py<PyAny>>> = const { RefCell::new(Vec::new()) };
}

/// True when a mode is active on this thread.
#[inline]
pub fn mode_active() -> bool {
    DEPTH.with(Cell::get) != 0
}

/// The public callable of each interceptable operation, in [`Func`] order.
const FUNCS: &[(&str, &str)] = &[
    ("operator", "add"),
    ("operator", "sub"),
    ("operator", "mul"),
    ("operator", "truediv"),
    ("operator", "floordiv"),
    ("operator", "mod"),
    ("operator", "pow"),
    ("operator", "lshift"),
    ("operator", "rshift"),
    ("operator", "and_"),
    ("operator", "or_"),
    ("operator", "xor"),
    ("operator", "eq"),
    ("operator", "ne"),
    ("operator", "lt"),
    ("operator", "le"),
    ("operator", "gt"),
    ("operator", "ge"),
    ("operator", "neg"),
    ("operator", "pos"),
    ("builtins", "abs"),
    ("operator", "invert"),
    ("math", "floor"),
    ("math", "ceil"),
    ("math", "trunc"),
    ("builtins", "round"),
    ("builtins", "divmod"),
    ("builtins", "pow"),
    ("builtins", "bool"),
    ("builtins", "int"),
    ("builtins", "float"),
    ("operator", "index"),
    ("symcore._core", "sym_max"),
    ("symcore._core", "sym_min"),
    ("symcore._core", "sym_not"),
    ("symcore._core", "sym_ite"),
    ("symcore._core", "sym_float"),
    ("symcore._core", "sym_int"),
    ("builtins", "max"),
    ("builtins", "min"),
    ("operator", "getitem"),
];

/// An interceptable operation (an index into [`FUNCS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Func {
    Add,
    Sub,
    Mul,
    TrueDiv,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    And,
    Or,
    Xor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Neg,
    Pos,
    Abs,
    Invert,
    Floor,
    Ceil,
    Trunc,
    Round,
    Divmod,
    Pow3,
    Bool,
    Int,
    Float,
    Index,
    SymMax,
    SymMin,
    SymNot,
    SymIte,
    SymFloat,
    SymInt,
    /// `builtins.max` (for plain arguments of `sym_max`; never dispatched).
    BuiltinMax,
    /// `builtins.min`.
    BuiltinMin,
    /// `operator.getitem` (recorded for the items of a `divmod`).
    GetItem,
}

impl Func {
    /// The callable of a binary operator.
    pub fn of_binop(op: BinOp) -> Func {
        match op {
            BinOp::Add => Func::Add,
            BinOp::Sub => Func::Sub,
            BinOp::Mul => Func::Mul,
            BinOp::TrueDiv => Func::TrueDiv,
            BinOp::FloorDiv => Func::FloorDiv,
            BinOp::Mod => Func::Mod,
            BinOp::Pow => Func::Pow,
            BinOp::LShift => Func::LShift,
            BinOp::RShift => Func::RShift,
            BinOp::BitAnd | BinOp::And => Func::And,
            BinOp::BitOr | BinOp::Or => Func::Or,
            BinOp::BitXor => Func::Xor,
            BinOp::Eq => Func::Eq,
            BinOp::Ne => Func::Ne,
            BinOp::Lt => Func::Lt,
            BinOp::Le => Func::Le,
            BinOp::Gt => Func::Gt,
            BinOp::Ge => Func::Ge,
            BinOp::Min => Func::SymMin,
            BinOp::Max => Func::SymMax,
        }
    }

    /// The public callable (filled by [`init`] when the module is imported).
    pub fn callable<'py>(self, py: Python<'py>) -> PyResult<&'py Bound<'py, PyAny>> {
        let table = TABLE
            .get(py)
            .ok_or_else(|| PyRuntimeError::new_err("symcore._core is not initialised"))?;
        table
            .get(self as usize)
            .map(|f| f.bind(py))
            .ok_or_else(|| PyRuntimeError::new_err("symcore: unknown operation"))
    }
}

static TABLE: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

/// Looks up every callable in [`FUNCS`] once, while the module is imported: importing later could
/// happen inside generated code whose globals have no `__import__`.
pub fn init(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    let funcs = FUNCS
        .iter()
        .map(|(m, name)| {
            let owner = if *m == "symcore._core" {
                module.clone()
            } else {
                py.import(*m)?
            };
            Ok(owner.getattr(*name)?.unbind())
        })
        .collect::<PyResult<Vec<_>>>()?;
    let _ = TABLE.set(py, funcs);
    Ok(())
}

/// Calls the innermost mode's `__sym_dispatch__(func, types, args, {})`, with that mode popped
/// for the duration of the call.
pub fn dispatch(py: Python<'_>, func: Func, args: &[&Bound<'_, PyAny>]) -> PyResult<Py<PyAny>> {
    let Some(mode) = MODES.with(|m| m.borrow_mut().pop()) else {
        return Err(PyRuntimeError::new_err("symcore: no dispatch mode is active"));
    };
    DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    // Restores the mode however the handler exits (return, exception, or a panic unwinding).
    struct Restore(Option<Py<PyAny>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(mode) = self.0.take() {
                MODES.with(|m| m.borrow_mut().push(mode));
                DEPTH.with(|d| d.set(d.get() + 1));
            }
        }
    }
    let guard = Restore(Some(mode));
    let mode = guard
        .0
        .as_ref()
        .map(|m| m.bind(py))
        .ok_or_else(|| PyRuntimeError::new_err("unreachable"))?;
    let func_obj = func.callable(py)?;
    if let Some(out) = crate::recorder::try_native(py, mode, func_obj, args)? {
        drop(guard);
        return Ok(out);
    }
    let mut types: Vec<Bound<'_, PyType>> = Vec::new();
    for a in args {
        if borrow_sym(a).is_some() {
            let t = a.get_type();
            if !types.iter().any(|x| x.is(&t)) {
                types.push(t);
            }
        }
    }
    let types = PyTuple::new(py, types)?;
    let args = PyTuple::new(py, args)?;
    let result = mode.call_method1(
        pyo3::intern!(py, "__sym_dispatch__"),
        (func_obj, types, args, PyDict::new(py)),
    )?;
    drop(guard);
    Ok(result.unbind())
}

/// Pushes `mode` as the innermost mode of this thread. A mode already on the stack is refused:
/// entering it twice would make its handler see its own redispatches.
#[pyfunction]
pub fn push_mode(py: Python<'_>, mode: Py<PyAny>) -> PyResult<()> {
    if !mode.bind(py).hasattr("__sym_dispatch__")? {
        return Err(PyTypeError::new_err(
            "a dispatch mode must define __sym_dispatch__(func, types, args, kwargs)",
        ));
    }
    MODES.with(|m| {
        let mut modes = m.borrow_mut();
        if modes.iter().any(|x| x.is(&mode)) {
            return Err(PyRuntimeError::new_err(
                "this dispatch mode is already active on this thread",
            ));
        }
        modes.push(mode);
        DEPTH.with(|d| d.set(modes.len()));
        Ok(())
    })
}

/// Pops `mode`, which must be the innermost mode of this thread.
#[pyfunction]
pub fn pop_mode(py: Python<'_>, mode: Py<PyAny>) -> PyResult<()> {
    MODES.with(|m| {
        let mut modes = m.borrow_mut();
        match modes.last() {
            Some(top) if top.is(&mode) => {
                let popped = modes.pop();
                DEPTH.with(|d| d.set(modes.len()));
                drop(modes);
                drop(popped);
                Ok(())
            }
            Some(_) => Err(PyRuntimeError::new_err(
                "dispatch modes must exit in the reverse order they entered: this mode is not the innermost",
            )),
            None => {
                let _ = py;
                Err(PyRuntimeError::new_err(
                    "this dispatch mode is not active on this thread",
                ))
            }
        }
    })
}

/// This thread's active modes, outermost first.
#[pyfunction]
pub fn active_modes<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let modes: Vec<Py<PyAny>> = MODES.with(|m| m.borrow().iter().map(|x| x.clone_ref(py)).collect());
    PyList::new(py, modes)
}
