//! The operations user code performs, on [`Term`]s: Python's rules for mixing ints, bools and
//! floats, the partial-operation bookkeeping of [`Node::Checks`], and the memo that makes a
//! repeated operation cost one hash lookup.

use crate::arena::{Arena, Term};
use crate::error::{EngineError, Result};
use crate::id::ExprId;
use crate::node::{BitOp, CmpOp, FloatOp, Node, Sort};
use crate::num::{Integer, RoundMode};

/// A binary operation as Python spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum BinOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b`
    TrueDiv,
    /// `a // b`
    FloorDiv,
    /// `a % b`
    Mod,
    /// `a ** b`
    Pow,
    /// `a << b`
    LShift,
    /// `a >> b`
    RShift,
    /// `a & b` (logical on two booleans)
    BitAnd,
    /// `a | b` (logical on two booleans)
    BitOr,
    /// `a ^ b` (logical on two booleans)
    BitXor,
    /// `a == b`
    Eq,
    /// `a != b`
    Ne,
    /// `a < b`
    Lt,
    /// `a <= b`
    Le,
    /// `a > b`
    Gt,
    /// `a >= b`
    Ge,
    /// `sym_min(a, b)`
    Min,
    /// `sym_max(a, b)`
    Max,
    /// `a and b` on booleans
    And,
    /// `a or b` on booleans
    Or,
}

/// A unary operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-a`
    Neg,
    /// `+a`
    Pos,
    /// `abs(a)`
    Abs,
    /// `~a` on integers
    Invert,
    /// `not a` (truthiness of any sort)
    Not,
    /// `math.floor(a)`
    Floor,
    /// `math.ceil(a)`
    Ceil,
    /// `math.trunc(a)`
    Trunc,
    /// `round(a)`
    Round,
    /// `float(a)`
    ToFloat,
    /// `int(a)`
    ToInt,
    /// `bool(a)`
    ToBool,
}

/// Key of the operation memo.
pub(crate) type OpKey = (u8, Term, Term);

const fn op_name(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::TrueDiv => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "** or pow()",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Min => "sym_min",
        BinOp::Max => "sym_max",
        BinOp::And => "and",
        BinOp::Or => "or",
    }
}

const fn sort_name(s: Sort) -> &'static str {
    match s {
        Sort::Int => "int",
        Sort::Bool => "bool",
        Sort::Float => "float",
    }
}

fn unsupported(op: BinOp, a: Sort, b: Sort) -> EngineError {
    EngineError::Type(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op_name(op),
        sort_name(a),
        sort_name(b)
    ))
}

impl Arena {
    /// True for nodes whose evaluation can raise (so they are recorded in [`Node::Checks`]).
    pub(crate) fn is_partial(&self, id: ExprId) -> bool {
        match self.node(id) {
            Node::FloorDiv(_, b) | Node::Mod(_, b) => !matches!(self.node(*b), Node::Int(_)),
            Node::Pow(..) | Node::PowMod(..) | Node::FloatToInt(..) | Node::ToFloat(_) => true,
            Node::Bit(op, ..) => matches!(op, BitOp::Shl | BitOp::Shr),
            Node::FloatBin(op, a, b) => {
                matches!(op, FloatOp::Div | FloatOp::FloorDiv | FloatOp::Mod | FloatOp::Pow)
                    || self.sort(*a) != Sort::Float
                    || self.sort(*b) != Sort::Float
            }
            Node::FloatRound(..) => true,
            _ => false,
        }
    }

    /// Wraps a freshly built value with the operands' checks, adding the value itself when it is
    /// partial.
    fn finish(&mut self, value: ExprId, checks: Option<ExprId>) -> Result<Term> {
        let checks = if self.is_partial(value) {
            self.push_check(checks, value)?
        } else {
            checks
        };
        Ok(Term { value, checks })
    }

    /// An integer view of a bool (Python's `True == 1`), identity on other sorts.
    fn numeric(&mut self, a: ExprId) -> Result<ExprId> {
        if self.sort(a) == Sort::Bool {
            let (one, zero) = (self.int(Integer::ONE)?, self.int(Integer::ZERO)?);
            self.ite(a, one, zero)
        } else {
            Ok(a)
        }
    }

