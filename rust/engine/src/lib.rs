//! # symcore-engine
//!
//! Symbolic integer expressions with exact Python semantics, stored in a hash-consed arena.
//!
//! An [`Arena`] owns nodes; an [`ExprId`] names one. Constructors fold constants and keep
//! expressions canonical (sums of monomials with integer coefficients, atoms for floor division,
//! modulo, min/max, ...), so equal-as-polynomials expressions get equal ids. Values that user
//! code holds are [`Term`]s: a canonical value plus the partial subexpressions the computation
//! went through, so evaluation raises exactly where Python would.
//!
//! ```
//! use symcore_engine::{Arena, BinOp, SymbolInfo, Value};
//!
//! let mut arena = Arena::new();
//! let s0 = arena
//!     .declare_symbol(SymbolInfo { name: "s0".into(), hint: Some(5.into()), min: None, max: None })
//!     .unwrap();
//! let one = arena.int_term(1).unwrap();
//! let a = arena.binary(BinOp::Add, s0, one).unwrap(); // s0 + 1
//! let sq = arena.binary(BinOp::Mul, a, a).unwrap(); // (s0 + 1)**2, expanded
//! let s0s0 = arena.binary(BinOp::Mul, s0, s0).unwrap();
//! let two_s0 = arena.binary(BinOp::Add, s0, s0).unwrap();
//! let d = arena.binary(BinOp::Sub, sq, s0s0).unwrap();
//! let d = arena.binary(BinOp::Sub, d, two_s0).unwrap();
//! assert_eq!(d, one); // the very same id as the constant 1
//! assert_eq!(arena.hint(sq).unwrap(), Some(Value::Int(36.into())));
//! ```
#![warn(missing_docs)]

mod arena;
mod bool_ops;
mod decide;
mod error;
mod eval;
pub mod float;
mod float_ops;
mod id;
mod int_ops;
mod knowledge;
mod node;
pub mod num;
mod ops;
mod parse;
mod print;
mod range;

pub use arena::{is_valid_symbol_name, Arena, SymbolInfo, Term};
pub use decide::Decision;
pub use error::{EngineError, Result};
pub use eval::Value;
pub use id::{ExprId, SymbolId};
pub use int_ops::MAX_EXPAND_TERMS;
pub use knowledge::Learned;
pub use node::{BitOp, CmpOp, FloatOp, Node, Sort};
pub use num::{Integer, RoundMode, MAX_INT_BITS};
pub use ops::{BinOp, UnOp};
pub use parse::parse;
pub use print::{print, MAX_PRINT_LEN};
pub use range::{Bound, Range};
