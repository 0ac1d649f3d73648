//! Facts an environment has learned that change how new expressions are built: symbol
//! replacements (after `s1 == s0` is known, `s1` is written `s0`) and divisibility (after
//! `s0 % 8 == 0` is known, `s0 % 8` is `0` and `(s0 // 8) * 8` is `s0`).
//!
//! Both are assumptions that hold only where the facts hold, which is exactly where the code
//! that recorded them is valid (a guard or a runtime assertion). Expressions built before a fact
//! keep their ids; [`Arena::canonical`] rewrites one to use the replacements.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::arena::{Arena, Term};
use crate::decide::Decision;
use crate::error::{EngineError, Result};
use crate::id::{ExprId, SymbolId};
use crate::node::Node;
use crate::num::Integer;
use crate::range::{Bound, Range};

/// The learned facts of one arena.
#[derive(Default)]
pub(crate) struct Knowledge {
    /// `symbol -> term` it is replaced by (terms over older or unreplaced symbols only).
    pub(crate) replacements: FxHashMap<SymbolId, Term>,
    /// `expression -> modulus` it is known to be a multiple of.
    pub(crate) divisible: FxHashMap<ExprId, Integer>,
    /// `id -> its canonical term` under the current replacements.
    canon: FxHashMap<ExprId, Term>,
    /// The facts (booleans) known to hold, in the order they were added.
    pub(crate) facts: Vec<ExprId>,
    /// The free symbols of each fact.
    fact_syms: Vec<FxHashSet<SymbolId>>,
    /// Symbol ranges tightened by facts (intersected with the declared ones when read).
    pub(crate) ranges: FxHashMap<SymbolId, Range>,
    /// Answers of [`Arena::decide_known`] without hypotheses, valid until the next fact.
    decided: FxHashMap<(ExprId, Vec<SymbolId>), Decision>,
}

/// What [`Arena::add_fact`] learned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Learned {
    /// Index of the fact in [`Arena::facts`].
    pub index: usize,
    /// Symbols replaced because of it (their later expressions use the replacement).
    pub replaced: Vec<SymbolId>,
    /// Symbols whose range it tightened.
    pub tightened: Vec<SymbolId>,
    /// Expressions it made known multiples of a constant.
    pub divisible: Vec<(ExprId, Integer)>,
}

/// `ceil(a / b)` for `b > 0`.
fn ceil_div(a: &Integer, b: &Integer) -> Result<Integer> {
    Ok(a.neg().floordiv(b)?.neg())
}

impl Arena {
    /// Replaces the symbol `s` by `by` in every expression built from now on (and in those passed
    /// to [`Arena::canonical`]). `by` is first made canonical; earlier replacements that mention
    /// `s` are updated.
    ///
    /// Fails (`SymbolError`) when `by` still mentions `s` after canonicalisation.
    pub fn replace_symbol(&mut self, s: SymbolId, by: Term) -> Result<()> {
        let by = self.canonical(by)?;
        if self.free_symbols(by).contains(&s) {
            return Err(EngineError::BadSymbol(format!(
                "cannot replace {} by an expression that contains it",
                self.symbol_info(s).name
            )));
        }
        let mut map = FxHashMap::default();
        map.insert(s, by);
        // Compute every updated replacement first, so a failure changes nothing.
        let old: Vec<(SymbolId, Term)> = self.knowledge.replacements.iter().map(|(k, v)| (*k, *v)).collect();
        let mut updated = Vec::with_capacity(old.len());
        for (k, v) in old {
            updated.push((k, self.substitute(v, &map)?));
        }
        self.knowledge.replacements.extend(updated);
        self.knowledge.replacements.insert(s, by);
        self.knowledge.canon.clear();
        self.knowledge.decided.clear();
        self.op_memo.clear();
        Ok(())
    }

    /// The term `s` is replaced by, if any.
    pub fn replacement(&self, s: SymbolId) -> Option<Term> {
        self.knowledge.replacements.get(&s).copied()
    }

    /// True when no replacement or divisibility fact is recorded (new expressions are built
    /// exactly as in a fresh arena).
    pub fn knows_nothing(&self) -> bool {
        self.knowledge.replacements.is_empty() && self.knowledge.divisible.is_empty()
    }

