//! Value-range (interval) analysis: a sound over-approximation of the values an integer
//! expression takes when every symbol ranges over an interval.
//!
//! See [`Arena::range`] for the rules. Finite endpoints whose magnitude passes
//! `2**RANGE_MAX_BITS` (4096 bits) are widened (a large upper bound becomes `inf`, ...), so a
//! long chain of squarings cannot build astronomically large bounds; such ranges stay sound but
//! are no longer exact.

use std::cmp::Ordering;
use std::fmt;

use rustc_hash::FxHashMap;

use crate::arena::Arena;
use crate::id::{ExprId, SymbolId};
use crate::node::{BitOp, Node, Sort};
use crate::num::Integer;

/// Bit size past which a finite endpoint is widened (see the module documentation).
const RANGE_MAX_BITS: u64 = 4096;

/// One end of a [`Range`]: an integer or an infinity. Ordered `NegInf < Finite(_) < PosInf`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bound {
    /// Minus infinity (no lower bound).
    NegInf,
    /// An exact integer.
    Finite(Integer),
    /// Plus infinity (no upper bound).
    PosInf,
}

impl Bound {
    /// The integer of a finite bound.
    pub fn finite(&self) -> Option<&Integer> {
        match self {
            Bound::Finite(v) => Some(v),
            _ => None,
        }
    }

    /// True for a finite bound.
    pub fn is_finite(&self) -> bool {
        matches!(self, Bound::Finite(_))
    }

    fn small(v: i64) -> Bound {
        Bound::Finite(Integer::Small(v))
    }

    /// -1, 0 or 1.
    fn signum(&self) -> i32 {
        match self {
            Bound::NegInf => -1,
            Bound::Finite(v) => v.signum(),
            Bound::PosInf => 1,
        }
    }

    fn neg(&self) -> Bound {
        match self {
            Bound::NegInf => Bound::PosInf,
            Bound::Finite(v) => Bound::Finite(v.neg()),
            Bound::PosInf => Bound::NegInf,
        }
    }

    /// Product with `0 * inf == 0` (the right convention for endpoints of closed intervals).
    fn mul(&self, other: &Bound) -> Bound {
        match (self, other) {
            (Bound::Finite(a), Bound::Finite(b)) => Bound::Finite(a.mul(b)),
            _ => match self.signum() * other.signum() {
                0 => Bound::small(0),
                s if s > 0 => Bound::PosInf,
                _ => Bound::NegInf,
            },
        }
    }

    /// `self + other` for lower bounds (never `PosInf`): `-inf` absorbs.
    fn add_lo(&self, other: &Bound) -> Bound {
        match (self, other) {
            (Bound::Finite(a), Bound::Finite(b)) => Bound::Finite(a.add(b)),
            _ => Bound::NegInf,
        }
    }

    /// `self + other` for upper bounds (never `NegInf`): `inf` absorbs.
    fn add_hi(&self, other: &Bound) -> Bound {
        match (self, other) {
            (Bound::Finite(a), Bound::Finite(b)) => Bound::Finite(a.add(b)),
            _ => Bound::PosInf,
        }
    }

    fn cmp_int(&self, v: &Integer) -> Ordering {
        match self {
            Bound::NegInf => Ordering::Less,
            Bound::Finite(x) => x.cmp(v),
            Bound::PosInf => Ordering::Greater,
        }
    }

    fn ge(&self, v: i64) -> bool {
        self.cmp_int(&Integer::Small(v)) != Ordering::Less
    }

    fn le(&self, v: i64) -> bool {
        self.cmp_int(&Integer::Small(v)) != Ordering::Greater
    }
}

impl From<Integer> for Bound {
    fn from(v: Integer) -> Bound {
        Bound::Finite(v)
    }
}

impl From<i64> for Bound {
    fn from(v: i64) -> Bound {
        Bound::small(v)
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::NegInf => f.write_str("-inf"),
            Bound::Finite(v) => fmt::Display::fmt(v, f),
            Bound::PosInf => f.write_str("inf"),
        }
    }
}

/// A non-empty set of integers `[lo, hi]`, both ends inclusive (an infinite end is open).
///
/// Invariant: `lo <= hi`, `lo` is never `inf` and `hi` is never `-inf`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Range {
    lo: Bound,
    hi: Bound,
}

impl Range {
    /// All integers, `[-inf, inf]`.
    pub fn full() -> Range {
        Range {
            lo: Bound::NegInf,
            hi: Bound::PosInf,
        }
    }

