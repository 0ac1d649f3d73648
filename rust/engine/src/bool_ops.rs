//! Canonical constructors for booleans: integer comparisons normalised onto `e <= 0`,
//! `e == 0`, `e != 0`, and flattened, sorted `and` / `or`.

use crate::arena::Arena;
use crate::error::Result;
use crate::id::ExprId;
use crate::node::{Node, Sort};
use crate::num::Integer;

/// Which normalised comparison with zero.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rel {
    Le,
    Eq,
    Ne,
}

impl Arena {
    /// `a < b` on integers (`a - b + 1 <= 0`).
    pub fn lt(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let d = self.sub(a, b)?;
        let one = self.int(Integer::ONE)?;
        let d = self.add(d, one)?;
        self.le0(d)
    }

    /// `a <= b` on integers.
    pub fn le(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let d = self.sub(a, b)?;
        self.le0(d)
    }

    /// `a == b` on integers.
    pub fn eq(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        if a == b {
            return self.boolean(true);
        }
        let d = self.sub(a, b)?;
        self.rel0(d, Rel::Eq)
    }

    /// `a != b` on integers.
    pub fn ne(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        if a == b {
            return self.boolean(false);
        }
        let d = self.sub(a, b)?;
        self.rel0(d, Rel::Ne)
    }

    /// `e <= 0`.
    pub fn le0(&mut self, e: ExprId) -> Result<ExprId> {
        self.rel0(e, Rel::Le)
    }

    fn rel0(&mut self, e: ExprId, rel: Rel) -> Result<ExprId> {
        let (c, terms) = self.linear(e);
        if terms.is_empty() {
            let v = match rel {
                Rel::Le => !c.is_positive(),
                Rel::Eq => c.is_zero(),
                Rel::Ne => !c.is_zero(),
            };
            return self.boolean(v);
        }
        let g = terms.iter().fold(Integer::ZERO, |g, (_, k)| g.gcd(k));
        let mut terms = terms.into_owned();
        let mut c = c;
        let flip = rel != Rel::Le && terms[0].1.is_negative();
        if !g.is_one() || flip {
            let g = if flip { g.neg() } else { g };
            match rel {
                // Σ g·t + c <= 0  <=>  Σ t + ceil(c / g) <= 0   (g > 0)
                Rel::Le => c = c.neg().floordiv(&g)?.neg(),
                Rel::Eq | Rel::Ne => {
                    let (q, r) = c.divmod(&g)?;
                    if !r.is_zero() {
                        // g divides the left side but not the constant: never zero.
                        return self.boolean(rel == Rel::Ne);
                    }
                    c = q;
                }
            }
            for (_, k) in &mut terms {
                *k = k.floordiv(&g)?;
            }
        }
        let e = self.make_sum(c, terms)?;
        let node = match rel {
            Rel::Le => Node::Le0(e),
            Rel::Eq => Node::Eq0(e),
            Rel::Ne => Node::Ne0(e),
        };
        self.intern(node, Sort::Bool)
    }

    /// `not b`.
    pub fn not(&mut self, b: ExprId) -> Result<ExprId> {
        match *self.node(b) {
            Node::Bool(v) => self.boolean(!v),
            // not (e <= 0)  <=>  e >= 1  <=>  -e + 1 <= 0
            Node::Le0(e) => {
                let n = self.neg(e)?;
                let one = self.int(Integer::ONE)?;
                let n = self.add(n, one)?;
                self.intern(Node::Le0(n), Sort::Bool)
            }
            Node::Eq0(e) => self.intern(Node::Ne0(e), Sort::Bool),
            Node::Ne0(e) => self.intern(Node::Eq0(e), Sort::Bool),
            Node::Not(x) => Ok(x),
            _ => self.intern(Node::Not(b), Sort::Bool),
        }
    }

    /// `a and b and ...` (`is_or == false`) or `a or b or ...`: flattened, constants folded,
    /// duplicates removed, sorted.
    pub fn and_or(&mut self, args: &[ExprId], is_or: bool) -> Result<ExprId> {
        let mut items: Vec<ExprId> = Vec::with_capacity(args.len());
        for &a in args {
            match self.node(a) {
                // `True` is the identity of `and` and absorbs `or`; `False` the reverse.
                Node::Bool(v) if *v == is_or => return self.boolean(is_or),
                Node::Bool(_) => {}
                Node::And(xs) if !is_or => items.extend(xs.iter().copied()),
                Node::Or(xs) if is_or => items.extend(xs.iter().copied()),
                _ => items.push(a),
            }
        }
        items.sort_unstable();
        items.dedup();
        match items.as_slice() {
            [] => self.boolean(!is_or),
            [x] => Ok(*x),
            _ => {
                let items = items.into_boxed_slice();
                self.intern(if is_or { Node::Or(items) } else { Node::And(items) }, Sort::Bool)
            }
        }
    }

    /// `cond ? then : other` of any sort (branches of one sort).
    pub fn ite(&mut self, cond: ExprId, then: ExprId, other: ExprId) -> Result<ExprId> {
        match *self.node(cond) {
            Node::Bool(true) => return Ok(then),
            Node::Bool(false) => return Ok(other),
            Node::Not(c) => return self.ite(c, other, then),
            _ => {}
        }
        if then == other {
            return Ok(then);
        }
        let sort = self.sort(then);
        self.intern(Node::Ite(cond, then, other), sort)
    }
}
