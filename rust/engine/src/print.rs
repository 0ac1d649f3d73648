//! The printer: any value node as a Python expression that [`crate::parse`] reads back to the
//! very same id.
//!
//! Printing never recurses. A first forward loop over the reachable ids (children are older than
//! their parents) lays out every node as a short list of pieces (literal text and references to
//! children) and measures it: exact length, a polynomial hash of the whole text and its first
//! [`KEY_PREFIX`] bytes. Orderings "by printed text" compare those keys, so they never build the
//! text. A second pass writes the text with an explicit stack, after checking the length against
//! [`MAX_PRINT_LEN`]. Both passes are linear in the size of the DAG plus the size of the output.
//!
//! Forms chosen (all read back exactly by the parser):
//! - sums `s0*s1 + 2*s0 - s1 + 3` (terms by total degree descending, then text; constant last);
//! - products `s0**2*s1`, factors by text, sums as factors parenthesised `(s0 + 1)**300`;
//! - `e <= 0`, `e == 0`, `e != 0` as comparisons with positive terms on each side (`s0 < s1`);
//! - floats as `repr`, `float('inf')`, `-float('inf')`, `float('nan')`;
//! - `x if c else y`, parenthesised whenever it is an operand.

use std::cmp::Ordering;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::arena::Arena;
use crate::error::{EngineError, Result};
use crate::float::float_repr;
use crate::id::ExprId;
use crate::int_ops::{multinomial_terms, MAX_EXPAND_TERMS};
use crate::node::{BitOp, CmpOp, FloatOp, Node};
use crate::num::{Integer, RoundMode};

/// Longest printed form, in bytes.
pub const MAX_PRINT_LEN: usize = 1 << 28;

// Python precedence levels, loosest first. The parser uses the same numbering.
pub(crate) const P_ITE: u8 = 0;
pub(crate) const P_OR: u8 = 1;
pub(crate) const P_AND: u8 = 2;
pub(crate) const P_NOT: u8 = 3;
pub(crate) const P_CMP: u8 = 4;
pub(crate) const P_BOR: u8 = 5;
pub(crate) const P_BXOR: u8 = 6;
pub(crate) const P_BAND: u8 = 7;
pub(crate) const P_SHIFT: u8 = 8;
pub(crate) const P_ADD: u8 = 9;
pub(crate) const P_MUL: u8 = 10;
pub(crate) const P_UNARY: u8 = 11;
pub(crate) const P_POW: u8 = 12;
pub(crate) const P_ATOM: u8 = 13;

/// Bytes of each node's text kept for ordering by text (ties past it fall back to length, then
/// a hash of the whole text: still a function of the text alone, so still deterministic).
const KEY_PREFIX: usize = 64;

/// Modulus (a Mersenne prime) and base of the polynomial text hash.
const HASH_MOD: u64 = (1 << 61) - 1;
const HASH_BASE: u64 = 0x0123_4567_89AB_CDEF % HASH_MOD;

fn mul_mod(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    let m = u128::from(HASH_MOD);
    // p < 2**122, so folding twice brings it under 2**62 and one subtraction finishes.
    let folded = (p & m) + (p >> 61);
    let folded = (folded & m) + (folded >> 61);
    let r = u64::try_from(folded).unwrap_or(0);
    if r >= HASH_MOD {
        r - HASH_MOD
    } else {
        r
    }
}

fn add_mod(a: u64, b: u64) -> u64 {
    let s = a + b; // both < 2**61
    if s >= HASH_MOD {
        s - HASH_MOD
    } else {
        s
    }
}

fn pow_mod(mut b: u64, mut e: u64) -> u64 {
    let mut r = 1;
    while e > 0 {
        if e & 1 == 1 {
            r = mul_mod(r, b);
        }
        b = mul_mod(b, b);
        e >>= 1;
    }
    r
}