    /// The single value `v`.
    pub fn point(v: Integer) -> Range {
        Range {
            lo: Bound::Finite(v.clone()),
            hi: Bound::Finite(v),
        }
    }

    /// `[lo, hi]`, or `None` when it holds no integer (`lo > hi`, `lo == inf` or `hi == -inf`).
    pub fn new(lo: Bound, hi: Bound) -> Option<Range> {
        if lo > hi || lo == Bound::PosInf || hi == Bound::NegInf {
            return None;
        }
        Some(Range { lo, hi })
    }

    /// `[min, max]` with a missing end unbounded (the shape of [`crate::SymbolInfo`] bounds).
    pub fn from_options(min: Option<Integer>, max: Option<Integer>) -> Option<Range> {
        Range::new(
            min.map_or(Bound::NegInf, Bound::Finite),
            max.map_or(Bound::PosInf, Bound::Finite),
        )
    }

    /// The lower end.
    pub fn lo(&self) -> &Bound {
        &self.lo
    }

    /// The upper end.
    pub fn hi(&self) -> &Bound {
        &self.hi
    }

    /// True when `v` lies in the range.
    pub fn contains(&self, v: &Integer) -> bool {
        self.lo.cmp_int(v) != Ordering::Greater && self.hi.cmp_int(v) != Ordering::Less
    }

    /// True when the range holds exactly one value.
    pub fn is_point(&self) -> bool {
        self.as_point().is_some()
    }

    /// The value of a one-value range.
    pub fn as_point(&self) -> Option<&Integer> {
        match (&self.lo, &self.hi) {
            (Bound::Finite(a), Bound::Finite(b)) if a == b => Some(a),
            _ => None,
        }
    }

    /// True for `[-inf, inf]`.
    pub fn is_full(&self) -> bool {
        self.lo == Bound::NegInf && self.hi == Bound::PosInf
    }

    /// The values in both ranges, `None` if there are none.
    pub fn intersect(&self, other: &Range) -> Option<Range> {
        Range::new(
            self.lo.clone().max(other.lo.clone()),
            self.hi.clone().min(other.hi.clone()),
        )
    }

    /// The smallest range holding both ranges.
    pub fn hull(&self, other: &Range) -> Range {
        Range {
            lo: self.lo.clone().min(other.lo.clone()),
            hi: self.hi.clone().max(other.hi.clone()),
        }
    }

    /// Builds a range from computed ends, widening ends past [`RANGE_MAX_BITS`]. The ends must
    /// satisfy the invariant already (the interval rules guarantee it).
    fn make(lo: Bound, hi: Bound) -> Range {
        let lo = match lo {
            Bound::Finite(v) if v.bits() > RANGE_MAX_BITS => {
                if v.is_negative() {
                    Bound::NegInf
                } else {
                    Bound::small(0)
                }
            }
            Bound::PosInf => Bound::NegInf, // unreachable by construction; stay sound
            lo => lo,
        };
        let hi = match hi {
            Bound::Finite(v) if v.bits() > RANGE_MAX_BITS => {
                if v.is_positive() {
                    Bound::PosInf
                } else {
                    Bound::small(0)
                }
            }
            Bound::NegInf => Bound::PosInf, // unreachable by construction; stay sound
            hi => hi,
        };
        debug_assert!(lo <= hi, "range ends out of order: [{lo}, {hi}]");
        if lo > hi {
            return Range::full();
        }
        Range { lo, hi }
    }

    fn small(lo: i64, hi: i64) -> Range {
        Range::make(Bound::small(lo), Bound::small(hi))
    }

    fn neg(&self) -> Range {
        Range::make(self.hi.neg(), self.lo.neg())
    }

    fn add(&self, other: &Range) -> Range {
        Range::make(self.lo.add_lo(&other.lo), self.hi.add_hi(&other.hi))
    }

    pub(crate) fn mul(&self, other: &Range) -> Range {
        let corners = [
            self.lo.mul(&other.lo),
            self.lo.mul(&other.hi),
            self.hi.mul(&other.lo),
            self.hi.mul(&other.hi),
        ];
        let lo = corners.iter().min().cloned().unwrap_or(Bound::NegInf);
        let hi = corners.iter().max().cloned().unwrap_or(Bound::PosInf);
        Range::make(lo, hi)
    }

