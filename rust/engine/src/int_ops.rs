//! Canonical constructors for integer expressions: sums, products, and the atoms
//! (floor division, modulo, powers, min/max, abs, bitwise operations).
//!
//! Every constructor takes canonical children and returns a canonical id, folding constants
//! and applying only rewrites that are exact for every integer binding.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::arena::Arena;
use crate::error::{EngineError, Result};
use crate::id::ExprId;
use crate::node::{BitOp, Node, Sort};
use crate::num::{Integer, MAX_INT_BITS};

/// Expanding a product or power of sums stops past this many terms; the product is then kept
/// as an atom so that adversarial input cannot take unbounded time or memory.
pub const MAX_EXPAND_TERMS: usize = 256;

/// `constant + Σ coeff·term`, the view of any integer expression as a linear combination.
pub(crate) type Linear<'a> = (Integer, Cow<'a, [(ExprId, Integer)]>);

impl Arena {
    /// The linear view of `id`: a `Sum` is itself, a constant has no terms, anything else is
    /// `0 + 1·id`.
    pub(crate) fn linear(&self, id: ExprId) -> Linear<'_> {
        match self.node(id) {
            Node::Int(c) => (c.clone(), Cow::Borrowed(&[])),
            Node::Sum { constant, terms } => (constant.clone(), Cow::Borrowed(terms)),
            _ => (Integer::ZERO, Cow::Owned(vec![(id, Integer::ONE)])),
        }
    }

    /// The factor view of a non-constant, non-sum-like monomial: a `Product` is itself, anything
    /// else is `id^1`.
    fn factors(&self, id: ExprId) -> Cow<'_, [(ExprId, u32)]> {
        match self.node(id) {
            Node::Product(f) => Cow::Borrowed(f),
            _ => Cow::Owned(vec![(id, 1)]),
        }
    }

    /// Builds `constant + Σ coeff·term` from terms sorted by id with non-zero coefficients.
    pub(crate) fn make_sum(&mut self, constant: Integer, terms: Vec<(ExprId, Integer)>) -> Result<ExprId> {
        debug_assert!(terms.windows(2).all(|w| w[0].0 < w[1].0));
        debug_assert!(terms.iter().all(|(_, c)| !c.is_zero()));
        if !self.knowledge.divisible.is_empty() {
            if let Some(items) = self.divide_out_known(&terms)? {
                return self.linear_combination(constant, &items);
            }
        }
        match terms.as_slice() {
            [] => self.int(constant),
            [(t, c)] if c.is_one() && constant.is_zero() => Ok(*t),
            _ => self.intern(
                Node::Sum {
                    constant,
                    terms: terms.into_boxed_slice(),
                },
                Sort::Int,
            ),
        }
    }

    /// Builds `Π factor^exp` from factors sorted by id.
    fn make_product(&mut self, factors: Vec<(ExprId, u32)>) -> Result<ExprId> {
        match factors.as_slice() {
            [] => self.int(Integer::ONE),
            [(t, 1)] => Ok(*t),
            _ => self.intern(Node::Product(factors.into_boxed_slice()), Sort::Int),
        }
    }

    /// `constant + Σ coeff·e` for arbitrary canonical integer expressions `e` (in any order, with
    /// repeats): each `e` is expanded through its linear view and like terms are collected.
    /// Linear in the number of terms, so building a sum of a million terms at once is cheap.
    pub(crate) fn linear_combination(&mut self, constant: Integer, items: &[(ExprId, Integer)]) -> Result<ExprId> {
        let mut constant = constant;
        let mut acc: FxHashMap<ExprId, Integer> = FxHashMap::default();
        for (e, k) in items {
            if k.is_zero() {
                continue;
            }
            let (c, terms) = self.linear(*e);
            constant = constant.add(&c.mul(k));
            for (t, tc) in terms.iter() {
                let entry = acc.entry(*t).or_insert(Integer::ZERO);
                *entry = entry.add(&tc.mul(k));
            }
        }
        let mut terms: Vec<(ExprId, Integer)> = acc.into_iter().filter(|(_, c)| !c.is_zero()).collect();
        terms.sort_unstable_by_key(|(t, _)| *t);
        self.make_sum(constant, terms)
    }

    /// `a + b`.
    pub fn add(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        self.add_scaled(a, b, &Integer::ONE)
    }

    /// `a - b`.
    pub fn sub(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        self.add_scaled(a, b, &Integer::Small(-1))
    }

    /// `a + k·b` by merging the two sorted term lists.
    fn add_scaled(&mut self, a: ExprId, b: ExprId, k: &Integer) -> Result<ExprId> {
        let (ca, ta) = self.linear(a);
        let (cb, tb) = self.linear(b);
        let constant = ca.add(&cb.mul(k));
        let mut terms = Vec::with_capacity(ta.len() + tb.len());
        let (mut i, mut j) = (0, 0);
        while i < ta.len() || j < tb.len() {
            let take_a = j >= tb.len() || (i < ta.len() && ta[i].0 < tb[j].0);
            let take_b = i >= ta.len() || (j < tb.len() && tb[j].0 < ta[i].0);
            if take_a {
                terms.push(ta[i].clone());
                i += 1;
            } else if take_b {
                terms.push((tb[j].0, tb[j].1.mul(k)));
                j += 1;
            } else {
                let c = ta[i].1.add(&tb[j].1.mul(k));
                if !c.is_zero() {
                    terms.push((ta[i].0, c));
                }
                i += 1;
                j += 1;
            }
        }
        self.make_sum(constant, terms)
    }

    /// `-a`.
    pub fn neg(&mut self, a: ExprId) -> Result<ExprId> {
        self.scale(a, &Integer::Small(-1))
    }

    /// `k·a`.
    pub fn scale(&mut self, a: ExprId, k: &Integer) -> Result<ExprId> {
        if k.is_zero() {
            return self.int(Integer::ZERO);
        }
        if k.is_one() {
            return Ok(a);
        }
        let (c, t) = self.linear(a);
        let terms = t.iter().map(|(t, tc)| (*t, tc.mul(k))).collect();
        self.make_sum(c.mul(k), terms)
    }

    /// `a * b`, distributing over sums while the result stays under [`MAX_EXPAND_TERMS`].
    pub fn mul(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        if let Node::Int(k) = self.node(a) {
            let k = k.clone();
            return self.scale(b, &k);
        }
        if let Node::Int(k) = self.node(b) {
            let k = k.clone();
            return self.scale(a, &k);
        }
        let (ca, ta) = self.linear(a);
        let (cb, tb) = self.linear(b);
        let (ta, tb) = (ta.into_owned(), tb.into_owned());
        let size = (ta.len() + usize::from(!ca.is_zero())) * (tb.len() + usize::from(!cb.is_zero()));
        if size > MAX_EXPAND_TERMS {
            return self.mul_monomials(a, b);
        }
        // (ca + Σ x) * (cb + Σ y) = ca·cb + ca·Σy + cb·Σx + ΣΣ x·y
        let mut items: Vec<(ExprId, Integer)> = Vec::with_capacity(size);
        for (x, kx) in &ta {
            for (y, ky) in &tb {
                let m = self.mul_monomials(*x, *y)?;
                items.push((m, kx.mul(ky)));
            }
        }
        for (y, ky) in &tb {
            items.push((*y, ky.mul(&ca)));
        }
        for (x, kx) in &ta {
            items.push((*x, kx.mul(&cb)));
        }
        self.linear_combination(ca.mul(&cb), &items)
    }

    /// Product of two monomials (non-constant, and each either an atom, a product, or a sum kept
    /// as an atom): merge the factor lists, adding exponents.
    fn mul_monomials(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let fa = self.factors(a).into_owned();
        let fb = self.factors(b);
        let mut out = Vec::with_capacity(fa.len() + fb.len());
        let (mut i, mut j) = (0, 0);
        while i < fa.len() || j < fb.len() {
            if j >= fb.len() || (i < fa.len() && fa[i].0 < fb[j].0) {
                out.push(fa[i]);
                i += 1;
            } else if i >= fa.len() || fb[j].0 < fa[i].0 {
                out.push(fb[j]);
                j += 1;
            } else {
                let e = fa[i].1.checked_add(fb[j].1).ok_or_else(exponent_too_large)?;
                out.push((fa[i].0, e));
                i += 1;
                j += 1;
            }
        }
        self.make_product(out)
    }

    /// `a ** n` for a constant `n >= 0`.
    pub fn pow_const(&mut self, a: ExprId, n: &Integer) -> Result<ExprId> {
        debug_assert!(!n.is_negative());
        if n.is_zero() {
            return self.int(Integer::ONE);
        }
        if n.is_one() {
            return Ok(a);
        }
        if let Node::Int(base) = self.node(a) {
            let base = base.clone();
            let v = match n.to_i64().and_then(|n| u64::try_from(n).ok()) {
                Some(n) => base.pow(n)?,
                None if base.abs().is_one() || base.is_zero() => base.pow(if is_even(n) { 2 } else { 1 })?,
                None => return Err(int_too_large()),
            };
            return self.int(v);
        }
        let n = n
            .to_i64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(exponent_too_large)?;
        let (c, terms) = self.linear(a);
        let is_sum = !terms.is_empty() && (terms.len() > 1 || !c.is_zero() || !terms[0].1.is_one());
        if is_sum {
            let t = terms.len() + usize::from(!c.is_zero());
            if multinomial_terms(t, n) <= MAX_EXPAND_TERMS {
                // Square-and-multiply keeps every intermediate under the final size.
                let mut result = self.int(Integer::ONE)?;
                let mut base = a;
                let mut e = n;
                while e > 0 {
                    if e & 1 == 1 {
                        result = self.mul(result, base)?;
                    }
                    e >>= 1;
                    if e > 0 {
                        base = self.mul(base, base)?;
                    }
                }
                return Ok(result);
            }
            return self.make_product(vec![(a, n)]);
        }
        let factors = self
            .factors(a)
            .iter()
            .map(|&(f, e)| e.checked_mul(n).map(|e| (f, e)).ok_or_else(exponent_too_large))
            .collect::<Result<Vec<_>>>()?;
        self.make_product(factors)
    }

    /// `a ** b` for a symbolic exponent, which is assumed (and checked on evaluation) to be >= 0.
    pub fn pow_sym(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        if let Node::Int(n) = self.node(b) {
            let n = n.clone();
            if !n.is_negative() {
                return self.pow_const(a, &n);
            }
        }
        self.intern(Node::Pow(a, b), Sort::Int)
    }

    /// `pow(a, b, m)`.
    pub fn pow_mod(&mut self, a: ExprId, b: ExprId, m: ExprId) -> Result<ExprId> {
        if let (Node::Int(x), Node::Int(y), Node::Int(z)) = (self.node(a), self.node(b), self.node(m)) {
            let v = x.pow_mod(y, z)?;
            return self.int(v);
        }
        if let Node::Int(z) = self.node(m) {
            if z.is_zero() {
                return Err(EngineError::InvalidValue("pow() 3rd argument cannot be 0".into()));
            }
        }
        self.intern(Node::PowMod(a, b, m), Sort::Int)
    }

    /// `a // b` (Python floor division).
    pub fn floordiv(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let Node::Int(k) = self.node(b) else {
            return self.intern(Node::FloorDiv(a, b), Sort::Int);
        };
        let k = k.clone();
        if k.is_zero() {
            return Err(EngineError::zero_div("integer division or modulo by zero"));
        }
        if let Node::Int(x) = self.node(a) {
            let v = x.floordiv(&k)?;
            return self.int(v);
        }
        if k.is_negative() {
            // a // -k == (-a) // k
            let na = self.neg(a)?;
            return self.floordiv_pos(na, &k.neg());
        }
        self.floordiv_pos(a, &k)
    }

    /// `a // k` for a constant `k > 0` and a non-constant `a`.
    fn floordiv_pos(&mut self, a: ExprId, k: &Integer) -> Result<ExprId> {
        // Each round peels one nested floor division: ((x // k1) + c) // k2 == (x + c·k1) // (k1·k2)
        // for positive constants, so a stack of conv/pool formulas stays one division. A loop,
        // not recursion: nesting can be arbitrarily deep.
        let mut quotients: Vec<ExprId> = Vec::new();
        let (mut a, mut k) = (a, k.clone());
        let div = loop {
            if k.is_one() {
                break a;
            }
            // (k·q + r) // k == q + r // k: split off the terms (and the part of the constant)
            // that k divides.
            let (c, terms) = self.linear(a);
            let (q0, r0) = c.divmod(&k)?;
            let mut quotient = Vec::new();
            let mut rest = Vec::new();
            for (t, tc) in terms.iter() {
                let (q, r) = tc.divmod(&k)?;
                if r.is_zero() {
                    quotient.push((*t, q));
                } else {
                    rest.push((*t, tc.clone()));
                }
            }
            quotients.push(self.make_sum(q0, quotient)?);
            if rest.is_empty() {
                // 0 <= r0 < k, so r0 // k == 0.
                break self.int(Integer::ZERO)?;
            }
            // (d·x) // (d·k') == x // k' for d = gcd(rest, r0, k).
            let (_, k2, r0, rest) = divide_out_gcd(&k, &r0, rest)?;
            if k2.is_one() {
                break self.make_sum(r0, rest)?;
            }
            if let [(t, coef)] = rest.as_slice() {
                if coef.is_one() {
                    if let Node::FloorDiv(x, inner) = *self.node(*t) {
                        if let Node::Int(k1) = self.node(inner) {
                            if k1.is_positive() {
                                let k1 = k1.clone();
                                let shift = self.int(r0.mul(&k1))?;
                                a = self.add(x, shift)?;
                                k = k1.mul(&k2);
                                continue;
                            }
                        }
                    }
                }
            }
            let r = self.make_sum(r0, rest)?;
            let kid = self.int(k2)?;
            break self.intern(Node::FloorDiv(r, kid), Sort::Int)?;
        };
        let mut items: Vec<(ExprId, Integer)> = quotients.into_iter().map(|q| (q, Integer::ONE)).collect();
        items.push((div, Integer::ONE));
        self.linear_combination(Integer::ZERO, &items)
    }

    /// `a % b` (Python modulo: the result has the divisor's sign).
    pub fn modulo(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let Node::Int(k) = self.node(b) else {
            return self.intern(Node::Mod(a, b), Sort::Int);
        };
        let k = k.clone();
        if k.is_zero() {
            return Err(EngineError::zero_div("integer modulo by zero"));
        }
        if let Node::Int(x) = self.node(a) {
            let v = x.modulo(&k)?;
            return self.int(v);
        }
        if k.is_negative() {
            // a % -k == -((-a) % k)
            let na = self.neg(a)?;
            let m = self.modulo_pos(na, &k.neg())?;
            return self.neg(m);
        }
        self.modulo_pos(a, &k)
    }

    /// `a % k` for a constant `k > 0`.
    fn modulo_pos(&mut self, a: ExprId, k: &Integer) -> Result<ExprId> {
        if k.is_one() || (!self.knowledge.divisible.is_empty() && self.known_multiple(a, k)) {
            return self.int(Integer::ZERO);
        }
        let (c, terms) = self.linear(a);
        let r0 = c.modulo(k)?;
        let mut rest = Vec::new();
        for (t, tc) in terms.iter() {
            let r = tc.modulo(k)?;
            if !r.is_zero() {
                rest.push((*t, r));
            }
        }
        if rest.is_empty() {
            return self.int(r0);
        }
        // (d·x) % (d·k') == d·(x % k') for d = gcd(rest, r0, k).
        let (d, k2, r0, rest) = divide_out_gcd(k, &r0, rest)?;
        let r = self.make_sum(r0, rest)?;
        let m = if k2.is_one() {
            self.int(Integer::ZERO)?
        } else {
            let inner_divisor = match *self.node(r) {
                Node::Mod(x, inner) => match self.node(inner) {
                    Node::Int(k1) if k1.is_positive() => Some((x, k1.clone())),
                    _ => None,
                },
                _ => None,
            };
            match inner_divisor {
                // (x % k1) % k2 == x % k2 when k2 divides k1, rebuilt so that x's coefficients are
                // reduced mod k2 (one level: x % k2 is canonical, so this never recurses again).
                Some((x, k1)) if k1.modulo(&k2)?.is_zero() => self.modulo_pos(x, &k2)?,
                // (x % k1) % k2 == x % k1 when k1 <= k2 (the inner value is already in [0, k2)).
                Some((_, k1)) if k1 <= k2 => r,
                _ => {
                    let kid = self.int(k2)?;
                    self.intern(Node::Mod(r, kid), Sort::Int)?
                }
            }
        };
        self.scale(m, &d)
    }

    /// `min(args)` (`is_max == false`) or `max(args)`: flattened, deduplicated, constants folded.
    pub fn min_max(&mut self, args: &[ExprId], is_max: bool) -> Result<ExprId> {
        let mut flat: Vec<ExprId> = Vec::with_capacity(args.len());
        let mut best: Option<Integer> = None;
        for &a in args {
            match self.node(a) {
                Node::Int(v) => {
                    let better = best.as_ref().is_none_or(|b| if is_max { v > b } else { v < b });
                    if better {
                        best = Some(v.clone());
                    }
                }
                Node::Max(xs) if is_max => flat.extend(xs.iter().copied()),
                Node::Min(xs) if !is_max => flat.extend(xs.iter().copied()),
                _ => flat.push(a),
            }
        }
        // A flattened child may itself contribute a constant.
        let mut items: Vec<ExprId> = Vec::with_capacity(flat.len() + 1);
        for a in flat {
            if let Node::Int(v) = self.node(a) {
                let better = best.as_ref().is_none_or(|b| if is_max { v > b } else { v < b });
                if better {
                    best = Some(v.clone());
                }
            } else {
                items.push(a);
            }
        }
        if let Some(b) = best {
            items.push(self.int(b)?);
        }
        items.sort_unstable();
        items.dedup();
        match items.as_slice() {
            [] => Err(EngineError::Type(format!(
                "{}() needs at least one argument",
                if is_max { "max" } else { "min" }
            ))),
            [x] => Ok(*x),
            _ => {
                let items = items.into_boxed_slice();
                let node = if is_max { Node::Max(items) } else { Node::Min(items) };
                self.intern(node, Sort::Int)
            }
        }
    }

    /// `abs(a)`.
    pub fn abs(&mut self, a: ExprId) -> Result<ExprId> {
        match self.node(a) {
            Node::Int(v) => {
                let v = v.abs();
                self.int(v)
            }
            Node::Abs(_) => Ok(a),
            _ => {
                // abs(-x) == abs(x): use the sign whose leading coefficient is positive.
                let (c, terms) = self.linear(a);
                let negative = terms.first().map_or(c.is_negative(), |(_, k)| k.is_negative());
                let a = if negative { self.neg(a)? } else { a };
                if matches!(self.node(a), Node::Abs(_)) {
                    // abs(-abs(x)) == abs(x)
                    return Ok(a);
                }
                self.intern(Node::Abs(a), Sort::Int)
            }
        }
    }

    /// `~a` (`-a - 1`).
    pub fn invert(&mut self, a: ExprId) -> Result<ExprId> {
        let m1 = self.int(Integer::Small(-1))?;
        let n = self.neg(a)?;
        self.add(n, m1)
    }

    /// `a & b`, `a | b`, `a ^ b`, `a << b`, `a >> b` on integers.
    pub fn bit(&mut self, op: BitOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        match op {
            BitOp::Shl | BitOp::Shr => return self.shift(op, a, b),
            BitOp::And | BitOp::Or | BitOp::Xor => {}
        }
        if let (Node::Int(x), Node::Int(y)) = (self.node(a), self.node(b)) {
            let v = match op {
                BitOp::And => x.bitand(y),
                BitOp::Or => x.bitor(y),
                _ => x.bitxor(y),
            };
            return self.int(v);
        }
        let (a, b) = if b < a { (b, a) } else { (a, b) };
        if a == b {
            return match op {
                BitOp::Xor => self.int(Integer::ZERO),
                _ => Ok(a),
            };
        }
        // Identities with a constant (the constant, if any, is the older id `a` only when it was
        // built first, so test both).
        for (c, x) in [(a, b), (b, a)] {
            if let Node::Int(k) = self.node(c) {
                let (zero, minus_one) = (k.is_zero(), *k == Integer::Small(-1));
                match op {
                    BitOp::And if zero => return self.int(Integer::ZERO),
                    BitOp::And if minus_one => return Ok(x),
                    BitOp::Or if zero => return Ok(x),
                    BitOp::Or if minus_one => return self.int(Integer::Small(-1)),
                    BitOp::Xor if zero => return Ok(x),
                    BitOp::Xor if minus_one => return self.invert(x),
                    _ => {}
                }
            }
        }
        self.intern(Node::Bit(op, a, b), Sort::Int)
    }

    fn shift(&mut self, op: BitOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        let Node::Int(n) = self.node(b) else {
            return self.intern(Node::Bit(op, a, b), Sort::Int);
        };
        let n = n.clone();
        if n.is_negative() {
            return Err(EngineError::NegativeShift);
        }
        if let Node::Int(x) = self.node(a) {
            let v = if op == BitOp::Shl { x.shl(&n)? } else { x.shr(&n)? };
            return self.int(v);
        }
        if n.to_i64().is_some_and(|n| (n as u64) < MAX_INT_BITS) {
            // a << n == a * 2**n and a >> n == a // 2**n.
            let p = Integer::ONE.shl(&n)?;
            return if op == BitOp::Shl {
                self.scale(a, &p)
            } else {
                let pid = self.int(p)?;
                self.floordiv(a, pid)
            };
        }
        self.intern(Node::Bit(op, a, b), Sort::Int)
    }
}