    /// `t` with every replaced symbol substituted. Memoised per node, so canonicalising each new
    /// result of a long computation costs only its new nodes.
    pub fn canonical(&mut self, t: Term) -> Result<Term> {
        if self.knowledge.replacements.is_empty() {
            return Ok(t);
        }
        let todo = self.pending(&[t.value], |id| self.knowledge.canon.contains_key(&id));
        for id in todo {
            let node = self.node(id).clone();
            let mut changed = false;
            node.for_each_child(|c| {
                changed |= self.knowledge.canon.get(&c).is_some_and(|n| *n != Term::total(c));
            });
            let new = match &node {
                Node::Symbol(s) => self.knowledge.replacements.get(s).copied().unwrap_or(Term::total(id)),
                _ if !changed => Term::total(id),
                _ => {
                    let canon = std::mem::take(&mut self.knowledge.canon);
                    let r = self.rebuild(id, &node, &canon);
                    self.knowledge.canon = canon;
                    r?
                }
            };
            self.knowledge.canon.insert(id, new);
        }
        let value = self
            .knowledge
            .canon
            .get(&t.value)
            .copied()
            .unwrap_or(Term::total(t.value));
        let checks = self.merge_checks(t.checks, value.checks)?;
        Ok(Term {
            value: value.value,
            checks,
        })
    }

    /// Records that `x` is a multiple of `k > 0`: from now on `x % k` (and `x % d` for every
    /// divisor `d` of `k`) is `0`, and `c·(x // d)` with `d | c` is `(c/d)·x`.
    pub fn assume_divisible(&mut self, x: ExprId, k: &Integer) -> Result<()> {
        if !k.is_positive() {
            return Err(EngineError::BadSymbol("a modulus must be positive".into()));
        }
        let m = match self.knowledge.divisible.get(&x) {
            // lcm(old, k)
            Some(old) => old.mul(k).floordiv(&old.gcd(k))?,
            None => k.clone(),
        };
        self.knowledge.divisible.insert(x, m);
        self.op_memo.clear();
        Ok(())
    }

    /// The modulus `x` is known to be a multiple of.
    pub fn divisibility(&self, x: ExprId) -> Option<&Integer> {
        self.knowledge.divisible.get(&x)
    }

    /// True when `x` is known to be a multiple of `k`.
    pub(crate) fn known_multiple(&self, x: ExprId, k: &Integer) -> bool {
        self.knowledge
            .divisible
            .get(&x)
            .is_some_and(|m| m.modulo(k).is_ok_and(|r| r.is_zero()))
    }

    /// For [`Arena::make_sum`]: rewrites terms `c·(x // k)` (or `c·(x // k)·rest`) with `x` a
    /// known multiple of `k` and `k | c` into `(c/k)·x` (`(c/k)·x·rest`). `None` when no term
    /// qualifies.
    pub(crate) fn divide_out_known(&mut self, terms: &[(ExprId, Integer)]) -> Result<Option<Vec<(ExprId, Integer)>>> {
        let mut out: Option<Vec<(ExprId, Integer)>> = None;
        for (i, (t, c)) in terms.iter().enumerate() {
            let factors: Vec<(ExprId, u32)> = match self.node(*t) {
                Node::Product(f) => f.to_vec(),
                _ => vec![(*t, 1)],
            };
            let mut hit = None;
            for (j, &(f, e)) in factors.iter().enumerate() {
                if let Node::FloorDiv(x, d) = *self.node(f) {
                    if let Node::Int(k) = self.node(d) {
                        let k = k.clone();
                        if e == 1 && c.modulo(&k)?.is_zero() && self.known_multiple(x, &k) {
                            hit = Some((j, x, k));
                            break;
                        }
                    }
                }
            }
            let Some((j, x, k)) = hit else {
                if let Some(o) = out.as_mut() {
                    o.push((*t, c.clone()));
                }
                continue;
            };
            let o = out.get_or_insert_with(|| terms[..i].to_vec());
            let mut value = x;
            for (m, &(f, e)) in factors.iter().enumerate() {
                if m != j {
                    let p = self.pow_const(f, &Integer::Small(i64::from(e)))?;
                    value = self.mul(value, p)?;
                }
            }
            o.push((value, c.floordiv(&k)?));
        }
        Ok(out)
    }