    /// `a op b` with Python's semantics.
    pub fn binary(&mut self, op: BinOp, a: Term, b: Term) -> Result<Term> {
        let key = (op as u8, a, b);
        if let Some(t) = self.op_memo.get(&key) {
            return Ok(*t);
        }
        let checks = self.merge_checks(a.checks, b.checks)?;
        let value = self.binary_value(op, a.value, b.value);
        let value = self.or_pending_failure(value, checks)?;
        let t = self.finish(value, checks)?;
        self.op_memo.insert(key, t);
        Ok(t)
    }

    fn binary_value(&mut self, op: BinOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        let (sa, sb) = (self.sort(a), self.sort(b));
        match op {
            BinOp::And | BinOp::Or => {
                if sa != Sort::Bool || sb != Sort::Bool {
                    return Err(unsupported(op, sa, sb));
                }
                self.and_or(&[a, b], op == BinOp::Or)
            }
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor if sa == Sort::Bool && sb == Sort::Bool => match op {
                BinOp::BitAnd => self.and_or(&[a, b], false),
                BinOp::BitOr => self.and_or(&[a, b], true),
                _ => {
                    // a ^ b on bools is a != b.
                    let (x, y) = (self.numeric(a)?, self.numeric(b)?);
                    self.ne(x, y)
                }
            },
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::LShift | BinOp::RShift => {
                if sa == Sort::Float || sb == Sort::Float {
                    return Err(unsupported(op, sa, sb));
                }
                let (a, b) = (self.numeric(a)?, self.numeric(b)?);
                let bop = match op {
                    BinOp::BitAnd => BitOp::And,
                    BinOp::BitOr => BitOp::Or,
                    BinOp::BitXor => BitOp::Xor,
                    BinOp::LShift => BitOp::Shl,
                    _ => BitOp::Shr,
                };
                self.bit(bop, a, b)
            }
            _ => {
                let (a, b) = (self.numeric(a)?, self.numeric(b)?);
                if self.sort(a) == Sort::Int && self.sort(b) == Sort::Int {
                    self.int_binary(op, a, b)
                } else {
                    self.float_binary(op, a, b)
                }
            }
        }
    }

    fn int_binary(&mut self, op: BinOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        match op {
            BinOp::Add => self.add(a, b),
            BinOp::Sub => self.sub(a, b),
            BinOp::Mul => self.mul(a, b),
            BinOp::TrueDiv => self.float_bin(FloatOp::Div, a, b),
            BinOp::FloorDiv => self.floordiv(a, b),
            BinOp::Mod => self.modulo(a, b),
            BinOp::Pow => match self.node(b) {
                Node::Int(n) if n.is_negative() => {
                    // int ** negative int is float(a) ** float(b), as CPython computes it.
                    let (fa, fb) = (self.to_float(a)?, self.to_float(b)?);
                    self.float_bin(FloatOp::Pow, fa, fb)
                }
                _ => self.pow_sym(a, b),
            },
            BinOp::Eq => self.eq(a, b),
            BinOp::Ne => self.ne(a, b),
            BinOp::Lt => self.lt(a, b),
            BinOp::Le => self.le(a, b),
            BinOp::Gt => self.lt(b, a),
            BinOp::Ge => self.le(b, a),
            BinOp::Min => self.min_max(&[a, b], false),
            BinOp::Max => self.min_max(&[a, b], true),
            _ => Err(unsupported(op, Sort::Int, Sort::Int)),
        }
    }

    fn float_binary(&mut self, op: BinOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        let fop = match op {
            BinOp::Add => FloatOp::Add,
            BinOp::Sub => FloatOp::Sub,
            BinOp::Mul => FloatOp::Mul,
            BinOp::TrueDiv => FloatOp::Div,
            BinOp::FloorDiv => FloatOp::FloorDiv,
            BinOp::Mod => FloatOp::Mod,
            BinOp::Pow => FloatOp::Pow,
            BinOp::Min => FloatOp::Min,
            BinOp::Max => FloatOp::Max,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let cop = match op {
                    BinOp::Eq => CmpOp::Eq,
                    BinOp::Ne => CmpOp::Ne,
                    BinOp::Lt => CmpOp::Lt,
                    BinOp::Le => CmpOp::Le,
                    BinOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                return self.float_cmp(cop, a, b);
            }
            _ => return Err(unsupported(op, self.sort(a), self.sort(b))),
        };
        self.float_bin(fop, a, b)
    }

