//! Constructors for the float side: constant folding with CPython's semantics, no algebraic
//! rewriting (float arithmetic is not associative, so only exact identities apply).

use std::cmp::Ordering;

use crate::arena::Arena;
use crate::error::{EngineError, Result};
use crate::float::{cmp_int_float, float_floordiv, float_mod, float_pow, float_true_div, int_true_div};
use crate::id::ExprId;
use crate::node::{CmpOp, FloatOp, Node, Sort};
use crate::num::{Integer, RoundMode};

/// A numeric constant of either sort.
#[derive(Clone)]
pub(crate) enum Num {
    Int(Integer),
    Float(f64),
}

impl Num {
    pub(crate) fn to_f64(&self) -> Result<f64> {
        match self {
            Num::Int(i) => i.to_f64(),
            Num::Float(f) => Ok(*f),
        }
    }
}

/// `op` on two constants, as Python computes it, with a float result.
pub(crate) fn fold_float_op(op: FloatOp, a: &Num, b: &Num) -> Result<f64> {
    if let (FloatOp::Div, Num::Int(x), Num::Int(y)) = (op, a, b) {
        return int_true_div(x, y);
    }
    if matches!(op, FloatOp::Min | FloatOp::Max) {
        // Python's max(a, b) keeps `a` unless `b > a`; min keeps `a` unless `b < a`.
        let take_b = match num_cmp(b, a) {
            Some(Ordering::Greater) => op == FloatOp::Max,
            Some(Ordering::Less) => op == FloatOp::Min,
            _ => false,
        };
        return if take_b { b.to_f64() } else { a.to_f64() };
    }
    let (x, y) = (a.to_f64()?, b.to_f64()?);
    match op {
        FloatOp::Add => Ok(x + y),
        FloatOp::Sub => Ok(x - y),
        FloatOp::Mul => Ok(x * y),
        FloatOp::Div => float_true_div(x, y),
        FloatOp::FloorDiv => float_floordiv(x, y),
        FloatOp::Mod => float_mod(x, y),
        FloatOp::Pow => float_pow(x, y),
        FloatOp::Min | FloatOp::Max => unreachable_minmax(),
    }
}

fn unreachable_minmax() -> Result<f64> {
    Err(EngineError::Type("min/max handled above".into()))
}

/// Exact comparison of two numeric constants (`None` when a NaN is involved).
pub(crate) fn num_cmp(a: &Num, b: &Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(y)),
        (Num::Int(x), Num::Float(y)) => cmp_int_float(x, *y),
        (Num::Float(x), Num::Int(y)) => cmp_int_float(y, *x).map(Ordering::reverse),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(y),
    }
}

/// Applies a comparison operator to an ordering (`None`: unordered, i.e. NaN).
pub(crate) fn cmp_holds(op: CmpOp, ord: Option<Ordering>) -> bool {
    match ord {
        None => op == CmpOp::Ne,
        Some(o) => match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        },
    }
}

impl Arena {
    /// The constant value of a numeric node, if it is one.
    pub(crate) fn num(&self, id: ExprId) -> Option<Num> {
        match self.node(id) {
            Node::Int(v) => Some(Num::Int(v.clone())),
            Node::Float(bits) => Some(Num::Float(f64::from_bits(*bits))),
            _ => None,
        }
    }

    /// A float-valued binary operation; operands are int or float expressions.
    pub fn float_bin(&mut self, op: FloatOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        if let (Some(x), Some(y)) = (self.num(a), self.num(b)) {
            let v = fold_float_op(op, &x, &y)?;
            return self.float(v);
        }
        if matches!(op, FloatOp::Div | FloatOp::FloorDiv | FloatOp::Mod) {
            if let Some(y) = self.num(b) {
                let zero = match &y {
                    Num::Int(i) => i.is_zero(),
                    Num::Float(f) => *f == 0.0,
                };
                if zero {
                    // Python raises before looking at the dividend.
                    let msg = match op {
                        FloatOp::Div if matches!(y, Num::Int(_)) && self.sort(a) == Sort::Int => "division by zero",
                        FloatOp::Div => "float division by zero",
                        FloatOp::FloorDiv => "float floor division by zero",
                        _ => "float modulo",
                    };
                    return Err(EngineError::zero_div(msg));
                }
            }
        }
        self.intern(Node::FloatBin(op, a, b), Sort::Float)
    }

    /// `float(a)` of an integer (identity on floats).
    pub fn to_float(&mut self, a: ExprId) -> Result<ExprId> {
        match self.node(a) {
            Node::Int(v) => {
                let f = v.to_f64()?;
                self.float(f)
            }
            _ if self.sort(a) == Sort::Float => Ok(a),
            _ => self.intern(Node::ToFloat(a), Sort::Float),
        }
    }

    /// `-a` of a float.
    pub fn float_neg(&mut self, a: ExprId) -> Result<ExprId> {
        match *self.node(a) {
            Node::Float(bits) => self.float(-f64::from_bits(bits)),
            Node::FloatNeg(x) => Ok(x),
            _ => self.intern(Node::FloatNeg(a), Sort::Float),
        }
    }

    /// `abs(a)` of a float.
    pub fn float_abs(&mut self, a: ExprId) -> Result<ExprId> {
        match *self.node(a) {
            Node::Float(bits) => self.float(f64::from_bits(bits).abs()),
            Node::FloatAbs(_) => Ok(a),
            Node::FloatNeg(x) => self.float_abs(x),
            _ => self.intern(Node::FloatAbs(a), Sort::Float),
        }
    }

    /// `math.floor`, `math.ceil`, `math.trunc` or `round` of a number, as an integer.
    pub fn float_to_int(&mut self, mode: RoundMode, a: ExprId) -> Result<ExprId> {
        match self.node(a) {
            Node::Float(bits) => {
                let v = Integer::from_f64(f64::from_bits(*bits), mode)?;
                self.int(v)
            }
            _ if self.sort(a) == Sort::Int => Ok(a),
            // int(float(n)) is n whenever float(n) is exact; it is not in general, so no rewrite.
            _ => self.intern(Node::FloatToInt(mode, a), Sort::Int),
        }
    }

    /// `round(a, ndigits)` of a float (a float result).
    pub fn float_round(&mut self, a: ExprId, ndigits: ExprId) -> Result<ExprId> {
        if let (Node::Float(bits), Node::Int(n)) = (self.node(a), self.node(ndigits)) {
            let v = crate::float::round_float_ndigits(f64::from_bits(*bits), n)?;
            return self.float(v);
        }
        self.intern(Node::FloatRound(a, ndigits), Sort::Float)
    }

    /// A comparison where at least one operand is a float.
    pub fn float_cmp(&mut self, op: CmpOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        if let (Some(x), Some(y)) = (self.num(a), self.num(b)) {
            return self.boolean(cmp_holds(op, num_cmp(&x, &y)));
        }
        self.intern(Node::FloatCmp(op, a, b), Sort::Bool)
    }
}
