//! Deciding integer facts: is a boolean expression true at every binding of its symbols that
//! lies in their ranges and satisfies a list of known facts?
//!
//! [`Arena::decide`] answers `Some(true)`, `Some(false)` or `None` (unknown) and never gives a
//! wrong answer. It first asks the interval analysis of [`Arena::range`]; when that does not
//! settle the question it builds a linear problem over *atoms* and refutes the negation with
//! Fourier–Motzkin elimination:
//!
//! - every maximal non-linear subexpression (a monomial, a floor division, a modulo, a min, ...)
//!   becomes a variable, linked to its operands by linear constraints that hold at every integer
//!   binding: `k·q <= x <= k·q + k - 1` for `q = x // k`, `r = x - d·(x // d)` with
//!   `0 <= r <= d - 1` for `r = x % d` and a positive `d`, `m <= x_i` for `m = min(...)`,
//!   McCormick envelopes `(u - lo_u)(v - lo_v) >= 0` for a product `u·v` of bounded factors, and
//!   `x² >= x` for squares;
//! - a floor division or modulo whose dividend is a polynomial multiple of the divisor plus a
//!   remainder is split exactly: `(d·p + r) // d == p + r // d`, so `(a + b) % b` and `a % b` are
//!   one variable and `((a + 10)**2) % (a + 10)` is `0`;
//! - the known facts that share a symbol with the question add their linear constraints
//!   (conjunctions of `<=` and `==`; disequalities and disjunctions are not used); past 48 such
//!   facts, those over the question's own symbols and then the most recent ones are used;
//! - elimination works over the rationals, and every derived row `Σ a·x + c <= 0` is tightened
//!   to `Σ (a/g)·x + ceil(c/g) <= 0` with `g` the gcd of its coefficients, which is exact for
//!   integer variables (so `4·q <= 4·a + 3` gives `q <= a`). An equality whose coefficients' gcd
//!   does not divide its constant has no integer solution.
//!
//! Every row derived from a fact or from a symbol's range carries the set of those origins,
//! so a proof reports exactly what it used ([`Decision::facts`], [`Decision::symbols`]).
//! Problems past a size bound give up (unknown) instead of taking unbounded time.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::arena::{Arena, Term};
use crate::id::{ExprId, SymbolId};
use crate::node::{Node, Sort};
use crate::num::Integer;
use crate::range::{Bound, Range};

/// Rows kept during one elimination before giving up.
const MAX_ROWS: usize = 2000;
/// Rows one elimination may create in all (over every variable) before giving up, so that a
/// problem just under [`MAX_ROWS`] at every step cannot run for long.
const MAX_WORK: usize = 20_000;
/// Variables (atoms) in one problem before giving up.
const MAX_VARS: usize = 96;
/// Steps of one polynomial division.
const MAX_DIVISION_STEPS: usize = 128;
/// Facts used by one question at most (the elimination grows with them; see [`Arena::decide`]).
const MAX_FACTS: usize = 48;
/// Origin ids at or above this are symbols (`ORIGIN_SYMBOL + symbol index`); below, fact indices.
const ORIGIN_SYMBOL: u32 = 1 << 30;

/// The answer of [`Arena::decide`] and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    /// `Some(v)`: the expression is `v` at every admissible binding; `None`: unknown.
    pub truth: Option<bool>,
    /// Indices (into the facts given) of the facts the proof used.
    pub facts: Vec<usize>,
    /// Symbols whose ranges the proof used.
    pub symbols: Vec<SymbolId>,
}

/// A monomial: factors sorted by id with exponents >= 1 (empty for the constant 1).
type Mono = Vec<(ExprId, u32)>;

/// A linear form `Σ coeff·var + constant`, coefficients sorted by variable, none zero.
#[derive(Debug, Clone)]
struct Lin {
    coeffs: Vec<(u32, Integer)>,
    constant: Integer,
}

impl Default for Lin {
    fn default() -> Lin {
        Lin::constant(Integer::ZERO)
    }
}

impl Lin {
    fn constant(c: Integer) -> Lin {
        Lin {
            coeffs: Vec::new(),
            constant: c,
        }
    }

    fn var(v: u32) -> Lin {
        Lin {
            coeffs: vec![(v, Integer::ONE)],
            constant: Integer::ZERO,
        }
    }