    /// `op a` with Python's semantics.
    pub fn unary(&mut self, op: UnOp, a: Term) -> Result<Term> {
        let value = self.unary_value(op, a.value);
        let value = self.or_pending_failure(value, a.checks)?;
        self.finish(value, a.checks)
    }

    /// When building a value fails on constants, Python would still have failed earlier at a
    /// pending partial operation of an operand (`((s0 // s0) * 0 + 10**400) / 1` raises
    /// ZeroDivisionError at `s0 = 0`, not OverflowError): report that one if it fails at the
    /// hints.
    fn or_pending_failure(&mut self, result: Result<ExprId>, checks: Option<ExprId>) -> Result<ExprId> {
        match (result, checks) {
            (Ok(v), _) => Ok(v),
            (Err(e), None) => Err(e),
            (Err(e), Some(c)) => match self.hint(Term {
                value: c,
                checks: Some(c),
            }) {
                Err(first) => Err(first),
                Ok(_) => Err(e),
            },
        }
    }

    fn unary_value(&mut self, op: UnOp, a: ExprId) -> Result<ExprId> {
        let sort = self.sort(a);
        if op == UnOp::Not {
            let b = self.unary_value(UnOp::ToBool, a)?;
            return self.not(b);
        }
        if op == UnOp::ToBool {
            return match sort {
                Sort::Bool => Ok(a),
                Sort::Int => {
                    let z = self.int(Integer::ZERO)?;
                    self.ne(a, z)
                }
                Sort::Float => {
                    let z = self.float(0.0)?;
                    self.float_cmp(CmpOp::Ne, a, z)
                }
            };
        }
        let a = self.numeric(a)?;
        let is_float = self.sort(a) == Sort::Float;
        match op {
            UnOp::Neg if is_float => self.float_neg(a),
            UnOp::Neg => self.neg(a),
            UnOp::Pos => Ok(a),
            UnOp::Abs if is_float => self.float_abs(a),
            UnOp::Abs => self.abs(a),
            UnOp::Invert if is_float => Err(EngineError::Type("bad operand type for unary ~: 'float'".into())),
            UnOp::Invert => self.invert(a),
            UnOp::Floor => self.float_to_int(RoundMode::Floor, a),
            UnOp::Ceil => self.float_to_int(RoundMode::Ceil, a),
            UnOp::Trunc | UnOp::ToInt => self.float_to_int(RoundMode::Trunc, a),
            UnOp::Round => self.float_to_int(RoundMode::HalfEven, a),
            UnOp::ToFloat => self.to_float(a),
            UnOp::Not | UnOp::ToBool => Err(EngineError::Type("handled above".into())),
        }
    }

    /// `then if cond else other` (`sym_ite`): both branches must have one sort (bools count as
    /// ints when the other branch is an int).
    pub fn ite_term(&mut self, cond: Term, then: Term, other: Term) -> Result<Term> {
        let c = self.unary_value(UnOp::ToBool, cond.value)?;
        let (mut x, mut y) = (then.value, other.value);
        let (sx, sy) = (self.sort(x), self.sort(y));
        if sx != sy {
            if sx == Sort::Float || sy == Sort::Float {
                return Err(EngineError::Type(format!(
                    "sym_ite branches must have the same type, got '{}' and '{}'",
                    sort_name(sx),
                    sort_name(sy)
                )));
            }
            x = self.numeric(x)?;
            y = self.numeric(y)?;
        }
        let checks = self.merge_checks(cond.checks, then.checks)?;
        let checks = self.merge_checks(checks, other.checks)?;
        let value = self.ite(c, x, y);
        let value = self.or_pending_failure(value, checks)?;
        self.finish(value, checks)
    }