    /// `x^n` over the range (`n >= 1` constant).
    pub(crate) fn pow(&self, n: u32) -> Range {
        if n == 0 {
            return Range::small(1, 1);
        }
        if n % 2 == 1 {
            return Range::make(pow_bound(&self.lo, n, false), pow_bound(&self.hi, n, true));
        }
        if self.lo.ge(0) {
            Range::make(pow_bound(&self.lo, n, false), pow_bound(&self.hi, n, true))
        } else if self.hi.le(0) {
            Range::make(pow_bound(&self.hi, n, false), pow_bound(&self.lo, n, true))
        } else {
            let hi = pow_bound(&self.lo, n, true).max(pow_bound(&self.hi, n, true));
            Range::make(Bound::small(0), hi)
        }
    }

    fn min(&self, other: &Range) -> Range {
        Range::make(
            self.lo.clone().min(other.lo.clone()),
            self.hi.clone().min(other.hi.clone()),
        )
    }

    fn max(&self, other: &Range) -> Range {
        Range::make(
            self.lo.clone().max(other.lo.clone()),
            self.hi.clone().max(other.hi.clone()),
        )
    }

    fn abs(&self) -> Range {
        if self.lo.ge(0) {
            self.clone()
        } else if self.hi.le(0) {
            self.neg()
        } else {
            Range::make(Bound::small(0), self.lo.neg().max(self.hi.clone()))
        }
    }

    /// The part of the range `>= 1` and the part `<= -1`.
    fn split_sign(&self) -> (Option<Range>, Option<Range>) {
        let pos = self.intersect(&Range::make(Bound::small(1), Bound::PosInf));
        let neg = self.intersect(&Range::make(Bound::NegInf, Bound::small(-1)));
        (pos, neg)
    }

    /// Applies `f` to the positive and negative parts of the divisor `b` and joins the results.
    /// A divisor that can only be 0 always raises: any range is sound, so the full one.
    fn by_divisor_sign(&self, b: &Range, f: impl Fn(&Range, &Range) -> Range) -> Range {
        let (pos, neg) = b.split_sign();
        let on_pos = pos.map(|p| f(self, &p));
        // a op b == mirror of ((-a) op (-b)) for both // and % (see the callers).
        let on_neg = neg.map(|n| f(&self.neg(), &n.neg()));
        match (on_pos, on_neg) {
            (Some(p), Some(n)) => p.hull(&n),
            (Some(r), None) | (None, Some(r)) => r,
            (None, None) => Range::full(),
        }
    }

    /// `a // b` where every divisor in `b` is `>= 1`. Floor division by a positive divisor is
    /// nondecreasing in `a`; for a fixed `a >= 0` nonincreasing in `b`, for a fixed `a < 0`
    /// nondecreasing in `b`. So the minimum is at `a = lo(a)` and the maximum at `a = hi(a)`,
    /// each with the divisor end that the sign of that `a` selects.
    fn floordiv_pos(&self, b: &Range) -> Range {
        let lo = match &self.lo {
            Bound::Finite(x) if !x.is_negative() => floordiv_bound(x, &b.hi),
            Bound::Finite(x) => floordiv_bound(x, &b.lo),
            _ => Bound::NegInf,
        };
        let hi = match &self.hi {
            Bound::Finite(x) if !x.is_negative() => floordiv_bound(x, &b.lo),
            Bound::Finite(x) => floordiv_bound(x, &b.hi),
            _ => Bound::PosInf,
        };
        Range::make(lo, hi)
    }

    /// `a % b` where every divisor in `b` is `>= 1`: in `[0, hi(b) - 1]`, at most `a` when
    /// `a >= 0`, exactly `a` when `0 <= a < lo(b)`, and `[lo(a) % k, hi(a) % k]` for a constant
    /// `k` when `a` does not cross a multiple of `k`.
    fn modulo_pos(&self, b: &Range) -> Range {
        if let (Bound::Finite(x), Bound::Finite(y), Some(k)) = (&self.lo, &self.hi, b.as_point()) {
            if let (Ok((qx, rx)), Ok((qy, ry))) = (x.divmod(k), y.divmod(k)) {
                if qx == qy {
                    return Range::make(Bound::Finite(rx), Bound::Finite(ry));
                }
            }
        }
        if self.lo.ge(0) && self.hi < b.lo {
            return self.clone();
        }
        let mut hi = b.hi.add_hi(&Bound::small(-1));
        if self.lo.ge(0) {
            hi = hi.min(self.hi.clone());
        }
        Range::make(Bound::small(0), hi)
    }