/// `(d, k / d, r0 / d, rest / d)` for `d = gcd(k, r0, coefficients of rest)`.
type Reduced = (Integer, Integer, Integer, Vec<(ExprId, Integer)>);

/// For `r0 + Σ rest` over a divisor `k`: divides everything by the common gcd.
fn divide_out_gcd(k: &Integer, r0: &Integer, rest: Vec<(ExprId, Integer)>) -> Result<Reduced> {
    let d = rest.iter().fold(r0.gcd(k), |g, (_, tc)| g.gcd(tc));
    let rest = rest
        .into_iter()
        .map(|(t, tc)| Ok((t, tc.floordiv(&d)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok((d.clone(), k.floordiv(&d)?, r0.floordiv(&d)?, rest))
}

fn is_even(n: &Integer) -> bool {
    n.bitand(&Integer::ONE).is_zero()
}

fn exponent_too_large() -> EngineError {
    EngineError::TooLarge("exponent too large for a symbolic power".into())
}

fn int_too_large() -> EngineError {
    EngineError::TooLarge(format!("integer result exceeds the limit of {MAX_INT_BITS} bits"))
}

/// Number of monomials in the expansion of a `t`-term sum to the power `n`, C(t+n-1, n),
/// saturating once past [`MAX_EXPAND_TERMS`]. The printer uses the same bound to know which
/// powers of sums stayed unexpanded.
pub(crate) fn multinomial_terms(t: usize, n: u32) -> usize {
    if t <= 1 {
        return 1;
    }
    let mut acc: usize = 1;
    for i in 1..=n as usize {
        acc = acc.saturating_mul(t + i - 1) / i;
        if acc > MAX_EXPAND_TERMS {
            return usize::MAX;
        }
    }
    acc
}