    /// The facts added so far (canonical booleans), in order.
    pub fn facts(&self) -> &[ExprId] {
        &self.knowledge.facts
    }

    /// The range of `s`: declared, intersected with what facts have taught.
    pub fn known_range(&self, s: SymbolId) -> Range {
        let declared = self.declared_range(s);
        match self.knowledge.ranges.get(&s) {
            Some(r) => declared.intersect(r).unwrap_or(declared),
            None => declared,
        }
    }

    /// [`Arena::range`] under the known ranges.
    pub fn known_bound(&self, id: ExprId) -> Range {
        self.range(id, &|s| self.known_range(s))
    }

    /// [`Arena::decide`] of `b` (made canonical first) under every fact added and the known
    /// ranges; symbols in `oblivious` are assumed `>= 2` in addition (size-oblivious reasoning:
    /// sizes 0 and 1 are ignored).
    ///
    /// `assume` are extra facts for this question only (a hypothesis): they are used like facts
    /// and single-symbol ones tighten ranges; a proof's [`Decision::facts`] never lists them.
    pub fn decide_known(&mut self, b: ExprId, oblivious: &[SymbolId], assume: &[ExprId]) -> Result<Decision> {
        let b = self.canonical(Term::total(b))?.value;
        if assume.is_empty() {
            let key = (b, oblivious.to_vec());
            if let Some(d) = self.knowledge.decided.get(&key) {
                return Ok(d.clone());
            }
            // A recorded fact, or the negation of one, needs no search.
            if let Some(i) = self.knowledge.facts.iter().position(|&f| f == b) {
                return Ok(Decision {
                    truth: Some(true),
                    facts: vec![i],
                    symbols: Vec::new(),
                });
            }
            let d = self.decide_known_uncached(b, oblivious, assume)?;
            if self.knowledge.decided.len() > 4096 {
                self.knowledge.decided.clear();
            }
            self.knowledge.decided.insert(key, d.clone());
            return Ok(d);
        }
        self.decide_known_uncached(b, oblivious, assume)
    }

    fn decide_known_uncached(&mut self, b: ExprId, oblivious: &[SymbolId], assume: &[ExprId]) -> Result<Decision> {
        let mut hypotheses = Vec::with_capacity(assume.len());
        let mut extra: FxHashMap<SymbolId, Range> = FxHashMap::default();
        for &h in assume {
            let h = self.canonical(Term::total(h))?.value;
            let syms: FxHashSet<SymbolId> = self.free_symbols(Term::total(h)).into_iter().collect();
            hypotheses.push((h, syms));
            if let Ok(Some((s, r))) = self.literal_range(h) {
                let cur = extra.get(&s).cloned().unwrap_or_else(|| self.known_range(s));
                // An empty intersection makes the hypothesis contradictory: anything follows.
                let n = cur.intersect(&r).unwrap_or(r);
                extra.insert(s, n);
            }
        }
        let mut ranges: FxHashMap<SymbolId, Range> = self
            .symbols()
            .map(|(s, _)| s)
            .collect::<Vec<_>>()
            .into_iter()
            .map(|s| {
                let mut r = self.known_range(s);
                if oblivious.contains(&s) {
                    let two = Range::from_options(Some(Integer::Small(2)), None).unwrap_or_else(Range::full);
                    r = r.intersect(&two).unwrap_or(r);
                }
                (s, r)
            })
            .collect();
        for (s, r) in extra {
            ranges.insert(s, r);
        }
        let lookup = |s: SymbolId| ranges.get(&s).cloned().unwrap_or_else(Range::full);
        // The facts are moved out for the call (it needs the arena mutably) and put back after;
        // nothing in between can fail.
        let mut facts = std::mem::take(&mut self.knowledge.facts);
        let mut fact_syms = std::mem::take(&mut self.knowledge.fact_syms);
        let n_facts = facts.len();
        for (h, syms) in hypotheses {
            facts.push(h);
            fact_syms.push(syms);
        }
        let mut d = self.decide_with(b, &facts, &fact_syms, &lookup);
        facts.truncate(n_facts);
        fact_syms.truncate(n_facts);
        self.knowledge.facts = facts;
        self.knowledge.fact_syms = fact_syms;
        d.facts.retain(|&i| i < n_facts);
        Ok(d)
    }