    /// `a·self + b·other`.
    fn combine(&self, a: &Integer, other: &Lin, b: &Integer) -> Lin {
        let mut coeffs = Vec::with_capacity(self.coeffs.len() + other.coeffs.len());
        let (mut i, mut j) = (0, 0);
        while i < self.coeffs.len() || j < other.coeffs.len() {
            let take_a = j >= other.coeffs.len() || (i < self.coeffs.len() && self.coeffs[i].0 < other.coeffs[j].0);
            let take_b = i >= self.coeffs.len() || (j < other.coeffs.len() && other.coeffs[j].0 < self.coeffs[i].0);
            let (v, c) = if take_a {
                i += 1;
                (self.coeffs[i - 1].0, self.coeffs[i - 1].1.mul(a))
            } else if take_b {
                j += 1;
                (other.coeffs[j - 1].0, other.coeffs[j - 1].1.mul(b))
            } else {
                i += 1;
                j += 1;
                (
                    self.coeffs[i - 1].0,
                    self.coeffs[i - 1].1.mul(a).add(&other.coeffs[j - 1].1.mul(b)),
                )
            };
            if !c.is_zero() {
                coeffs.push((v, c));
            }
        }
        Lin {
            coeffs,
            constant: self.constant.mul(a).add(&other.constant.mul(b)),
        }
    }

    fn add(&self, other: &Lin) -> Lin {
        self.combine(&Integer::ONE, other, &Integer::ONE)
    }

    fn sub(&self, other: &Lin) -> Lin {
        self.combine(&Integer::ONE, other, &Integer::Small(-1))
    }

    fn neg(&self) -> Lin {
        self.scale(&Integer::Small(-1))
    }

    fn scale(&self, k: &Integer) -> Lin {
        self.combine(k, &Lin::default(), &Integer::ZERO)
    }

    fn plus(&self, c: i64) -> Lin {
        Lin {
            coeffs: self.coeffs.clone(),
            constant: self.constant.add(&Integer::Small(c)),
        }
    }

    fn coeff(&self, v: u32) -> Option<&Integer> {
        self.coeffs
            .binary_search_by_key(&v, |(x, _)| *x)
            .ok()
            .map(|i| &self.coeffs[i].1)
    }
}

/// A constraint `lin <= 0` (or `lin == 0` in the equality list) with the origins it rests on.
#[derive(Debug, Clone)]
struct Row {
    lin: Lin,
    origins: Vec<u32>,
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    out.sort_unstable();
    out.dedup();
    out
}

fn gcd_of(coeffs: &[(u32, Integer)]) -> Integer {
    coeffs.iter().fold(Integer::ZERO, |g, (_, c)| g.gcd(c))
}

/// `ceil(a / b)` for `b > 0`.
fn ceil_div(a: &Integer, b: &Integer) -> Option<Integer> {
    a.neg().floordiv(b).ok().map(|q| q.neg())
}

/// Tightens an inequality `lin <= 0` over integer variables: divides by the gcd of the
/// coefficients and rounds the constant up. `None` when the bignum arithmetic fails.
fn tighten(mut row: Row) -> Option<Row> {
    let g = gcd_of(&row.lin.coeffs);
    if g.is_zero() || g.is_one() {
        return Some(row);
    }
    for (_, c) in &mut row.lin.coeffs {
        *c = c.floordiv(&g).ok()?;
    }
    row.lin.constant = ceil_div(&row.lin.constant, &g)?;
    Some(row)
}

/// An equality `lin == 0` divided by the gcd of its coefficients and constant (an exact
/// rescaling).
fn scale_down(mut row: Row) -> Row {
    let g = row.lin.coeffs.iter().fold(row.lin.constant.abs(), |g, (_, c)| g.gcd(c));
    if g.is_zero() || g.is_one() {
        return row;
    }
    for (_, c) in &mut row.lin.coeffs {
        if let Ok(q) = c.floordiv(&g) {
            *c = q;
        }
    }
    if let Ok(q) = row.lin.constant.floordiv(&g) {
        row.lin.constant = q;
    }
    row
}

/// The result of one elimination: the origins of a contradiction, or nothing proved.
type Refutation = Option<Vec<u32>>;

