//! The node kinds of the arena and their invariants.

use crate::id::{ExprId, SymbolId};
use crate::num::{Integer, RoundMode};

/// What an expression denotes: Python's `int`, `bool` or `float`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sort {
    /// An exact integer.
    Int,
    /// A truth value.
    Bool,
    /// An IEEE double with CPython's semantics.
    Float,
}

/// Operations on floats (operands are int or float nodes; ints are converted as Python does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FloatOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/` (also `int / int`, correctly rounded)
    Div,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `sym_min`
    Min,
    /// `sym_max`
    Max,
}

/// Comparison operators (for float comparisons; integer comparisons are canonicalised onto
/// [`Node::Le0`], [`Node::Eq0`] and [`Node::Ne0`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Bitwise and shift operations with at least one symbolic operand (constants fold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BitOp {
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
    /// `<<` (by a symbolic count; by a constant it is a multiplication)
    Shl,
    /// `>>` (by a symbolic count; by a constant it is a floor division)
    Shr,
}

/// One node. Children are always older ids (see [`ExprId`]).
///
/// Integer nodes are in canonical form, which the constructors in [`crate::Arena`] maintain:
/// - [`Node::Sum`] is `constant + Σ coeff·term`: at least one term, terms sorted by id with
///   non-zero coefficients, no term is itself an `Int` or a `Sum`, and never the bare `1·t + 0`.
/// - [`Node::Product`] is `Π factor^exp`: factors sorted by id, exponents >= 1, no factor is an
///   `Int` or a `Product`, and never the bare `t^1`. A factor is a `Sum` only when expanding the
///   product would pass the expansion bound.
/// - Every other integer node is an atom with its own rewrite rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    /// An integer constant.
    Int(Integer),
    /// A declared symbol.
    Symbol(SymbolId),
    /// `constant + Σ coeff·term`.
    Sum {
        /// The constant part.
        constant: Integer,
        /// `(term, coefficient)` pairs.
        terms: Box<[(ExprId, Integer)]>,
    },
    /// `Π factor^exp`.
    Product(Box<[(ExprId, u32)]>),
    /// `a // b` with Python rounding (the divisor is never the constant 0, 1 or -1, and a
    /// constant divisor is positive).
    FloorDiv(ExprId, ExprId),
    /// `a % b` with Python signs (same divisor rules as `FloorDiv`).
    Mod(ExprId, ExprId),
    /// `a ** b` with a symbolic exponent, which must be >= 0 when evaluated.
    Pow(ExprId, ExprId),
    /// `pow(a, b, m)`.
    PowMod(ExprId, ExprId, ExprId),
    /// `min(...)` of two or more distinct operands, sorted, at most one constant.
    Min(Box<[ExprId]>),
    /// `max(...)`, same rules as `Min`.
    Max(Box<[ExprId]>),
    /// `abs(a)`.
    Abs(ExprId),
    /// Bitwise or shift operation.
    Bit(BitOp, ExprId, ExprId),
    /// A float rounded to an integer (`math.floor`, `math.ceil`, `math.trunc`, `round`).
    FloatToInt(RoundMode, ExprId),

    /// A boolean constant.
    Bool(bool),
    /// `e <= 0` for an integer `e` whose coefficients (with the constant) have gcd 1.
    Le0(ExprId),
    /// `e == 0`, `e` gcd-normalised with a positive leading coefficient.
    Eq0(ExprId),
    /// `e != 0`, normalised like `Eq0`.
    Ne0(ExprId),
    /// Conjunction of two or more distinct non-constant booleans, sorted.
    And(Box<[ExprId]>),
    /// Disjunction, same rules as `And`.
    Or(Box<[ExprId]>),
    /// Negation of a boolean that has no cheaper negated form (a float comparison, an `ite`).
    Not(ExprId),
    /// A comparison with at least one float operand (exact, as Python compares int with float).
    FloatCmp(CmpOp, ExprId, ExprId),

    /// A float constant, by bits (all NaNs share one bit pattern).
    Float(u64),
    /// `float(a)` of an integer.
    ToFloat(ExprId),
    /// A binary float operation; operands may be int or float.
    FloatBin(FloatOp, ExprId, ExprId),
    /// `-a` of a float.
    FloatNeg(ExprId),
    /// `abs(a)` of a float.
    FloatAbs(ExprId),
    /// `round(a, ndigits)` of a float: a float.
    FloatRound(ExprId, ExprId),

    /// `c if cond else a` of any sort: `Ite(cond, then, else)`; both branches have one sort.
    Ite(ExprId, ExprId, ExprId),

    /// Not a value: one link of the ordered list of partial subexpressions (divisions by a
    /// symbolic divisor, float conversions, ...) that an expression's computation went through.
    /// Evaluating them first makes evaluation raise exactly where Python would, even after
    /// simplification has cancelled the subexpression out of the value (`(s0 // s1) * 0` raises
    /// at `s1 = 0`).
    Checks(CheckLink),
}

impl Node {
    /// Calls `f` on every child id, in order.
    pub fn for_each_child(&self, mut f: impl FnMut(ExprId)) {
        match self {
            Node::Int(_) | Node::Symbol(_) | Node::Bool(_) | Node::Float(_) => {}
            Node::Sum { terms, .. } => terms.iter().for_each(|&(t, _)| f(t)),
            Node::Product(factors) => factors.iter().for_each(|&(t, _)| f(t)),
            Node::Min(xs) | Node::Max(xs) | Node::And(xs) | Node::Or(xs) => {
                xs.iter().for_each(|&x| f(x));
            }
            Node::Checks(link) => {
                if let Some(p) = link.prev {
                    f(p);
                }
                f(link.item);
            }
            Node::FloorDiv(a, b)
            | Node::Mod(a, b)
            | Node::Pow(a, b)
            | Node::Bit(_, a, b)
            | Node::FloatCmp(_, a, b)
            | Node::FloatBin(_, a, b)
            | Node::FloatRound(a, b) => {
                f(*a);
                f(*b);
            }
            Node::PowMod(a, b, c) | Node::Ite(a, b, c) => {
                f(*a);
                f(*b);
                f(*c);
            }
            Node::Abs(a)
            | Node::FloatToInt(_, a)
            | Node::Le0(a)
            | Node::Eq0(a)
            | Node::Ne0(a)
            | Node::Not(a)
            | Node::ToFloat(a)
            | Node::FloatNeg(a)
            | Node::FloatAbs(a) => f(*a),
        }
    }

    /// The float value of a `Float` node.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Node::Float(bits) => Some(f64::from_bits(*bits)),
            _ => None,
        }
    }

    /// The value of an `Int` node.
    pub fn as_int(&self) -> Option<&Integer> {
        match self {
            Node::Int(v) => Some(v),
            _ => None,
        }
    }
}

/// A cons cell of a check list: the list `prev` followed by `item`. Lists share their prefixes,
/// so extending one is O(1) and a value derived from another shares its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CheckLink {
    /// The list before this item (`None` for a one-item list).
    pub prev: Option<ExprId>,
    /// The partial node.
    pub item: ExprId,
    /// Number of items in the list up to and including this one.
    pub len: u32,
    /// The largest item id in the list (a newer node cannot be in it).
    pub max: ExprId,
}

/// Bits under which a float constant is stored (NaNs canonicalised so they hash-cons).
pub fn float_key(v: f64) -> u64 {
    if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    }
}