    fn floordiv(&self, b: &Range) -> Range {
        // a // b == (-a) // (-b).
        self.by_divisor_sign(b, |a, b| a.floordiv_pos(b))
    }

    fn modulo(&self, b: &Range) -> Range {
        // a % b == -((-a) % (-b)).
        let (pos, neg) = b.split_sign();
        let on_pos = pos.map(|p| self.modulo_pos(&p));
        let on_neg = neg.map(|n| self.neg().modulo_pos(&n.neg()).neg());
        match (on_pos, on_neg) {
            (Some(p), Some(n)) => p.hull(&n),
            (Some(r), None) | (None, Some(r)) => r,
            (None, None) => Range::full(),
        }
    }

    /// `a ** b` for a symbolic exponent `b` (only `b >= 0` evaluates).
    fn pow_sym(&self, b: &Range) -> Range {
        let Some(b) = b.intersect(&Range::make(Bound::small(0), Bound::PosInf)) else {
            return Range::full();
        };
        if self.lo.ge(1) {
            // Nondecreasing in both the base (>= 1) and the exponent.
            let lo = pow_sym_bound(&self.lo, &b.lo, false);
            let hi = pow_sym_bound(&self.hi, &b.hi, true);
            return Range::make(lo, hi);
        }
        // |a ** b| <= max(1, max|a| ** hi(b)); the sign is free unless a >= 0.
        let m = self.lo.neg().max(self.hi.clone());
        let top = pow_sym_bound(&m, &b.hi, true).max(Bound::small(1));
        let lo = if self.lo.ge(0) { Bound::small(0) } else { top.neg() };
        Range::make(lo, top)
    }

    /// `pow(a, b, m)`: between 0 and `m`, excluding `m` (`m == 0` raises).
    fn pow_mod(m: &Range) -> Range {
        let lo = if m.lo.le(-1) {
            m.lo.add_lo(&Bound::small(1))
        } else {
            Bound::small(0)
        };
        let hi = if m.hi.ge(1) {
            m.hi.add_hi(&Bound::small(-1))
        } else {
            Bound::small(0)
        };
        Range::make(lo, hi)
    }

    /// `-2**n` and `2**n - 1` with every value of both ranges in between (two's complement
    /// numbers of `n + 1` bits, closed under `&`, `|` and `^`), if both ranges are finite.
    fn twos_complement_box(&self, other: &Range) -> Option<(Bound, Bound)> {
        let n = [&self.lo, &self.hi, &other.lo, &other.hi]
            .iter()
            .map(|b| b.finite().map(Integer::bits))
            .collect::<Option<Vec<u64>>>()?
            .into_iter()
            .max()
            .unwrap_or(0);
        let p = Integer::ONE.shl(&Integer::Small(i64::try_from(n).ok()?)).ok()?;
        Some((Bound::Finite(p.neg()), Bound::Finite(p.sub(&Integer::ONE))))
    }

    fn bit(&self, op: BitOp, other: &Range) -> Range {
        let (a, b) = (self, other);
        let (a_nonneg, b_nonneg) = (a.lo.ge(0), b.lo.ge(0));
        let (a_neg, b_neg) = (a.hi.le(-1), b.hi.le(-1));
        let boxed = a.twos_complement_box(b);
        let box_lo = boxed.as_ref().map_or(Bound::NegInf, |(l, _)| l.clone());
        let box_hi = boxed.as_ref().map_or(Bound::PosInf, |(_, h)| h.clone());
        match op {
            BitOp::And => {
                // x & y with y >= 0 lies in [0, y]; two negatives give a negative <= both.
                match (a_nonneg, b_nonneg) {
                    (true, true) => Range::make(Bound::small(0), a.hi.clone().min(b.hi.clone())),
                    (true, false) => Range::make(Bound::small(0), a.hi.clone()),
                    (false, true) => Range::make(Bound::small(0), b.hi.clone()),
                    (false, false) if a_neg && b_neg => Range::make(box_lo, a.hi.clone().min(b.hi.clone())),
                    (false, false) => Range::make(box_lo, a.hi.clone().max(b.hi.clone())),
                }
            }
            BitOp::Or => {
                // x | y >= max(x, y) for x, y >= 0; with a negative operand it is negative and
                // >= that operand.
                if a_nonneg && b_nonneg {
                    Range::make(a.lo.clone().max(b.lo.clone()), box_hi)
                } else if a_neg || b_neg {
                    let lo = match (a_neg, b_neg) {
                        (true, true) => a.lo.clone().max(b.lo.clone()),
                        (true, false) => a.lo.clone(),
                        _ => b.lo.clone(),
                    };
                    Range::make(lo, Bound::small(-1))
                } else {
                    Range::make(a.lo.clone().min(b.lo.clone()), box_hi)
                }
            }
            BitOp::Xor => {
                // Same signs give a value >= 0, different signs a value < 0.
                if (a_nonneg && b_nonneg) || (a_neg && b_neg) {
                    Range::make(Bound::small(0), box_hi)
                } else if (a_nonneg && b_neg) || (a_neg && b_nonneg) {
                    Range::make(box_lo, Bound::small(-1))
                } else {
                    Range::make(box_lo, box_hi)
                }
            }
            BitOp::Shl | BitOp::Shr => {
                // a << n == a * 2**n and a >> n == a // 2**n for n >= 0 (a negative count raises).
                let Some(n) = b.intersect(&Range::make(Bound::small(0), Bound::PosInf)) else {
                    return Range::full();
                };
                let p = Range::make(pow2_bound(&n.lo, false), pow2_bound(&n.hi, true));
                if op == BitOp::Shl {
                    a.mul(&p)
                } else {
                    a.floordiv_pos(&p)
                }
            }
        }
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.lo, self.hi)
    }
}

