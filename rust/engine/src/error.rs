//! The one error type of the engine. Each variant names a failure; the bindings map each
//! variant onto the Python exception a Python user expects for it.

use thiserror::Error;

/// Everything that can go wrong when building, evaluating, printing or parsing an expression.
///
/// No engine function panics on bad input: every failure a caller can provoke is one of these.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    /// Integer or float division, floor division or modulo by zero (Python `ZeroDivisionError`).
    #[error("{0}")]
    DivisionByZero(String),
    /// A shift by a negative count (Python `ValueError: negative shift count`).
    #[error("negative shift count")]
    NegativeShift,
    /// A float conversion or float operation whose result does not fit a float
    /// (Python `OverflowError`). Integer arithmetic never overflows.
    #[error("{0}")]
    Overflow(String),
    /// A value outside an operation's domain: NaN to int, `pow(a, b, 0)`, a non-invertible base,
    /// a complex result (Python `ValueError`).
    #[error("{0}")]
    InvalidValue(String),
    /// Operands of sorts the operation does not accept, e.g. a boolean in arithmetic
    /// (Python `TypeError`).
    #[error("{0}")]
    Type(String),
    /// Text that is not in the printed expression language (Python `ValueError`).
    #[error("parse error at position {pos}: {msg}")]
    Parse {
        /// Byte offset of the offending token in the input.
        pos: usize,
        /// What was wrong there.
        msg: String,
    },
    /// A name that no symbol of this arena has.
    #[error("unknown symbol {0:?}")]
    UnknownSymbol(String),
    /// A symbol declared twice, or a name that cannot be a symbol.
    #[error("{0}")]
    BadSymbol(String),
    /// Evaluation reached a symbol that the binding does not give a value.
    #[error("no value for symbol {0:?}")]
    UnboundSymbol(String),
    /// Values from two different environments met in one operation.
    #[error("cannot combine expressions from two different environments")]
    MixedEnvironments,
    /// A fact that contradicts what is already known (it can never hold together with it).
    #[error("{0}")]
    Contradiction(String),
    /// A result past the engine's resource limits (an integer of more than
    /// [`crate::MAX_INT_BITS`] bits, a printed form over [`crate::MAX_PRINT_LEN`] bytes).
    #[error("{0}")]
    TooLarge(String),
}

/// Shorthand used across the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl EngineError {
    /// `ZeroDivisionError` with Python's message for the operation.
    pub(crate) fn zero_div(msg: &str) -> Self {
        EngineError::DivisionByZero(msg.to_owned())
    }
}