    /// [`Arena::decide`] of `b` as given (no replacements applied) from the facts at `indices`
    /// only, under the *declared* ranges: whether those facts alone imply `b`. Used to drop
    /// guards that other guards imply (the fact itself may have tightened the known ranges or
    /// made replacements, so neither may be used).
    pub fn decide_among(&mut self, b: ExprId, indices: &[usize]) -> Decision {
        let facts: Vec<ExprId> = indices
            .iter()
            .filter_map(|&i| self.knowledge.facts.get(i).copied())
            .collect();
        let declared: FxHashMap<SymbolId, Range> = self.symbols().map(|(s, _)| (s, self.declared_range(s))).collect();
        let lookup = |s: SymbolId| declared.get(&s).cloned().unwrap_or_else(Range::full);
        // Divisibility facts change how quotients are built; set them aside so that only the
        // facts given are used.
        let divisible = std::mem::take(&mut self.knowledge.divisible);
        let mut d = self.decide(b, &facts, &lookup);
        self.knowledge.divisible = divisible;
        d.facts = d.facts.iter().filter_map(|&i| indices.get(i).copied()).collect();
        d
    }

    /// Adds a fact (a boolean that holds from now on) and learns from it: a literal over one
    /// symbol tightens that symbol's range (`s0 >= 8`, `s0 == 8`, `s0 != 0` at an end of the
    /// range), an equality `s == e` with `s` a symbol of coefficient ±1 replaces the newest such
    /// symbol by the rest (when `learn_replacements`), and `x % k == 0` records divisibility.
    ///
    /// Fails with [`EngineError::Contradiction`] when the fact empties a symbol's range or is the
    /// constant `False`; nothing is recorded then.
    pub fn add_fact(&mut self, b: ExprId, learn_replacements: bool) -> Result<Learned> {
        let b = self.canonical(Term::total(b))?.value;
        if matches!(self.node(b), Node::Bool(false)) {
            return Err(EngineError::Contradiction("the fact is always false".into()));
        }
        let mut literals = Vec::new();
        let mut stack = vec![b];
        while let Some(x) = stack.pop() {
            match self.node(x) {
                Node::And(xs) => stack.extend(xs.iter().copied()),
                _ => literals.push(x),
            }
        }
        // Range effects first, all or nothing.
        let mut new_ranges: FxHashMap<SymbolId, Range> = FxHashMap::default();
        for &lit in &literals {
            if let Some((s, r)) = self.literal_range(lit)? {
                let cur = new_ranges.get(&s).cloned().unwrap_or_else(|| self.known_range(s));
                let Some(n) = cur.intersect(&r) else {
                    return Err(EngineError::Contradiction(format!(
                        "{} cannot hold: {} is in {cur}",
                        crate::print(self, lit)?,
                        self.symbol_info(s).name
                    )));
                };
                new_ranges.insert(s, n);
            }
        }
        let mut learned = Learned {
            index: self.knowledge.facts.len(),
            ..Learned::default()
        };
        for (s, r) in new_ranges {
            if r != self.known_range(s) {
                learned.tightened.push(s);
            }
            self.knowledge.ranges.insert(s, r);
        }
        learned.tightened.sort_unstable();
        self.knowledge.facts.push(b);
        let syms = self.free_symbols(Term::total(b)).into_iter().collect();
        self.knowledge.fact_syms.push(syms);
        self.knowledge.decided.clear();
        for &lit in &literals {
            let Node::Eq0(e) = *self.node(lit) else {
                continue;
            };
            if let Node::Mod(x, k) = *self.node(e) {
                if let Node::Int(k) = self.node(k) {
                    let k = k.clone();
                    if k.is_positive() && self.assume_divisible(x, &k).is_ok() {
                        learned.divisible.push((x, k));
                    }
                }
                continue;
            }
            if learn_replacements {
                // The fact is recorded by now: a replacement that cannot be made is skipped, never
                // an error (the fact still holds and proofs still use it).
                let Ok(Some((s, by))) = self.replacement_of(e) else {
                    continue;
                };
                if self.replace_symbol(s, by).is_ok() {
                    if let Node::Symbol(t) = *self.node(by.value) {
                        let r = self.known_range(s);
                        let cur = self.known_range(t);
                        if let Some(n) = cur.intersect(&r) {
                            self.knowledge.ranges.insert(t, n);
                        }
                    }
                    learned.replaced.push(s);
                }
            }
        }
        Ok(learned)
    }