/// `b^n` (`n >= 1`) as an upper (`upper`) or lower bound, widened instead of computed when the
/// result would pass [`RANGE_MAX_BITS`].
fn pow_bound(b: &Bound, n: u32, upper: bool) -> Bound {
    let negative_result = b.signum() < 0 && n % 2 == 1;
    let widened = || match (negative_result, upper) {
        (true, true) | (false, false) => Bound::small(0),
        (true, false) => Bound::NegInf,
        (false, true) => Bound::PosInf,
    };
    match b {
        Bound::NegInf | Bound::PosInf => {
            if negative_result {
                Bound::NegInf
            } else {
                Bound::PosInf
            }
        }
        Bound::Finite(v) => {
            // |v| >= 2**(bits-1), so |v|**n has at least (bits-1)*n + 1 bits.
            if v.bits() > 1 && (v.bits() - 1).saturating_mul(u64::from(n)) >= RANGE_MAX_BITS {
                return widened();
            }
            v.pow(u64::from(n)).map_or_else(|_| widened(), Bound::Finite)
        }
    }
}

/// `x ** n` for `x >= 0` and `n >= 0` (either possibly infinite), as an upper or lower bound.
fn pow_sym_bound(x: &Bound, n: &Bound, upper: bool) -> Bound {
    let widened = || if upper { Bound::PosInf } else { Bound::small(0) };
    if n.le(0) {
        return Bound::small(1);
    }
    if let Bound::Finite(v) = x {
        if v.is_zero() || v.is_one() {
            return x.clone();
        }
    }
    match (x, n) {
        (Bound::Finite(v), Bound::Finite(e)) => match e.to_i64().and_then(|e| u32::try_from(e).ok()) {
            Some(e) => pow_bound(&Bound::Finite(v.clone()), e, upper),
            None => widened(),
        },
        _ => Bound::PosInf,
    }
}

/// `2 ** n` for `n >= 0` (possibly infinite), as an upper or lower bound. Past
/// [`RANGE_MAX_BITS`] an upper bound is `inf` and a lower bound stays at `2**(RANGE_MAX_BITS-1)`.
fn pow2_bound(n: &Bound, upper: bool) -> Bound {
    let cap = RANGE_MAX_BITS - 1;
    let e = match n.finite().and_then(Integer::to_i64).and_then(|e| u64::try_from(e).ok()) {
        Some(e) if e <= cap => e,
        _ if upper => return Bound::PosInf,
        _ => cap,
    };
    // e < RANGE_MAX_BITS, so the shift cannot fail.
    Integer::ONE
        .shl(&Integer::Small(i64::try_from(e).unwrap_or(0)))
        .map_or(Bound::small(1), Bound::Finite)
}

/// `floor(x / d)` for a divisor end `d >= 1`, where `d == inf` stands for "arbitrarily large".
fn floordiv_bound(x: &Integer, d: &Bound) -> Bound {
    match d {
        Bound::Finite(k) => x.floordiv(k).map_or(Bound::NegInf, Bound::Finite),
        _ => Bound::small(if x.is_negative() { -1 } else { 0 }),
    }
}