/// One piece of a node's layout.
#[derive(Clone, Copy, Debug)]
enum Piece {
    /// Fixed text.
    Static(&'static str),
    /// `lits[start..end]`.
    Lit(usize, usize),
    /// The whole text of the node in this slot.
    Child(usize),
    /// The text of the node in this slot without its final `)` (to flatten float `min`/`max`).
    ChildOpen(usize),
}

/// What ordering by printed text looks at.
#[derive(Clone, Debug, Default)]
struct Key {
    /// Exact length in bytes (saturating).
    len: usize,
    /// Polynomial hash of the whole text.
    hash: u64,
    /// `HASH_BASE ** len`.
    pw: u64,
    /// The first `min(len, KEY_PREFIX)` bytes.
    prefix: Vec<u8>,
}

impl Key {
    fn cmp_text(&self, other: &Key) -> Ordering {
        self.prefix
            .cmp(&other.prefix)
            .then(self.len.cmp(&other.len))
            .then(self.hash.cmp(&other.hash))
    }

    fn push_bytes(&mut self, bytes: &[u8]) {
        self.len = self.len.saturating_add(bytes.len());
        for &b in bytes {
            self.hash = add_mod(mul_mod(self.hash, HASH_BASE), u64::from(b));
            self.pw = mul_mod(self.pw, HASH_BASE);
        }
        self.push_prefix(bytes);
    }

    fn push_prefix(&mut self, bytes: &[u8]) {
        let room = KEY_PREFIX.saturating_sub(self.prefix.len());
        self.prefix.extend_from_slice(&bytes[..room.min(bytes.len())]);
    }
}

/// A laid-out node.
struct Info {
    prec: u8,
    key: Key,
    /// Range of its pieces in `Printer::pieces`.
    start: usize,
    end: usize,
}

/// An item of a product's layout.
enum ProductItem {
    /// `f` or `f**e`.
    Power(usize, u32),
    /// `(a)*(b)`: two sums whose product is past the expansion bound, so multiplying them keeps
    /// both as factors.
    Pair(usize, usize),
}

struct Printer<'a> {
    arena: &'a Arena,
    slots: FxHashMap<ExprId, usize>,
    infos: Vec<Info>,
    pieces: Vec<Piece>,
    lits: String,
    inv_base: u64,
}

fn internal(what: &str) -> EngineError {
    EngineError::InvalidValue(format!("internal printer error: {what}"))
}

/// Ids reachable from `root`, ascending (children before parents).
fn reachable(arena: &Arena, root: ExprId) -> Vec<ExprId> {
    let mut seen: FxHashSet<ExprId> = FxHashSet::default();
    seen.insert(root);
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        arena.node(id).for_each_child(|c| {
            if seen.insert(c) {
                stack.push(c);
            }
        });
    }
    let mut ids: Vec<ExprId> = seen.into_iter().collect();
    ids.sort_unstable();
    ids
}

/// Number of terms of the linear view of a sum (its constant counts as one).
fn sum_size(node: &Node) -> Option<usize> {
    match node {
        Node::Sum { constant, terms } => Some(terms.len() + usize::from(!constant.is_zero())),
        _ => None,
    }
}

/// Prints `id` in Python syntax.
pub fn print(arena: &Arena, id: ExprId) -> Result<String> {
    if matches!(arena.node(id), Node::Checks(_)) {
        return Err(EngineError::InvalidValue(
            "a checks list is not a value and cannot be printed".into(),
        ));
    }
    let mut p = Printer {
        arena,
        slots: FxHashMap::default(),
        infos: Vec::new(),
        pieces: Vec::new(),
        lits: String::new(),
        inv_base: pow_mod(HASH_BASE, HASH_MOD - 2),
    };
    let mut buf = Vec::new();
    for n in reachable(arena, id) {
        buf.clear();
        let prec = p.layout(n, &mut buf)?;
        let mut key = p.measure(&buf);
        key.prefix.shrink_to_fit();
        let start = p.pieces.len();
        p.pieces.extend_from_slice(&buf);
        let slot = p.infos.len();
        p.infos.push(Info {
            prec,
            key,
            start,
            end: p.pieces.len(),
        });
        p.slots.insert(n, slot);
    }
    let root = p.slot(id)?;
    let len = p.infos[root].key.len;
    if len > MAX_PRINT_LEN {
        return Err(EngineError::TooLarge(format!(
            "the printed form of this expression would take {} bytes, over the limit of {MAX_PRINT_LEN} bytes \
             (the expression shares subexpressions heavily; printing writes each use out in full)",
            if len == usize::MAX {
                "more than 2**64".to_owned()
            } else {
                len.to_string()
            }
        )));
    }
    p.emit(root, len)
}