/// Decides whether the integer system `eqs == 0, ineqs <= 0` has no solution; `Some(origins)`
/// when it has none (over the integers), `None` when elimination finds no contradiction or the
/// problem grows past [`MAX_ROWS`].
fn infeasible(mut eqs: Vec<Row>, ineqs: Vec<Row>) -> Refutation {
    let mut ineqs = ineqs;
    let mut work = 0usize;
    // Equalities: check integrality, then eliminate one variable with each.
    while let Some(eq) = eqs.pop() {
        let g = gcd_of(&eq.lin.coeffs);
        if g.is_zero() {
            if eq.lin.constant.is_zero() {
                continue;
            }
            return Some(eq.origins);
        }
        if !eq.lin.constant.modulo(&g).ok()?.is_zero() {
            return Some(eq.origins);
        }
        let (v, a) = eq
            .lin
            .coeffs
            .iter()
            .min_by(|x, y| x.1.abs().cmp(&y.1.abs()))
            .cloned()
            .unwrap_or((0, Integer::ONE));
        let abs_a = a.abs();
        let sign_a = Integer::Small(i64::from(a.signum()));
        let substitute = |row: &Row| -> Row {
            match row.lin.coeff(v) {
                None => row.clone(),
                Some(b) => Row {
                    lin: row.lin.combine(&abs_a, &eq.lin, &b.mul(&sign_a).neg()),
                    origins: union(&row.origins, &eq.origins),
                },
            }
        };
        // Substitution multiplies rows by |a|: divide the common factors out again, or the
        // coefficients grow exponentially over a long chain of equalities.
        eqs = eqs.iter().map(substitute).map(scale_down).collect();
        let mut next = Vec::with_capacity(ineqs.len());
        for row in ineqs.iter().map(substitute) {
            next.push(tighten(row)?);
        }
        ineqs = next;
        work += eqs.len() + ineqs.len();
        if work > MAX_WORK {
            return None;
        }
    }
    let mut rows: Vec<Row> = Vec::with_capacity(ineqs.len());
    for row in ineqs {
        let row = tighten(row)?;
        if row.lin.coeffs.is_empty() {
            if row.lin.constant.is_positive() {
                return Some(row.origins);
            }
            continue;
        }
        rows.push(row);
    }
    loop {
        rows = dedupe(rows);
        // Pick the variable whose elimination creates the fewest rows.
        let mut counts: FxHashMap<u32, (usize, usize)> = FxHashMap::default();
        for row in &rows {
            for (v, c) in &row.lin.coeffs {
                let e = counts.entry(*v).or_insert((0, 0));
                if c.is_positive() {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
        let (&v, _) = counts
            .iter()
            .min_by_key(|(v, (p, n))| ((p * n).saturating_sub(p + n), **v))?;
        let (mut pos, mut neg, mut next) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            match row.lin.coeff(v).map(Integer::signum) {
                Some(s) if s > 0 => pos.push(row),
                Some(_) => neg.push(row),
                None => next.push(row),
            }
        }
        work += pos.len() * neg.len();
        if next.len() + pos.len() * neg.len() > MAX_ROWS || work > MAX_WORK {
            return None;
        }
        for p in &pos {
            let a = p.lin.coeff(v).cloned().unwrap_or(Integer::ONE);
            for n in &neg {
                let b = n.lin.coeff(v).map(Integer::abs).unwrap_or(Integer::ONE);
                let row = tighten(Row {
                    lin: p.lin.combine(&b, &n.lin, &a),
                    origins: union(&p.origins, &n.origins),
                })?;
                if row.lin.coeffs.is_empty() {
                    if row.lin.constant.is_positive() {
                        return Some(row.origins);
                    }
                    continue;
                }
                next.push(row);
            }
        }
        if next.is_empty() {
            return None;
        }
        rows = next;
    }
}

/// Keeps, for each left-hand side, only the tightest row (largest constant).
fn dedupe(rows: Vec<Row>) -> Vec<Row> {
    let mut best: FxHashMap<Vec<(u32, Integer)>, Row> = FxHashMap::default();
    for row in rows {
        match best.get(&row.lin.coeffs) {
            Some(old) if old.lin.constant >= row.lin.constant => {}
            _ => {
                best.insert(row.lin.coeffs.clone(), row);
            }
        }
    }
    let mut out: Vec<Row> = best.into_values().collect();
    out.sort_by(|a, b| a.lin.coeffs.cmp(&b.lin.coeffs));
    out
}

/// A polynomial over atoms: monomial (ordered by degree, then factors) -> coefficient.
type Poly = BTreeMap<(u32, Mono), Integer>;

fn degree(m: &Mono) -> u32 {
    m.iter().map(|(_, e)| *e).sum()
}

fn mono_mul(a: &Mono, b: &Mono) -> Mono {
    let mut out: Mono = a.clone();
    for &(f, e) in b {
        match out.binary_search_by_key(&f, |(x, _)| *x) {
            Ok(i) => out[i].1 += e,
            Err(i) => out.insert(i, (f, e)),
        }
    }
    out
}

/// `m / d` when every factor of `d` divides `m`.
fn mono_div(m: &Mono, d: &Mono) -> Option<Mono> {
    let mut out = m.clone();
    for &(f, e) in d {
        let i = out.binary_search_by_key(&f, |(x, _)| *x).ok()?;
        if out[i].1 < e {
            return None;
        }
        out[i].1 -= e;
        if out[i].1 == 0 {
            out.remove(i);
        }
    }
    Some(out)
}

/// The linear problem under construction for one question.
struct Problem<'a> {
    arena: &'a mut Arena,
    ranges: &'a dyn Fn(SymbolId) -> Range,
    vars: FxHashMap<Mono, u32>,
    monos: Vec<Mono>,
    queue: Vec<u32>,
    eqs: Vec<Row>,
    ineqs: Vec<Row>,
    too_big: bool,
}

impl<'a> Problem<'a> {
    fn new(arena: &'a mut Arena, ranges: &'a dyn Fn(SymbolId) -> Range) -> Problem<'a> {
        Problem {
            arena,
            ranges,
            vars: FxHashMap::default(),
            monos: Vec::new(),
            queue: Vec::new(),
            eqs: Vec::new(),
            ineqs: Vec::new(),
            too_big: false,
        }
    }

    fn factors(&self, id: ExprId) -> Mono {
        match self.arena.node(id) {
            Node::Product(f) => f.to_vec(),
            _ => vec![(id, 1)],
        }
    }

    fn var(&mut self, mono: Mono) -> u32 {
        if let Some(&v) = self.vars.get(&mono) {
            return v;
        }
        if self.monos.len() >= MAX_VARS {
            self.too_big = true;
        }
        let v = u32::try_from(self.monos.len()).unwrap_or(u32::MAX);
        self.vars.insert(mono.clone(), v);
        self.monos.push(mono);
        self.queue.push(v);
        v
    }

    /// The linear view of an integer expression, making variables for its monomials.
    fn lin(&mut self, id: ExprId) -> Lin {
        let node = self.arena.node(id).clone();
        let mut out = match &node {
            Node::Int(c) => return Lin::constant(c.clone()),
            Node::Sum { constant, terms } => {
                let mut coeffs = Vec::with_capacity(terms.len());
                for (t, c) in terms.iter() {
                    let m = self.factors(*t);
                    coeffs.push((self.var(m), c.clone()));
                }
                Lin {
                    coeffs,
                    constant: constant.clone(),
                }
            }
            _ => {
                let m = self.factors(id);
                Lin::var(self.var(m))
            }
        };
        out.coeffs.sort_by_key(|(v, _)| *v);
        out
    }

    fn range_of(&self, id: ExprId) -> Range {
        self.arena.range(id, self.ranges)
    }

    fn mono_range(&self, m: &Mono) -> Range {
        let mut r = Range::point(Integer::ONE);
        for &(f, e) in m {
            r = r.mul(&self.range_of(f).pow(e));
        }
        r
    }

    /// Origins of a row derived from the ranges of the symbols in `ids`.
    fn symbol_origins(&self, ids: &[ExprId]) -> Vec<u32> {
        let mut out = Vec::new();
        for &id in ids {
            for s in self.arena.free_symbols(Term::total(id)) {
                if !(self.ranges)(s).is_full() {
                    out.push(ORIGIN_SYMBOL + u32::try_from(s.index()).unwrap_or(0));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn push_le(&mut self, lin: Lin, origins: &[u32]) {
        self.ineqs.push(Row {
            lin,
            origins: origins.to_vec(),
        });
    }

    fn push_eq(&mut self, lin: Lin, origins: &[u32]) {
        self.eqs.push(Row {
            lin,
            origins: origins.to_vec(),
        });
    }

    /// `lo <= lin <= hi` for the finite ends of `r`.
    fn push_range(&mut self, lin: &Lin, r: &Range, origins: &[u32]) {
        if let Bound::Finite(lo) = r.lo() {
            self.push_le(
                lin.neg()
                    .combine(&Integer::ONE, &Lin::constant(lo.clone()), &Integer::ONE),
                origins,
            );
        }
        if let Bound::Finite(hi) = r.hi() {
            self.push_le(lin.sub(&Lin::constant(hi.clone())), origins);
        }
    }

    /// Adds the defining constraints of every variable made so far (and of those they make).
    fn define_all(&mut self) {
        while let Some(v) = self.queue.pop() {
            if self.too_big {
                return;
            }
            let mono = self.monos[v as usize].clone();
            self.define(v, &mono);
        }
    }

    fn define(&mut self, v: u32, mono: &Mono) {
        let x = Lin::var(v);
        if let [(id, 1)] = mono.as_slice() {
            let id = *id;
            let origins = self.symbol_origins(&[id]);
            let r = self.range_of(id);
            self.push_range(&x, &r, &origins);
            self.define_atom(&x, id);
            return;
        }
        let r = self.mono_range(mono);
        let ids: Vec<ExprId> = mono.iter().map(|(f, _)| *f).collect();
        let origins = self.symbol_origins(&ids);
        self.push_range(&x, &r, &origins);
        // Split into u·w with u the first factor.
        let f = mono[0].0;
        let u_mono = vec![(f, 1)];
        let w_mono = mono_div(mono, &u_mono).unwrap_or_default();
        if w_mono == u_mono {
            // x = u² >= u for every integer u.
            let u = self.var(u_mono.clone());
            self.push_le(Lin::var(u).sub(&x), &[]);
        }
        let u_range = self.mono_range(&u_mono);
        let w_range = self.mono_range(&w_mono);
        let u = Lin::var(self.var(u_mono));
        let w = Lin::var(self.var(w_mono));
        self.mccormick(&x, &u, &u_range, &w, &w_range, &origins);
    }

    /// The four envelopes of `x = u·w` over the finite bounds of `u` and `w`.
    fn mccormick(&mut self, x: &Lin, u: &Lin, ur: &Range, w: &Lin, wr: &Range, origins: &[u32]) {
        let ends = |r: &Range| (r.lo().finite().cloned(), r.hi().finite().cloned());
        let (ul, uh) = ends(ur);
        let (wl, wh) = ends(wr);
        // (u - a)(w - b) >= 0  =>  a·w + b·u - a·b - x <= 0      (a, b lower ends, or both upper)
        // (u - a)(b - w) >= 0  =>  x - b·u - a·w + a·b <= 0      (a lower of u, b upper of w; or mirrored)
        let below = |a: &Integer, b: &Integer| -> Lin {
            w.scale(a).add(&u.scale(b)).sub(x).add(&Lin::constant(a.mul(b).neg()))
        };
        let above =
            |a: &Integer, b: &Integer| -> Lin { x.sub(&u.scale(b)).sub(&w.scale(a)).add(&Lin::constant(a.mul(b))) };
        if let (Some(a), Some(b)) = (&ul, &wl) {
            self.push_le(below(a, b), origins);
        }
        if let (Some(a), Some(b)) = (&uh, &wh) {
            self.push_le(below(a, b), origins);
        }
        if let (Some(a), Some(b)) = (&ul, &wh) {
            self.push_le(above(a, b), origins);
        }
        if let (Some(a), Some(b)) = (&uh, &wl) {
            self.push_le(above(a, b), origins);
        }
    }

    fn define_atom(&mut self, x: &Lin, id: ExprId) {
        let node = self.arena.node(id).clone();
        match node {
            Node::FloorDiv(a, d) => self.define_floordiv(x, id, a, d),
            Node::Mod(a, d) => self.define_mod(x, a, d),
            Node::Min(xs) | Node::Max(xs) => {
                let is_min = matches!(self.arena.node(id), Node::Min(_));
                for e in xs.iter() {
                    let l = self.lin(*e);
                    // min: x - e <= 0; max: e - x <= 0
                    let row = if is_min { x.sub(&l) } else { l.sub(x) };
                    self.push_le(row, &[]);
                }
            }
            Node::Abs(a) => {
                let l = self.lin(a);
                self.push_le(l.sub(x), &[]);
                self.push_le(l.neg().sub(x), &[]);
            }
            Node::Sum { .. } => {
                // A sum kept as a factor of an unexpanded product, used here on its own.
                let l = self.lin(id);
                if l.coeffs.len() != 1 || l.coeff(x.coeffs[0].0).is_none() {
                    self.push_eq(x.sub(&l), &[]);
                }
            }
            Node::Ite(c, t, e) => {
                if let Some(truth) = self.arena.known_truth(c, self.ranges) {
                    let origins = self.symbol_origins(&[c]);
                    let l = self.lin(if truth { t } else { e });
                    self.push_eq(x.sub(&l), &origins);
                }
            }
            _ => {}
        }
    }

    /// `q = a // d`: `d·q <= a <= d·q + d - 1` for a positive divisor (constant, or symbolic with
    /// a positive range), after splitting off the polynomial part of `a / d`.
    fn define_floordiv(&mut self, q: &Lin, id: ExprId, a: ExprId, d: ExprId) {
        // The quotient exists only where `d != 0`, so a divisor ranging over `[0, ...]` is
        // positive wherever these rows have to hold.
        let d_range = self.range_of(d);
        let positive = d_range.lo().finite().is_some_and(|lo| !lo.is_negative());
        if let Some(split) = self.split_quotient(a, d) {
            if split != id {
                let l = self.lin(split);
                self.push_eq(q.sub(&l), &[]);
                return;
            }
        }
        if !positive {
            return;
        }
        let origins = self.symbol_origins(&[d]);
        let la = self.lin(a);
        let qd = match self.arena.mul(id, d) {
            Ok(e) => self.lin(e),
            Err(_) => {
                self.too_big = true;
                return;
            }
        };
        let ld = self.lin(d);
        self.push_le(qd.sub(&la), &origins);
        self.push_le(la.sub(&qd).sub(&ld).plus(1), &origins);
    }

    /// `r = a % d = a - d·(a // d)`, `0 <= r <= d - 1` for a positive divisor (mirrored for a
    /// negative one).
    fn define_mod(&mut self, r: &Lin, a: ExprId, d: ExprId) {
        let quotient = match self.arena.floordiv(a, d) {
            Ok(q) => self.split_quotient(a, d).unwrap_or(q),
            Err(_) => return,
        };
        let Ok(qd) = self.arena.mul(quotient, d) else {
            self.too_big = true;
            return;
        };
        let la = self.lin(a);
        let lqd = self.lin(qd);
        self.push_eq(r.sub(&la.sub(&lqd)), &[]);
        let d_range = self.range_of(d);
        let origins = self.symbol_origins(&[d]);
        let ld = self.lin(d);
        // As for quotients: the remainder exists only where `d != 0`.
        if d_range.lo().finite().is_some_and(|lo| !lo.is_negative()) {
            self.push_le(r.neg(), &origins);
            self.push_le(r.sub(&ld).plus(1), &origins);
        } else if d_range.hi().finite().is_some_and(|hi| !hi.is_positive()) {
            self.push_le(r.clone(), &origins);
            self.push_le(ld.sub(r).plus(1), &origins);
        }
    }

    fn poly(&self, id: ExprId) -> Poly {
        let mut out = Poly::new();
        let mut put = |m: Mono, c: Integer| {
            out.insert((degree(&m), m), c);
        };
        match self.arena.node(id) {
            Node::Int(c) => {
                if !c.is_zero() {
                    put(Vec::new(), c.clone());
                }
            }
            Node::Sum { constant, terms } => {
                if !constant.is_zero() {
                    put(Vec::new(), constant.clone());
                }
                for (t, c) in terms.iter() {
                    put(self.factors(*t), c.clone());
                }
            }
            _ => put(self.factors(id), Integer::ONE),
        }
        out
    }

    fn poly_expr(&mut self, p: &Poly) -> Option<ExprId> {
        let mut items = Vec::with_capacity(p.len());
        for ((_, m), c) in p {
            let mut e = self.arena.int(Integer::ONE).ok()?;
            for &(f, k) in m {
                let pw = self.arena.pow_const(f, &Integer::Small(i64::from(k))).ok()?;
                e = self.arena.mul(e, pw).ok()?;
            }
            items.push((e, c.clone()));
        }
        self.arena.linear_combination(Integer::ZERO, &items).ok()
    }

    /// `a // d` as `p + r // d` when polynomial division of `a` by `d` gives a quotient `p != 0`
    /// (exact for every binding with `d != 0`, since `d·p` is a multiple of `d`); `None` when no
    /// monomial of `a` is divisible by `d`'s leading one.
    fn split_quotient(&mut self, a: ExprId, d: ExprId) -> Option<ExprId> {
        if matches!(self.arena.node(d), Node::Int(_)) {
            return None;
        }
        let divisor = self.poly(d);
        let (lead_key, lead_c) = divisor.iter().next_back().map(|(k, c)| (k.clone(), c.clone()))?;
        let mut work = self.poly(a);
        let mut quotient = Poly::new();
        let mut rest = Poly::new();
        for _ in 0..MAX_DIVISION_STEPS {
            let Some(((deg, m), c)) = work.pop_last() else {
                break;
            };
            let q_mono = mono_div(&m, &lead_key.1);
            let q_c = c.floordiv(&lead_c).ok()?;
            match q_mono {
                Some(qm) if q_c.mul(&lead_c) == c => {
                    for ((_, dm), dc) in &divisor {
                        let pm = mono_mul(&qm, dm);
                        let key = (degree(&pm), pm);
                        let v = work.remove(&key).unwrap_or(Integer::ZERO).sub(&q_c.mul(dc));
                        if key.1 == m {
                            continue; // the leading term cancels exactly
                        }
                        if !v.is_zero() {
                            work.insert(key, v);
                        }
                    }
                    let key = (degree(&qm), qm);
                    let v = quotient.remove(&key).unwrap_or(Integer::ZERO).add(&q_c);
                    if !v.is_zero() {
                        quotient.insert(key, v);
                    }
                }
                _ => {
                    rest.insert((deg, m), c);
                }
            }
        }
        if !work.is_empty() || quotient.is_empty() {
            return None;
        }
        let p = self.poly_expr(&quotient)?;
        if rest.is_empty() {
            return Some(p);
        }
        let r = self.poly_expr(&rest)?;
        let rq = self.arena.floordiv(r, d).ok()?;
        self.arena.add(p, rq).ok()
    }

    /// The rows of a fact (a conjunction of `<= 0` and `== 0` literals; others add nothing).
    fn fact_rows(&mut self, fact: ExprId, origin: u32) {
        let mut stack = vec![fact];
        while let Some(b) = stack.pop() {
            match self.arena.node(b).clone() {
                Node::Le0(e) => {
                    let l = self.lin(e);
                    self.push_le(l, &[origin]);
                }
                Node::Eq0(e) => {
                    let l = self.lin(e);
                    self.push_eq(l, &[origin]);
                }
                Node::And(xs) => stack.extend(xs.iter().copied()),
                Node::Bool(false) => self.push_le(Lin::constant(Integer::ONE), &[origin]),
                _ => {}
            }
        }
    }

    /// Whether the base rows plus `extra_le <= 0` and `extra_eq == 0` are infeasible.
    fn refute(&self, extra_le: &[Lin], extra_eq: &[Lin]) -> Refutation {
        if self.too_big {
            return None;
        }
        let mut eqs = self.eqs.clone();
        let mut ineqs = self.ineqs.clone();
        ineqs.extend(extra_le.iter().map(|l| Row {
            lin: l.clone(),
            origins: Vec::new(),
        }));
        eqs.extend(extra_eq.iter().map(|l| Row {
            lin: l.clone(),
            origins: Vec::new(),
        }));
        infeasible(eqs, ineqs)
    }
}

/// A literal of the question, in linear form.
#[derive(Debug, Clone)]
enum Lit {
    Le(Lin),
    Eq(Lin),
    Ne(Lin),
}

impl Lit {
    /// Rows that say the literal holds: `(<= 0 rows, == 0 rows)`, or `None` for `!=`.
    fn holds(&self) -> Option<(Vec<Lin>, Vec<Lin>)> {
        match self {
            Lit::Le(l) => Some((vec![l.clone()], vec![])),
            Lit::Eq(l) => Some((vec![], vec![l.clone()])),
            Lit::Ne(_) => None,
        }
    }

    /// Rows that say the literal fails, or `None` when its failure is a disjunction.
    fn fails(&self) -> Option<(Vec<Lin>, Vec<Lin>)> {
        match self {
            Lit::Le(l) => Some((vec![l.neg().plus(1)], vec![])),
            Lit::Ne(l) => Some((vec![], vec![l.clone()])),
            Lit::Eq(_) => None,
        }
    }
}

/// The shape of a question: literals combined by and/or/not.
#[derive(Debug, Clone)]
enum Query {
    Const(bool),
    Lit(Lit),
    Not(Box<Query>),
    And(Vec<Query>),
    Or(Vec<Query>),
    Opaque(ExprId),
}

impl Problem<'_> {
    fn query(&mut self, b: ExprId) -> Query {
        match self.arena.node(b).clone() {
            Node::Bool(v) => Query::Const(v),
            Node::Le0(e) => Query::Lit(Lit::Le(self.lin(e))),
            Node::Eq0(e) => Query::Lit(Lit::Eq(self.lin(e))),
            Node::Ne0(e) => Query::Lit(Lit::Ne(self.lin(e))),
            Node::Not(x) => Query::Not(Box::new(self.query(x))),
            Node::And(xs) => Query::And(xs.iter().map(|x| self.query(*x)).collect()),
            Node::Or(xs) => Query::Or(xs.iter().map(|x| self.query(*x)).collect()),
            _ => Query::Opaque(b),
        }
    }

    /// The truth of `q` at every admissible binding, with the origins of the proof.
    fn truth(&self, q: &Query, used: &mut Vec<u32>) -> Option<bool> {
        match q {
            Query::Const(v) => Some(*v),
            Query::Opaque(b) => self.arena.known_truth(*b, self.ranges),
            Query::Not(x) => self.truth(x, used).map(|v| !v),
            Query::Lit(lit) => {
                if let Some(o) = self.lit_proof(lit, true) {
                    used.extend(o);
                    return Some(true);
                }
                if let Some(o) = self.lit_proof(lit, false) {
                    used.extend(o);
                    return Some(false);
                }
                None
            }
            Query::And(xs) | Query::Or(xs) => {
                let is_or = matches!(q, Query::Or(_));
                // and: false if any is false, true if all are; or: mirrored.
                let mut all = true;
                let mut local = Vec::new();
                for x in xs {
                    let mut u = Vec::new();
                    match self.truth(x, &mut u) {
                        Some(v) if v == is_or => {
                            used.extend(u);
                            return Some(is_or);
                        }
                        Some(_) => local.extend(u),
                        None => all = false,
                    }
                }
                if all {
                    used.extend(local);
                    return Some(!is_or);
                }
                // and: infeasible conjunction of all literals => false; or: infeasible
                // conjunction of all negations => true.
                let mut le = Vec::new();
                let mut eq = Vec::new();
                for x in xs {
                    let rows = match x {
                        Query::Lit(l) if is_or => l.fails(),
                        Query::Lit(l) => l.holds(),
                        _ => None,
                    };
                    let (a, b) = rows?;
                    le.extend(a);
                    eq.extend(b);
                }
                let o = self.refute(&le, &eq)?;
                used.extend(o);
                Some(is_or)
            }
        }
    }

    /// Origins of a proof that `lit` always holds (`want`) or always fails (`!want`).
    fn lit_proof(&self, lit: &Lit, want: bool) -> Refutation {
        let (lit, want) = match lit {
            Lit::Ne(l) => (Lit::Eq(l.clone()), !want),
            other => (other.clone(), want),
        };
        match (lit, want) {
            (Lit::Le(l), true) => self.refute(&[l.neg().plus(1)], &[]),
            (Lit::Le(l), false) => self.refute(&[l], &[]),
            (Lit::Eq(l), true) => {
                let a = self.refute(&[l.neg().plus(1)], &[])?;
                let b = self.refute(&[l.plus(1)], &[])?;
                Some(union(&a, &b))
            }
            (Lit::Eq(l), false) => self.refute(&[], &[l]),
            (Lit::Ne(_), _) => None,
        }
    }
}

impl Arena {
    /// Decides the boolean expression `b` for every binding in which each symbol `s` lies in
    /// `ranges(s)` and every expression of `facts` is true: `Some(true)` / `Some(false)` when all
    /// such bindings (at which evaluation succeeds) agree, `None` when unknown. See the module
    /// documentation for the method. May add nodes to the arena (quotients it splits).
    pub fn decide(&mut self, b: ExprId, facts: &[ExprId], ranges: &dyn Fn(SymbolId) -> Range) -> Decision {
        let fact_syms: Vec<FxHashSet<SymbolId>> = facts
            .iter()
            .map(|f| self.free_symbols(Term::total(*f)).into_iter().collect())
            .collect();
        self.decide_with(b, facts, &fact_syms, ranges)
    }

    /// [`Arena::decide`] with each fact's free symbols given (callers that keep facts keep
    /// these too, instead of walking every fact for every question).
    pub(crate) fn decide_with(
        &mut self,
        b: ExprId,
        facts: &[ExprId],
        fact_syms: &[FxHashSet<SymbolId>],
        ranges: &dyn Fn(SymbolId) -> Range,
    ) -> Decision {
        if self.sort(b) != Sort::Bool {
            return Decision::default();
        }
        let free: FxHashSet<SymbolId> = self.free_symbols(Term::total(b)).into_iter().collect();
        if let Some(v) = self.known_truth(b, ranges) {
            let mut symbols: Vec<SymbolId> = free.into_iter().filter(|s| !ranges(*s).is_full()).collect();
            symbols.sort_unstable();
            return Decision {
                truth: Some(v),
                facts: Vec::new(),
                symbols,
            };
        }
        // The facts connected to the question through shared symbols.
        let question_syms = free.clone();
        let mut reach = free;
        let mut chosen = vec![false; facts.len()];
        loop {
            let mut grew = false;
            for (i, syms) in fact_syms.iter().enumerate() {
                if !chosen[i] && (syms.is_empty() || syms.iter().any(|s| reach.contains(s))) {
                    chosen[i] = true;
                    reach.extend(syms.iter().copied());
                    grew = true;
                }
            }
            if !grew {
                break;
            }
        }
        let mut picked: Vec<usize> = (0..facts.len()).filter(|&i| chosen[i]).collect();
        if picked.len() > MAX_FACTS {
            // Fewer assumptions can only make the answer weaker, never wrong: keep the facts over
            // the question's own symbols first, then the most recent ones.
            picked.sort_by_key(|&i| (!fact_syms[i].is_subset(&question_syms), std::cmp::Reverse(i)));
            picked.truncate(MAX_FACTS);
        }
        let mut problem = Problem::new(self, ranges);
        let query = problem.query(b);
        for i in picked {
            problem.fact_rows(facts[i], u32::try_from(i).unwrap_or(u32::MAX));
        }
        problem.define_all();
        let mut used = Vec::new();
        let truth = problem.truth(&query, &mut used);
        used.sort_unstable();
        used.dedup();
        let mut decision = Decision {
            truth,
            ..Decision::default()
        };
        if truth.is_some() {
            for o in used {
                if o >= ORIGIN_SYMBOL {
                    if let Ok(s) = SymbolId::from_index((o - ORIGIN_SYMBOL) as usize) {
                        decision.symbols.push(s);
                    }
                } else {
                    decision.facts.push(o as usize);
                }
            }
        }
        decision
    }
}