/// What the analysis knows about one node.
#[derive(Debug, Clone)]
enum Fact {
    /// An integer node's range.
    Int(Range),
    /// A boolean node's value, when every binding in the ranges gives the same one.
    Bool(Option<bool>),
    /// A float node, or a node the analysis does not describe.
    Other,
}

impl Arena {
    /// The range a symbol is declared with: its `min` and `max`, unbounded where missing.
    pub fn declared_range(&self, s: SymbolId) -> Range {
        let info = self.symbol_info(s);
        Range::from_options(info.min.clone(), info.max.clone()).unwrap_or_else(Range::full)
    }

    /// A sound over-approximation of the values the integer expression `id` takes when each
    /// symbol `s` takes any value in `symbol_range(s)` (at bindings where evaluation succeeds).
    ///
    /// A non-integer `id` (a bool or a float) gets [`Range::full`].
    ///
    /// One forward loop over the ids reachable from `id` (children are always older ids), so
    /// expression depth never matters. Each integer node gets a [`Range`] computed from its
    /// children's ranges with interval arithmetic that is exact on the endpoints (arbitrary
    /// precision, with infinities), hence exact through `+ - * // % min max abs` of independent
    /// operands:
    ///
    /// - constants are points, symbols get the caller's range;
    /// - `Sum` adds the ranges of its terms scaled by their coefficients (a negative coefficient
    ///   flips the interval);
    /// - `Product` multiplies the ranges of its powers; `x^n` is monotone for odd `n` and `>= 0` for
    ///   even `n` (`x^2` over `[-3, 2]` is `[0, 9]`);
    /// - `a // b` and `a % b` split the divisor's range into its positive and negative parts (a
    ///   zero divisor raises, so it contributes no value) and use the monotonicity of floor division
    ///   on a fixed-sign divisor; `%` by a constant keeps `a`'s range shape when it does not wrap;
    /// - `min`, `max` and `abs` are elementwise;
    /// - `a ** b` with a symbolic exponent, `pow(a, b, m)`, `&`, `|`, `^`, `<<` and `>>` get simple
    ///   sign-based bounds;
    /// - a float rounded to an int (`FloatToInt`) is unbounded;
    /// - an integer `Ite` is the branch chosen when the condition is decided by the ranges, the hull
    ///   of both branches otherwise.
    ///
    /// Each range is a statement about the bindings at which evaluating the expression succeeds: a
    /// binding that makes evaluation raise (division by zero, a negative symbolic exponent) has no
    /// value to bound.
    pub fn range(&self, id: ExprId, symbol_range: &dyn Fn(SymbolId) -> Range) -> Range {
        match self.analyse(id, symbol_range) {
            Fact::Int(r) => r,
            _ => Range::full(),
        }
    }

    /// [`Arena::range`] with every symbol in its [`Arena::declared_range`].
    pub fn bound(&self, id: ExprId) -> Range {
        self.range(id, &|s| self.declared_range(s))
    }

    /// The value of the boolean expression `id` when the ranges decide it: `Some(b)` when every
    /// binding in the symbols' ranges at which evaluation succeeds gives `b`. `None` when the
    /// ranges do not decide it, or `id` is not a boolean.
    pub fn known_truth(&self, id: ExprId, symbol_range: &dyn Fn(SymbolId) -> Range) -> Option<bool> {
        match self.analyse(id, symbol_range) {
            Fact::Bool(b) => b,
            _ => None,
        }
    }

    /// The fact of `root`, from one forward loop over its reachable ids.
    fn analyse(&self, root: ExprId, symbol_range: &dyn Fn(SymbolId) -> Range) -> Fact {
        let mut facts: FxHashMap<ExprId, Fact> = FxHashMap::default();
        for id in self.pending(&[root], |_| false) {
            let fact = self.fact(id, &facts, symbol_range);
            facts.insert(id, fact);
        }
        facts.remove(&root).unwrap_or(Fact::Other)
    }