impl Printer<'_> {
    fn slot(&self, id: ExprId) -> Result<usize> {
        self.slots
            .get(&id)
            .copied()
            .ok_or_else(|| internal("child laid out after its parent"))
    }

    fn prec(&self, slot: usize) -> u8 {
        self.infos[slot].prec
    }

    fn key(&self, slot: usize) -> &Key {
        &self.infos[slot].key
    }

    /// Length, hash and prefix of the text of `pieces`.
    fn measure(&self, pieces: &[Piece]) -> Key {
        let mut k = Key {
            len: 0,
            hash: 0,
            pw: 1,
            prefix: Vec::with_capacity(KEY_PREFIX),
        };
        for piece in pieces {
            match *piece {
                Piece::Static(s) => k.push_bytes(s.as_bytes()),
                Piece::Lit(a, b) => k.push_bytes(self.lits.get(a..b).unwrap_or("").as_bytes()),
                Piece::Child(c) => {
                    let ck = self.key(c);
                    k.len = k.len.saturating_add(ck.len);
                    k.hash = add_mod(mul_mod(k.hash, ck.pw), ck.hash);
                    k.pw = mul_mod(k.pw, ck.pw);
                    k.push_prefix(&ck.prefix);
                }
                Piece::ChildOpen(c) => {
                    // The child's text ends with ')': drop that byte.
                    let ck = self.key(c);
                    let clen = ck.len.saturating_sub(1);
                    let chash = mul_mod(add_mod(ck.hash, HASH_MOD - u64::from(b')')), self.inv_base);
                    let cpw = mul_mod(ck.pw, self.inv_base);
                    k.len = k.len.saturating_add(clen);
                    k.hash = add_mod(mul_mod(k.hash, cpw), chash);
                    k.pw = mul_mod(k.pw, cpw);
                    k.push_prefix(&ck.prefix[..clen.min(ck.prefix.len())]);
                }
            }
        }
        k
    }

    /// Writes the text of `root` with an explicit stack.
    fn emit(&self, root: usize, len: usize) -> Result<String> {
        let mut out = String::with_capacity(len);
        let info = &self.infos[root];
        let mut stack: Vec<(usize, usize)> = vec![(info.start, info.end)];
        while let Some(top) = stack.last_mut() {
            if top.0 >= top.1 {
                stack.pop();
                continue;
            }
            let piece = self.pieces[top.0];
            top.0 += 1;
            match piece {
                Piece::Static(s) => out.push_str(s),
                Piece::Lit(a, b) => out.push_str(self.lits.get(a..b).ok_or_else(|| internal("bad literal"))?),
                Piece::Child(c) => {
                    let i = &self.infos[c];
                    stack.push((i.start, i.end));
                }
                Piece::ChildOpen(c) => {
                    let i = &self.infos[c];
                    stack.push((i.start, i.end.saturating_sub(1)));
                }
            }
        }
        Ok(out)
    }

    fn lit(&mut self, out: &mut Vec<Piece>, s: &str) {
        let start = self.lits.len();
        self.lits.push_str(s);
        out.push(Piece::Lit(start, self.lits.len()));
    }

    /// The child in a slot that needs at least precedence `min`.
    fn child(&self, out: &mut Vec<Piece>, slot: usize, min: u8) {
        if self.prec(slot) < min {
            out.extend([Piece::Static("("), Piece::Child(slot), Piece::Static(")")]);
        } else {
            out.push(Piece::Child(slot));
        }
    }

    /// The right operand of a binary arithmetic operator: like [`Self::child`], and a negative
    /// number or negation is parenthesised too (`x - (-1.5)`, not `x - -1.5`).
    fn right(&self, out: &mut Vec<Piece>, slot: usize, min: u8) {
        self.child(out, slot, if self.prec(slot) == P_UNARY { P_POW } else { min });
    }

    fn binop(&self, out: &mut Vec<Piece>, a: usize, op: &'static str, b: usize, prec: u8) -> u8 {
        self.child(out, a, prec);
        out.push(Piece::Static(op));
        self.right(out, b, prec + 1);
        prec
    }

    /// `name(args)`; `open` includes the parenthesis.
    fn call(&self, out: &mut Vec<Piece>, open: &'static str, args: &[usize]) -> u8 {
        out.push(Piece::Static(open));
        for (i, &a) in args.iter().enumerate() {
            if i > 0 {
                out.push(Piece::Static(", "));
            }
            self.child(out, a, P_OR);
        }
        out.push(Piece::Static(")"));
        P_ATOM
    }

    fn slots_of(&self, ids: &[ExprId]) -> Result<Vec<usize>> {
        ids.iter().map(|&i| self.slot(i)).collect()
    }

    fn sort_by_text(&self, slots: &mut [usize]) {
        slots.sort_by(|&a, &b| self.key(a).cmp_text(self.key(b)));
    }

    /// A product (as a term of a sum) whose text can follow a coefficient or a minus sign
    /// without parentheses: `2*s0*s1` is `(2*s0)*s1`, the same monomial. Not when a factor is a
    /// sum: multiplying a scaled factor by a sum would change which factors are kept.
    fn is_plain_product(&self, id: ExprId) -> bool {
        match self.arena.node(id) {
            Node::Product(fs) => !fs.iter().any(|&(f, _)| matches!(self.arena.node(f), Node::Sum { .. })),
            _ => false,
        }
    }

    fn degree(&self, id: ExprId) -> u64 {
        match self.arena.node(id) {
            Node::Product(fs) => fs.iter().fold(0u64, |d, &(_, e)| d.saturating_add(u64::from(e))),
            _ => 1,
        }
    }

    /// `constant + Σ coeff·term` (also one side of a comparison).
    fn linear(&mut self, out: &mut Vec<Piece>, constant: &Integer, terms: &[(ExprId, Integer)]) -> Result<u8> {
        let mut order: Vec<(u64, usize, ExprId, &Integer)> = Vec::with_capacity(terms.len());
        for (t, k) in terms {
            order.push((self.degree(*t), self.slot(*t)?, *t, k));
        }
        order.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| self.key(a.1).cmp_text(self.key(b.1))));
        if order.is_empty() {
            self.lit(out, &constant.to_string());
            return Ok(if constant.is_negative() { P_UNARY } else { P_ATOM });
        }
        let mut prec = P_ADD;
        let alone = order.len() == 1 && constant.is_zero();
        for (i, &(_, slot, id, k)) in order.iter().enumerate() {
            let plain = self.is_plain_product(id);
            if i == 0 {
                if k.is_one() {
                    let cp = self.prec(slot);
                    self.child(out, slot, P_ADD);
                    prec = if cp < P_ADD { P_ATOM } else { cp };
                } else if *k == Integer::Small(-1) {
                    out.push(Piece::Static("-"));
                    if plain {
                        out.push(Piece::Child(slot));
                        prec = if self.prec(slot) <= P_MUL { P_MUL } else { P_UNARY };
                    } else {
                        self.child(out, slot, P_POW);
                        prec = P_UNARY;
                    }
                } else {
                    self.lit(out, &k.to_string());
                    out.push(Piece::Static("*"));
                    self.mul_operand(out, slot, plain);
                    prec = P_MUL;
                }
            } else {
                out.push(Piece::Static(if k.is_negative() { " - " } else { " + " }));
                let a = k.abs();
                if a.is_one() {
                    self.right(out, slot, P_MUL);
                } else {
                    self.lit(out, &a.to_string());
                    out.push(Piece::Static("*"));
                    self.mul_operand(out, slot, plain);
                }
            }
        }
        if !constant.is_zero() {
            out.push(Piece::Static(if constant.is_negative() { " - " } else { " + " }));
            self.lit(out, &constant.abs().to_string());
        }
        Ok(if alone { prec } else { P_ADD })
    }

    fn mul_operand(&self, out: &mut Vec<Piece>, slot: usize, plain: bool) {
        if plain {
            out.push(Piece::Child(slot));
        } else {
            self.right(out, slot, P_UNARY);
        }
    }

    /// `Π factor^exp`, laid out so that multiplying the printed factors left to right rebuilds
    /// exactly this product: a sum is kept as a factor only when multiplying it in passes the
    /// expansion bound, so sums too small for that are printed in pairs whose product passes it.
    fn product(&mut self, out: &mut Vec<Piece>, factors: &[(ExprId, u32)]) -> Result<u8> {
        let mut items: Vec<ProductItem> = Vec::new();
        let mut small: Vec<(usize, usize)> = Vec::new(); // (size, slot), one per unit of exponent
        let mut big: Vec<(usize, u32)> = Vec::new(); // sums past the bound: always kept as factors
        let mut safe_pow: Vec<(usize, usize, u32)> = Vec::new(); // (slot, size, exp): power kept
        for &(f, e) in factors {
            let slot = self.slot(f)?;
            match sum_size(self.arena.node(f)) {
                Some(z) if z > MAX_EXPAND_TERMS => big.push((slot, e)),
                Some(z) if e >= 2 && multinomial_terms(z, e) > MAX_EXPAND_TERMS => safe_pow.push((slot, z, e)),
                // Here e < 256 (the bound is passed from e = 256 on for any sum).
                Some(z) => small.extend(std::iter::repeat_n((z, slot), e as usize)),
                None => items.push(ProductItem::Power(slot, e)),
            }
        }
        let by_size_text =
            |a: &(usize, usize), b: &(usize, usize)| a.0.cmp(&b.0).then_with(|| self.key(a.1).cmp_text(self.key(b.1)));
        small.sort_by(by_size_text);
        big.sort_by(|a, b| self.key(a.0).cmp_text(self.key(b.0)));
        safe_pow.sort_by(|a, b| self.key(a.0).cmp_text(self.key(b.0)));
        // Pair the largest remaining with the smallest that passes the bound with it.
        let mut leftovers = Vec::new();
        let (mut lo, mut hi) = (0, small.len());
        while hi - lo >= 2 {
            if small[lo].0 * small[hi - 1].0 > MAX_EXPAND_TERMS {
                items.push(ProductItem::Pair(small[lo].1, small[hi - 1].1));
                lo += 1;
                hi -= 1;
            } else {
                leftovers.push(small[lo]);
                lo += 1;
            }
        }
        leftovers.extend_from_slice(&small[lo..hi]);
        for (z, slot) in leftovers {
            if let Some(b) = big.iter_mut().find(|b| b.1 > 0) {
                b.1 -= 1;
                items.push(ProductItem::Pair(slot, b.0));
            } else if let Some(s) = safe_pow
                .iter_mut()
                .find(|s| s.2 >= 3 && multinomial_terms(s.1, s.2 - 1) > MAX_EXPAND_TERMS && s.1 * z > MAX_EXPAND_TERMS)
            {
                s.2 -= 1;
                items.push(ProductItem::Pair(slot, s.0));
            } else {
                // No construction found: print it plainly (not reachable through the constructors
                // for the sizes seen in practice).
                items.push(ProductItem::Power(slot, 1));
            }
        }
        items.extend(
            big.into_iter()
                .filter(|b| b.1 > 0)
                .map(|(s, e)| ProductItem::Power(s, e)),
        );
        items.extend(safe_pow.into_iter().map(|(s, _, e)| ProductItem::Power(s, e)));

        let several = items.len() > 1;
        let mut laid: Vec<(Key, Vec<Piece>)> = Vec::with_capacity(items.len());
        let mut prec = P_MUL;
        for item in &items {
            let mut v = Vec::new();
            match *item {
                ProductItem::Power(s, 1) => {
                    self.child(&mut v, s, P_UNARY);
                    prec = self.prec(s).max(P_UNARY);
                }
                ProductItem::Power(s, e) => {
                    self.child(&mut v, s, P_ATOM);
                    v.push(Piece::Static("**"));
                    self.lit(&mut v, &e.to_string());
                    prec = P_POW;
                }
                ProductItem::Pair(a, b) => {
                    if several {
                        v.push(Piece::Static("("));
                    }
                    self.child(&mut v, a, P_UNARY);
                    v.push(Piece::Static("*"));
                    self.child(&mut v, b, P_UNARY);
                    if several {
                        v.push(Piece::Static(")"));
                    }
                    prec = P_MUL;
                }
            }
            laid.push((self.measure(&v), v));
        }
        laid.sort_by(|a, b| a.0.cmp_text(&b.0));
        for (i, (_, v)) in laid.into_iter().enumerate() {
            if i > 0 {
                out.push(Piece::Static("*"));
            }
            out.extend(v);
        }
        Ok(if several { P_MUL } else { prec })
    }

    /// `e <= 0`, `e == 0` or `e != 0` as `lhs op rhs`, positive terms on each side.
    fn comparison(&mut self, out: &mut Vec<Piece>, e: ExprId, rel: CmpOp) -> Result<u8> {
        let arena = self.arena;
        let (c, terms) = arena.linear(e);
        let mut lhs = Vec::new();
        let mut rhs = Vec::new();
        for (t, k) in terms.iter() {
            if k.is_negative() {
                rhs.push((*t, k.neg()));
            } else {
                lhs.push((*t, k.clone()));
            }
        }
        // lhs - rhs + c REL 0  <=>  lhs REL rhs + d.
        let (op, d) = match rel {
            // `a + 1 <= b` reads better as `a < b`, but `8 <= s0` as `s0 >= 8`.
            CmpOp::Le if c.is_positive() && !lhs.is_empty() => (CmpOp::Lt, Integer::ONE.sub(&c)),
            _ => (rel, c.neg()),
        };
        if lhs.is_empty() {
            // 0 op rhs + d  <=>  rhs op' -d
            let mirrored = match op {
                CmpOp::Lt => CmpOp::Gt,
                CmpOp::Le => CmpOp::Ge,
                CmpOp::Gt => CmpOp::Lt,
                CmpOp::Ge => CmpOp::Le,
                other => other,
            };
            self.linear(out, &Integer::ZERO, &rhs)?;
            out.push(Piece::Static(cmp_text(mirrored)));
            self.linear(out, &d.neg(), &[])?;
        } else {
            self.linear(out, &Integer::ZERO, &lhs)?;
            out.push(Piece::Static(cmp_text(op)));
            self.linear(out, &d, &rhs)?;
        }
        Ok(P_CMP)
    }

    /// Lays out one node; returns its precedence.
    fn layout(&mut self, id: ExprId, out: &mut Vec<Piece>) -> Result<u8> {
        let arena = self.arena;
        let prec = match arena.node(id) {
            Node::Int(v) => {
                self.lit(out, &v.to_string());
                if v.is_negative() {
                    P_UNARY
                } else {
                    P_ATOM
                }
            }
            Node::Symbol(s) => {
                self.lit(out, &arena.symbol_info(*s).name);
                P_ATOM
            }
            Node::Sum { constant, terms } => self.linear(out, constant, terms)?,
            Node::Product(factors) => self.product(out, factors)?,
            Node::FloorDiv(a, b) => self.binop(out, self.slot(*a)?, " // ", self.slot(*b)?, P_MUL),
            Node::Mod(a, b) => self.binop(out, self.slot(*a)?, " % ", self.slot(*b)?, P_MUL),
            Node::Pow(a, b) => self.power(out, self.slot(*a)?, self.slot(*b)?),
            Node::PowMod(a, b, m) => self.call(out, "pow(", &self.slots_of(&[*a, *b, *m])?),
            Node::Min(xs) | Node::Max(xs) => {
                let mut slots = self.slots_of(xs)?;
                self.sort_by_text(&mut slots);
                self.call(
                    out,
                    if matches!(arena.node(id), Node::Min(_)) {
                        "min("
                    } else {
                        "max("
                    },
                    &slots,
                )
            }
            Node::Abs(a) | Node::FloatAbs(a) => self.call(out, "abs(", &[self.slot(*a)?]),
            Node::Bit(op, a, b) => {
                let (text, prec) = match op {
                    BitOp::And => (" & ", P_BAND),
                    BitOp::Or => (" | ", P_BOR),
                    BitOp::Xor => (" ^ ", P_BXOR),
                    BitOp::Shl => (" << ", P_SHIFT),
                    BitOp::Shr => (" >> ", P_SHIFT),
                };
                self.binop(out, self.slot(*a)?, text, self.slot(*b)?, prec)
            }
            Node::FloatToInt(mode, a) => {
                let open = match mode {
                    RoundMode::Floor => "floor(",
                    RoundMode::Ceil => "ceil(",
                    RoundMode::Trunc => "trunc(",
                    RoundMode::HalfEven => "round(",
                };
                self.call(out, open, &[self.slot(*a)?])
            }
            Node::Bool(b) => {
                out.push(Piece::Static(if *b { "True" } else { "False" }));
                P_ATOM
            }
            Node::Le0(e) => self.comparison(out, *e, CmpOp::Le)?,
            Node::Eq0(e) => self.comparison(out, *e, CmpOp::Eq)?,
            Node::Ne0(e) => self.comparison(out, *e, CmpOp::Ne)?,
            Node::And(xs) | Node::Or(xs) => {
                let is_and = matches!(arena.node(id), Node::And(_));
                let mut slots = self.slots_of(xs)?;
                self.sort_by_text(&mut slots);
                let (sep, prec) = if is_and { (" and ", P_AND) } else { (" or ", P_OR) };
                for (i, &s) in slots.iter().enumerate() {
                    if i > 0 {
                        out.push(Piece::Static(sep));
                    }
                    self.child(out, s, prec + 1);
                }
                prec
            }
            Node::Not(a) => {
                out.push(Piece::Static("not "));
                self.child(out, self.slot(*a)?, P_NOT);
                P_NOT
            }
            Node::FloatCmp(op, a, b) => {
                self.child(out, self.slot(*a)?, P_CMP + 1);
                out.push(Piece::Static(cmp_text(*op)));
                self.child(out, self.slot(*b)?, P_CMP + 1);
                P_CMP
            }
            Node::Float(bits) => {
                let x = f64::from_bits(*bits);
                if x.is_nan() {
                    out.push(Piece::Static("float('nan')"));
                    P_ATOM
                } else if x.is_infinite() {
                    out.push(Piece::Static(if x > 0.0 { "float('inf')" } else { "-float('inf')" }));
                    if x > 0.0 {
                        P_ATOM
                    } else {
                        P_UNARY
                    }
                } else {
                    self.lit(out, &float_repr(x));
                    if x.is_sign_negative() {
                        P_UNARY
                    } else {
                        P_ATOM
                    }
                }
            }
            Node::ToFloat(a) => self.call(out, "float(", &[self.slot(*a)?]),
            Node::FloatBin(op, a, b) => {
                let (sa, sb) = (self.slot(*a)?, self.slot(*b)?);
                match op {
                    FloatOp::Add => self.binop(out, sa, " + ", sb, P_ADD),
                    FloatOp::Sub => self.binop(out, sa, " - ", sb, P_ADD),
                    FloatOp::Mul => self.binop(out, sa, "*", sb, P_MUL),
                    FloatOp::Div => self.binop(out, sa, " / ", sb, P_MUL),
                    FloatOp::FloorDiv => self.binop(out, sa, " // ", sb, P_MUL),
                    FloatOp::Mod => self.binop(out, sa, " % ", sb, P_MUL),
                    FloatOp::Pow => self.power(out, sa, sb),
                    FloatOp::Min | FloatOp::Max => {
                        // `min(x, y, z)` folds left as float_bin(min, float_bin(min, x, y), z): print a
                        // left chain of the same operation as one call (its first link may have
                        // two int operands, which a call of its own would read as an int min).
                        if matches!(arena.node(*a), Node::FloatBin(inner, ..) if inner == op) {
                            out.push(Piece::ChildOpen(sa));
                            out.push(Piece::Static(", "));
                            self.child(out, sb, P_OR);
                            out.push(Piece::Static(")"));
                            P_ATOM
                        } else {
                            self.call(out, if *op == FloatOp::Min { "min(" } else { "max(" }, &[sa, sb])
                        }
                    }
                }
            }
            Node::FloatNeg(a) => {
                out.push(Piece::Static("-"));
                self.child(out, self.slot(*a)?, P_POW);
                P_UNARY
            }
            Node::FloatRound(a, n) => self.call(out, "round(", &[self.slot(*a)?, self.slot(*n)?]),
            Node::Ite(c, a, b) => {
                self.child(out, self.slot(*a)?, P_OR);
                out.push(Piece::Static(" if "));
                self.child(out, self.slot(*c)?, P_OR);
                out.push(Piece::Static(" else "));
                self.child(out, self.slot(*b)?, P_OR);
                P_ITE
            }
            Node::Checks(_) => return Err(internal("a checks list inside a value")),
        };
        Ok(prec)
    }

    fn power(&self, out: &mut Vec<Piece>, a: usize, b: usize) -> u8 {
        self.child(out, a, P_ATOM);
        out.push(Piece::Static("**"));
        self.right(out, b, P_UNARY);
        P_POW
    }
}

fn cmp_text(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => " == ",
        CmpOp::Ne => " != ",
        CmpOp::Lt => " < ",
        CmpOp::Le => " <= ",
        CmpOp::Gt => " > ",
        CmpOp::Ge => " >= ",
    }
}