    /// The range a literal over a single symbol (`a·s + c <= 0`, `== 0`, `!= 0`) confines it to.
    fn literal_range(&self, lit: ExprId) -> Result<Option<(SymbolId, Range)>> {
        let (Node::Le0(e) | Node::Eq0(e) | Node::Ne0(e)) = *self.node(lit) else {
            return Ok(None);
        };
        let (c, terms) = self.linear(e);
        let [(t, a)] = terms.as_ref() else {
            return Ok(None);
        };
        let Node::Symbol(s) = *self.node(*t) else {
            return Ok(None);
        };
        let (a, c) = (a.clone(), c.clone());
        let point = |v: Integer| Range::point(v);
        let r = match self.node(lit) {
            // a·s <= -c
            Node::Le0(_) if a.is_positive() => Range::new(Bound::NegInf, Bound::Finite(c.neg().floordiv(&a)?)),
            Node::Le0(_) => Range::new(Bound::Finite(ceil_div(&c, &a.neg())?), Bound::PosInf),
            Node::Eq0(_) => {
                let (q, r) = c.neg().divmod(&a)?;
                if !r.is_zero() {
                    return Err(EngineError::Contradiction(format!(
                        "{} has no integer solution",
                        crate::print(self, lit)?
                    )));
                }
                Some(point(q))
            }
            _ => {
                // s != v shrinks the range only at one of its ends.
                let (v, r) = c.neg().divmod(&a)?;
                let cur = self.known_range(s);
                if !r.is_zero() {
                    None
                } else if cur.lo().finite() == Some(&v) {
                    Range::new(Bound::Finite(v.add(&Integer::ONE)), Bound::PosInf)
                } else if cur.hi().finite() == Some(&v) {
                    Range::new(Bound::NegInf, Bound::Finite(v.sub(&Integer::ONE)))
                } else {
                    None
                }
            }
        };
        match r {
            Some(r) => Ok(Some((s, r))),
            None if matches!(self.node(lit), Node::Ne0(_)) => Ok(None),
            None => Err(EngineError::Contradiction(format!(
                "{} cannot hold",
                crate::print(self, lit)?
            ))),
        }
    }

    /// For `e == 0` with `e` linear: the newest symbol with coefficient ±1 and the term it
    /// equals.
    fn replacement_of(&mut self, e: ExprId) -> Result<Option<(SymbolId, Term)>> {
        let (c, terms) = self.linear(e);
        let terms = terms.into_owned();
        let mut best: Option<(SymbolId, usize)> = None;
        for (i, (t, a)) in terms.iter().enumerate() {
            if let Node::Symbol(s) = *self.node(*t) {
                // Only a symbol the other terms do not mention (`s == s // 2 + 1` is no definition).
                let elsewhere = terms
                    .iter()
                    .enumerate()
                    .any(|(j, (u, _))| j != i && self.free_symbols(Term::total(*u)).contains(&s));
                if a.abs().is_one() && !elsewhere && best.is_none_or(|(b, _)| s > b) {
                    best = Some((s, i));
                }
            }
        }
        let Some((s, i)) = best else {
            return Ok(None);
        };
        // a·s + rest == 0  =>  s == -rest / a == -a·rest (a = ±1)
        let a = terms[i].1.clone();
        let items: Vec<(ExprId, Integer)> = terms
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, (t, k))| (*t, k.mul(&a).neg()))
            .collect();
        let value = self.linear_combination(c.mul(&a).neg(), &items)?;
        Ok(Some((s, Term::total(value))))
    }
}