    /// One node's fact from its children's facts.
    fn fact(&self, id: ExprId, facts: &FxHashMap<ExprId, Fact>, symbol_range: &dyn Fn(SymbolId) -> Range) -> Fact {
        let int = |c: ExprId| match facts.get(&c) {
            Some(Fact::Int(r)) => r.clone(),
            _ => Range::full(),
        };
        let truth = |c: ExprId| match facts.get(&c) {
            Some(Fact::Bool(b)) => *b,
            _ => None,
        };
        let node = self.node(id);
        match self.sort(id) {
            Sort::Int => {}
            Sort::Bool => {
                return Fact::Bool(match node {
                    Node::Bool(b) => Some(*b),
                    Node::Le0(e) => {
                        let r = int(*e);
                        if r.hi.le(0) {
                            Some(true)
                        } else if r.lo.ge(1) {
                            Some(false)
                        } else {
                            None
                        }
                    }
                    Node::Eq0(e) | Node::Ne0(e) => {
                        let r = int(*e);
                        let eq = if r.as_point().is_some_and(Integer::is_zero) {
                            Some(true)
                        } else if !r.contains(&Integer::ZERO) {
                            Some(false)
                        } else {
                            None
                        };
                        if matches!(node, Node::Ne0(_)) {
                            eq.map(|b| !b)
                        } else {
                            eq
                        }
                    }
                    Node::And(xs) | Node::Or(xs) => {
                        // The absorbing value of the connective decides it alone.
                        let absorbing = matches!(node, Node::Or(_));
                        let mut all_known = true;
                        let mut decided = false;
                        for &x in xs.iter() {
                            match truth(x) {
                                Some(b) if b == absorbing => decided = true,
                                Some(_) => {}
                                None => all_known = false,
                            }
                        }
                        if decided {
                            Some(absorbing)
                        } else if all_known {
                            Some(!absorbing)
                        } else {
                            None
                        }
                    }
                    Node::Not(x) => truth(*x).map(|b| !b),
                    Node::Ite(c, a, b) => match truth(*c) {
                        Some(true) => truth(*a),
                        Some(false) => truth(*b),
                        None => truth(*a).filter(|&x| truth(*b) == Some(x)),
                    },
                    _ => None,
                });
            }
            Sort::Float => return Fact::Other,
        }
        Fact::Int(match node {
            Node::Int(v) => Range::point(v.clone()),
            Node::Symbol(s) => symbol_range(*s),
            Node::Sum { constant, terms } => {
                let mut acc = Range::point(constant.clone());
                for (t, k) in terms.iter() {
                    acc = acc.add(&int(*t).mul(&Range::point(k.clone())));
                }
                acc
            }
            Node::Product(factors) => {
                let mut acc = Range::small(1, 1);
                for (f, e) in factors.iter() {
                    acc = acc.mul(&int(*f).pow(*e));
                }
                acc
            }
            Node::FloorDiv(a, b) => int(*a).floordiv(&int(*b)),
            Node::Mod(a, b) => int(*a).modulo(&int(*b)),
            Node::Pow(a, b) => int(*a).pow_sym(&int(*b)),
            Node::PowMod(_, _, m) => Range::pow_mod(&int(*m)),
            Node::Min(xs) | Node::Max(xs) => {
                let is_max = matches!(node, Node::Max(_));
                let mut ranges = xs.iter().map(|&x| int(x));
                let first = ranges.next().unwrap_or_else(Range::full);
                ranges.fold(first, |acc, r| if is_max { acc.max(&r) } else { acc.min(&r) })
            }
            Node::Abs(a) => int(*a).abs(),
            Node::Bit(op, a, b) => int(*a).bit(*op, &int(*b)),
            Node::Ite(c, a, b) => match truth(*c) {
                Some(true) => int(*a),
                Some(false) => int(*b),
                None => int(*a).hull(&int(*b)),
            },
            // Rounded floats (and anything unexpected): no information.
            _ => Range::full(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(lo: i64, hi: i64) -> Range {
        Range::new(lo.into(), hi.into()).unwrap()
    }

    fn at_least(lo: i64) -> Range {
        Range::new(lo.into(), Bound::PosInf).unwrap()
    }

    fn at_most(hi: i64) -> Range {
        Range::new(Bound::NegInf, hi.into()).unwrap()
    }

    #[test]
    fn bound_order() {
        let mut v = vec![
            Bound::PosInf,
            Bound::from(3),
            Bound::NegInf,
            Bound::from(-7),
            Bound::from(0),
        ];
        v.sort();
        assert_eq!(
            v,
            vec![
                Bound::NegInf,
                Bound::from(-7),
                Bound::from(0),
                Bound::from(3),
                Bound::PosInf
            ]
        );
        let huge = Bound::Finite(Integer::ONE.shl(&Integer::Small(200)).unwrap());
        assert!(Bound::NegInf < huge.neg() && huge < Bound::PosInf && Bound::from(i64::MAX) < huge);
    }

    #[test]
    fn new_refuses_empty_ranges() {
        assert!(Range::new(3.into(), 2.into()).is_none());
        assert!(Range::new(Bound::PosInf, Bound::PosInf).is_none());
        assert!(Range::new(Bound::NegInf, Bound::NegInf).is_none());
        assert!(Range::new(2.into(), 2.into()).is_some_and(|r| r.is_point()));
        assert!(Range::new(Bound::NegInf, Bound::PosInf).is_some_and(|r| r.is_full()));
    }

    #[test]
    fn display_contains_point() {
        assert_eq!(at_least(0).to_string(), "[0, inf]");
        assert_eq!(at_most(5).to_string(), "[-inf, 5]");
        assert_eq!(Range::full().to_string(), "[-inf, inf]");
        assert_eq!(r(-2, 3).to_string(), "[-2, 3]");
        assert!(r(-2, 3).contains(&Integer::Small(-2)) && r(-2, 3).contains(&Integer::Small(3)));
        assert!(!r(-2, 3).contains(&Integer::Small(4)) && !r(-2, 3).contains(&Integer::Small(-3)));
        assert!(at_least(1).contains(&Integer::Small(i64::MAX)) && !at_least(1).contains(&Integer::ZERO));
        assert_eq!(r(4, 4).as_point(), Some(&Integer::Small(4)));
        assert!(!r(4, 5).is_point());
    }

    #[test]
    fn intersect_and_hull() {
        assert_eq!(r(0, 5).intersect(&r(3, 9)), Some(r(3, 5)));
        assert_eq!(r(0, 2).intersect(&r(3, 9)), None);
        assert_eq!(at_least(0).intersect(&at_most(0)), Some(r(0, 0)));
        assert_eq!(r(0, 2).hull(&r(5, 9)), r(0, 9));
        assert_eq!(at_most(0).hull(&r(5, 9)), at_most(9));
    }

    #[test]
    fn interval_arithmetic_with_infinities() {
        assert_eq!(at_least(1).mul(&at_least(1)), at_least(1));
        assert_eq!(r(0, 0).mul(&Range::full()), r(0, 0));
        assert_eq!(r(-1, 0).mul(&at_least(0)), at_most(0));
        assert_eq!(r(-3, 2).pow(2), r(0, 9));
        assert_eq!(r(-3, 2).pow(3), r(-27, 8));
        assert_eq!(r(-3, -2).pow(2), r(4, 9));
        assert_eq!(at_most(-2).pow(2), at_least(4));
        assert_eq!(at_least(1).neg(), at_most(-1));
        assert_eq!(at_least(1).add(&r(-5, 5)), at_least(-4));
        assert_eq!(r(-7, 3).abs(), r(0, 7));
        assert_eq!(at_most(-3).abs(), at_least(3));
        assert_eq!(at_least(0).floordiv(&r(2, 2)), at_least(0));
        assert_eq!(r(-7, 9).floordiv(&at_least(1)), r(-7, 9));
        assert_eq!(r(-7, 9).floordiv(&r(0, 3)), r(-7, 9));
        assert_eq!(r(-7, 9).floordiv(&r(-2, -2)), r(-5, 3));
        assert_eq!(r(0, 10).floordiv(&r(0, 0)), Range::full());
        assert_eq!(at_least(0).modulo(&r(8, 8)), r(0, 7));
        assert_eq!(r(9, 13).modulo(&r(8, 8)), r(1, 5));
        assert_eq!(r(9, 13).modulo(&r(-8, -8)), r(-7, -3));
        assert_eq!(r(0, 3).modulo(&at_least(5)), r(0, 3));
        assert_eq!(r(0, 30).modulo(&r(5, 9)), r(0, 8));
        assert_eq!(Range::pow_mod(&r(7, 7)), r(0, 6));
        assert_eq!(Range::pow_mod(&r(-3, 5)), r(-2, 4));
    }

    #[test]
    fn huge_bounds_widen() {
        let big = Range::new(2.into(), 3.into()).unwrap().pow(1_000_000);
        assert_eq!(big, at_least(0));
        let neg = r(-3, -2).pow(999_999);
        assert_eq!(neg, at_most(0));
        let two = Integer::ONE.shl(&Integer::Small(5000)).unwrap();
        let wide = Range::make(Bound::Finite(two.neg()), Bound::Finite(two));
        assert!(wide.is_full());
        // Just under the limit stays exact.
        let p = Integer::ONE.shl(&Integer::Small(4000)).unwrap();
        assert_eq!(r(2, 2).pow(4000), Range::point(p));
    }
}