    /// `sym_min(*args)` / `sym_max(*args)` of one or more values.
    pub fn min_max_terms(&mut self, args: &[Term], is_max: bool) -> Result<Term> {
        let mut checks = None;
        let mut values = Vec::with_capacity(args.len());
        for t in args {
            checks = self.merge_checks(checks, t.checks)?;
            values.push(self.numeric(t.value)?);
        }
        let value = self.min_max_value(&values, is_max);
        let value = self.or_pending_failure(value, checks)?;
        self.finish(value, checks)
    }

    fn min_max_value(&mut self, values: &[ExprId], is_max: bool) -> Result<ExprId> {
        if values.iter().all(|&v| self.sort(v) == Sort::Int) {
            return self.min_max(values, is_max);
        }
        let op = if is_max { BinOp::Max } else { BinOp::Min };
        let (&first, rest) = values
            .split_first()
            .ok_or_else(|| EngineError::Type(format!("{}() needs at least one argument", op_name(op))))?;
        let mut acc = first;
        for &v in rest {
            acc = self.float_binary(op, acc, v)?;
        }
        self.to_float(acc)
    }

    /// `pow(a, b, m)`: all three must be integers.
    pub fn pow_mod_term(&mut self, a: Term, b: Term, m: Term) -> Result<Term> {
        let (x, y, z) = (self.numeric(a.value)?, self.numeric(b.value)?, self.numeric(m.value)?);
        if [x, y, z].iter().any(|&v| self.sort(v) != Sort::Int) {
            return Err(EngineError::Type(
                "pow() 3rd argument not allowed unless all arguments are integers".into(),
            ));
        }
        let checks = self.merge_checks(a.checks, b.checks)?;
        let checks = self.merge_checks(checks, m.checks)?;
        let value = self.pow_mod(x, y, z);
        let value = self.or_pending_failure(value, checks)?;
        self.finish(value, checks)
    }

    /// `round(a, ndigits)`: a float for a float `a`, an int for an int `a`.
    pub fn round_ndigits_term(&mut self, a: Term, ndigits: Term) -> Result<Term> {
        let n = ndigits.value;
        if self.sort(n) != Sort::Int {
            return Err(EngineError::Type(
                "'float' object cannot be interpreted as an integer".into(),
            ));
        }
        let checks = self.merge_checks(a.checks, ndigits.checks)?;
        let x = self.numeric(a.value)?;
        let value = if self.sort(x) == Sort::Float {
            self.float_round(x, n)
        } else {
            self.int_round(x, n)
        };
        let value = self.or_pending_failure(value, checks)?;
        self.finish(value, checks)
    }

    /// `round(int, ndigits)`: identity for `ndigits >= 0`, else round half to even to a multiple
    /// of `10 ** -ndigits`.
    fn int_round(&mut self, x: ExprId, n: ExprId) -> Result<ExprId> {
        let Node::Int(nv) = self.node(n) else {
            return Err(EngineError::Type(
                "round() of a symbolic int needs a constant ndigits".into(),
            ));
        };
        let nv = nv.clone();
        if let Node::Int(xv) = self.node(x) {
            let v = xv.round_ndigits(&nv)?;
            return self.int(v);
        }
        if !nv.is_negative() {
            return Ok(x);
        }
        let k = Integer::Small(10).pow(
            nv.neg()
                .to_i64()
                .and_then(|e| u64::try_from(e).ok())
                .unwrap_or(u64::MAX),
        )?;
        let kid = self.int(k.clone())?;
        // q = x // k, r = x % k; round up when 2r > k, or 2r == k and q is odd.
        let q = self.floordiv(x, kid)?;
        let r = self.modulo(x, kid)?;
        let two_r = self.scale(r, &Integer::Small(2))?;
        let up_strict = self.lt(kid, two_r)?;
        let tie = self.eq(two_r, kid)?;
        let two = self.int(Integer::Small(2))?;
        let q_mod = self.modulo(q, two)?;
        let one = self.int(Integer::ONE)?;
        let odd = self.eq(q_mod, one)?;
        let tie_odd = self.and_or(&[tie, odd], false)?;
        let up = self.and_or(&[up_strict, tie_odd], true)?;
        let down = self.scale(q, &k)?;
        let upv = self.add(down, kid)?;
        self.ite(up, upv, down)
    }
}
