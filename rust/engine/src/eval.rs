//! Evaluation under a binding of symbols to integers, hints, free symbols and substitution.
//! Every pass is a forward loop over ids (children are older), so depth never matters.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::arena::{Arena, Term};
use crate::error::{EngineError, Result};
use crate::float::round_float_ndigits;
use crate::float_ops::{cmp_holds, fold_float_op, num_cmp, Num};
use crate::id::{ExprId, SymbolId};
use crate::node::{BitOp, FloatOp, Node, Sort};
use crate::num::Integer;
use crate::ops::{BinOp, UnOp};

/// The value of an expression under a binding.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An integer.
    Int(Integer),
    /// A truth value.
    Bool(bool),
    /// A float.
    Float(f64),
}

impl Value {
    fn num(&self) -> Num {
        match self {
            Value::Int(i) => Num::Int(i.clone()),
            Value::Float(f) => Num::Float(*f),
            Value::Bool(b) => Num::Int(Integer::Small(i64::from(*b))),
        }
    }

    fn int(&self) -> Result<&Integer> {
        match self {
            Value::Int(i) => Ok(i),
            _ => Err(EngineError::Type("expected an integer value".into())),
        }
    }

    fn truth(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Int(i) => !i.is_zero(),
            Value::Float(f) => *f != 0.0,
        }
    }
}

/// Cached value of a node under its symbols' hints.
#[derive(Debug, Clone, Default)]
pub(crate) enum HintSlot {
    /// Not computed yet.
    #[default]
    NotComputed,
    /// Depends on a symbol without a hint.
    Unknown,
    /// The value.
    Known(Value),
    /// Evaluating it at the hints raises.
    Failed(EngineError),
}

impl Arena {
    /// Ids reachable from `roots` that `done` does not cover, in ascending (evaluation) order.
    pub(crate) fn pending(&self, roots: &[ExprId], done: impl Fn(ExprId) -> bool) -> Vec<ExprId> {
        let mut seen: FxHashSet<ExprId> = FxHashSet::default();
        let mut stack: Vec<ExprId> = roots.iter().copied().filter(|&r| !done(r)).collect();
        let mut out = Vec::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            out.push(id);
            self.node(id).for_each_child(|c| {
                if !done(c) && !seen.contains(&c) {
                    stack.push(c);
                }
            });
        }
        out.sort_unstable();
        out
    }

    /// Evaluates `t` with `binding` giving each symbol's value. Raises what Python would raise
    /// computing the same thing with ints and floats: the checks first, in the order the
    /// computation met them, then the value.
    pub fn evaluate(&self, t: Term, binding: &dyn Fn(SymbolId) -> Option<Integer>) -> Result<Value> {
        let mut memo: FxHashMap<ExprId, Value> = FxHashMap::default();
        let roots: Vec<ExprId> = t.checks.map(|c| self.check_list(c)).unwrap_or_default();
        for root in roots.into_iter().chain(std::iter::once(t.value)) {
            for id in self.pending(&[root], |c| memo.contains_key(&c)) {
                let v = self.eval_node(id, &|c| &memo[&c], binding)?;
                memo.insert(id, v);
            }
        }
        Ok(memo.remove(&t.value).unwrap_or(Value::Bool(true)))
    }

    /// The value of `t` under the symbols' hints (`None` if a symbol without a hint is
    /// involved), cached per node so repeated questions cost nothing.
    pub fn hint(&mut self, t: Term) -> Result<Option<Value>> {
        let roots: Vec<ExprId> = t.checks.map(|c| self.check_list(c)).unwrap_or_default();
        for root in roots.into_iter().chain(std::iter::once(t.value)) {
            for id in self.pending(&[root], |c| !matches!(self.hints[c.index()], HintSlot::NotComputed)) {
                let slot = self.hint_node(id);
                self.hints[id.index()] = slot;
            }
            match &self.hints[root.index()] {
                HintSlot::Failed(e) => return Err(e.clone()),
                HintSlot::Unknown => return Ok(None),
                _ => {}
            }
        }
        match &self.hints[t.value.index()] {
            HintSlot::Known(v) => Ok(Some(v.clone())),
            _ => Ok(None),
        }
    }

    fn hint_node(&self, id: ExprId) -> HintSlot {
        let mut unknown = false;
        let mut failed = None;
        self.node(id).for_each_child(|c| match &self.hints[c.index()] {
            HintSlot::Unknown => unknown = true,
            HintSlot::Failed(e) if failed.is_none() => failed = Some(e.clone()),
            _ => {}
        });
        if let Some(e) = failed {
            return HintSlot::Failed(e);
        }
        if unknown {
            return HintSlot::Unknown;
        }
        if let Node::Symbol(s) = self.node(id) {
            return match &self.symbol_info(*s).hint {
                Some(h) => HintSlot::Known(Value::Int(h.clone())),
                None => HintSlot::Unknown,
            };
        }
        let get = |c: ExprId| match &self.hints[c.index()] {
            HintSlot::Known(v) => v,
            _ => &Value::Bool(false),
        };
        match self.eval_node(id, &get, &|_| None) {
            Ok(v) => HintSlot::Known(v),
            Err(e) => HintSlot::Failed(e),
        }
    }

    /// One node's value from its children's values.
    fn eval_node<'a>(
        &self,
        id: ExprId,
        get: &dyn Fn(ExprId) -> &'a Value,
        binding: &dyn Fn(SymbolId) -> Option<Integer>,
    ) -> Result<Value> {
        let int = |c: ExprId| get(c).int();
        Ok(match self.node(id) {
            Node::Int(v) => Value::Int(v.clone()),
            Node::Bool(b) => Value::Bool(*b),
            Node::Float(bits) => Value::Float(f64::from_bits(*bits)),
            Node::Symbol(s) => Value::Int(
                binding(*s).ok_or_else(|| EngineError::UnboundSymbol(self.symbol_info(*s).name.to_string()))?,
            ),
            Node::Sum { constant, terms } => {
                let mut acc = constant.clone();
                for (t, k) in terms.iter() {
                    acc = acc.add(&int(*t)?.mul(k));
                }
                Value::Int(acc)
            }
            Node::Product(factors) => {
                let mut acc = Integer::ONE;
                for (f, e) in factors.iter() {
                    acc = acc.mul(&int(*f)?.pow(u64::from(*e))?);
                }
                Value::Int(acc)
            }
            Node::FloorDiv(a, b) => Value::Int(int(*a)?.floordiv(int(*b)?)?),
            Node::Mod(a, b) => Value::Int(int(*a)?.modulo(int(*b)?)?),
            Node::Pow(a, b) => {
                let (x, n) = (int(*a)?, int(*b)?);
                if n.is_negative() {
                    return Err(EngineError::InvalidValue(format!(
                        "symbolic integer power with negative exponent {n}: the expression was built assuming \
                         the exponent is >= 0"
                    )));
                }
                match n.to_i64().and_then(|n| u64::try_from(n).ok()) {
                    Some(n) => Value::Int(x.pow(n)?),
                    None if x.abs().is_one() || x.is_zero() => {
                        Value::Int(x.pow(if n.bitand(&Integer::ONE).is_zero() { 2 } else { 1 })?)
                    }
                    None => return Err(EngineError::TooLarge("integer power too large".into())),
                }
            }
            Node::PowMod(a, b, m) => Value::Int(int(*a)?.pow_mod(int(*b)?, int(*m)?)?),
            Node::Min(xs) | Node::Max(xs) => {
                let is_max = matches!(self.node(id), Node::Max(_));
                let mut best: Option<&Integer> = None;
                for &x in xs.iter() {
                    let v = int(x)?;
                    if best.is_none_or(|b| if is_max { v > b } else { v < b }) {
                        best = Some(v);
                    }
                }
                Value::Int(best.cloned().unwrap_or(Integer::ZERO))
            }
            Node::Abs(a) => Value::Int(int(*a)?.abs()),
            Node::Bit(op, a, b) => {
                let (x, y) = (int(*a)?, int(*b)?);
                Value::Int(match op {
                    BitOp::And => x.bitand(y),
                    BitOp::Or => x.bitor(y),
                    BitOp::Xor => x.bitxor(y),
                    BitOp::Shl => x.shl(y)?,
                    BitOp::Shr => x.shr(y)?,
                })
            }
            Node::FloatToInt(mode, a) => match get(*a) {
                Value::Float(f) => Value::Int(Integer::from_f64(*f, *mode)?),
                v => Value::Int(v.int()?.clone()),
            },
            Node::Le0(e) => Value::Bool(!int(*e)?.is_positive()),
            Node::Eq0(e) => Value::Bool(int(*e)?.is_zero()),
            Node::Ne0(e) => Value::Bool(!int(*e)?.is_zero()),
            Node::And(xs) => Value::Bool(xs.iter().all(|&x| get(x).truth())),
            Node::Or(xs) => Value::Bool(xs.iter().any(|&x| get(x).truth())),
            Node::Not(x) => Value::Bool(!get(*x).truth()),
            Node::FloatCmp(op, a, b) => Value::Bool(cmp_holds(*op, num_cmp(&get(*a).num(), &get(*b).num()))),
            Node::ToFloat(a) => Value::Float(get(*a).num().to_f64()?),
            Node::FloatBin(op, a, b) => Value::Float(fold_float_op(*op, &get(*a).num(), &get(*b).num())?),
            Node::FloatNeg(a) => Value::Float(-get(*a).num().to_f64()?),
            Node::FloatAbs(a) => Value::Float(get(*a).num().to_f64()?.abs()),
            Node::FloatRound(a, n) => Value::Float(round_float_ndigits(get(*a).num().to_f64()?, int(*n)?)?),
            Node::Ite(c, a, b) => {
                if get(*c).truth() {
                    get(*a).clone()
                } else {
                    get(*b).clone()
                }
            }
            Node::Checks(_) => Value::Bool(true),
        })
    }

    /// The symbols `t` depends on (value and checks), in declaration order.
    pub fn free_symbols(&self, t: Term) -> Vec<SymbolId> {
        let mut roots = vec![t.value];
        roots.extend(t.checks);
        let mut syms: Vec<SymbolId> = self
            .pending(&roots, |_| false)
            .into_iter()
            .filter_map(|id| match self.node(id) {
                Node::Symbol(s) => Some(*s),
                _ => None,
            })
            .collect();
        syms.sort_unstable();
        syms
    }

    /// `t` with each symbol in `map` replaced by its term; every node on the way is rebuilt by
    /// the canonical constructors, so the result is canonical and its checks are complete.
    pub fn substitute(&mut self, t: Term, map: &FxHashMap<SymbolId, Term>) -> Result<Term> {
        let mut roots = vec![t.value];
        roots.extend(t.checks);
        let mut new: FxHashMap<ExprId, Term> = FxHashMap::default();
        for id in self.pending(&roots, |_| false) {
            let node = self.node(id).clone();
            let mut changed = false;
            node.for_each_child(|c| changed |= new.get(&c).is_some_and(|n| *n != Term::total(c)));
            let rebuilt = match &node {
                Node::Symbol(s) => map.get(s).copied().unwrap_or(Term::total(id)),
                _ if !changed => Term::total(id),
                _ => self.rebuild(id, &node, &new)?,
            };
            new.insert(id, rebuilt);
        }
        let value = new[&t.value];
        let mut checks = None;
        if let Some(c) = t.checks {
            for p in self.check_list(c) {
                let nt = new[&p];
                checks = self.merge_checks(checks, nt.checks)?;
                if self.is_partial(nt.value) {
                    checks = self.push_check(checks, nt.value)?;
                }
            }
        }
        let checks = self.merge_checks(checks, value.checks)?;
        Ok(Term {
            value: value.value,
            checks,
        })
    }

    /// Rebuilds one node from its children's new terms.
    pub(crate) fn rebuild(&mut self, id: ExprId, node: &Node, new: &FxHashMap<ExprId, Term>) -> Result<Term> {
        let kid = |c: ExprId| new.get(&c).copied().unwrap_or(Term::total(c));
        let bin = |this: &mut Self, op: BinOp, a: ExprId, b: ExprId| this.binary(op, kid(a), kid(b));
        match node {
            Node::Sum { constant, terms } => {
                let mut checks = None;
                let mut items = Vec::with_capacity(terms.len());
                for (t, k) in terms.iter() {
                    let nt = kid(*t);
                    checks = self.merge_checks(checks, nt.checks)?;
                    items.push((nt.value, k.clone()));
                }
                let value = self.linear_combination(constant.clone(), &items)?;
                Ok(Term { value, checks })
            }
            Node::Product(factors) => {
                let mut acc = self.int_term(Integer::ONE)?;
                for (f, e) in factors.iter() {
                    let n = self.int_term(Integer::Small(i64::from(*e)))?;
                    let p = self.binary(BinOp::Pow, kid(*f), n)?;
                    acc = self.binary(BinOp::Mul, acc, p)?;
                }
                Ok(acc)
            }
            Node::FloorDiv(a, b) => bin(self, BinOp::FloorDiv, *a, *b),
            Node::Mod(a, b) => bin(self, BinOp::Mod, *a, *b),
            Node::Pow(a, b) => bin(self, BinOp::Pow, *a, *b),
            Node::PowMod(a, b, m) => self.pow_mod_term(kid(*a), kid(*b), kid(*m)),
            Node::Min(xs) | Node::Max(xs) | Node::And(xs) | Node::Or(xs) => {
                let args: Vec<Term> = xs.iter().map(|&x| kid(x)).collect();
                match node {
                    Node::Min(_) => self.min_max_terms(&args, false),
                    Node::Max(_) => self.min_max_terms(&args, true),
                    _ => {
                        let op = if matches!(node, Node::Or(_)) {
                            BinOp::Or
                        } else {
                            BinOp::And
                        };
                        let mut acc = args[0];
                        for &a in &args[1..] {
                            acc = self.binary(op, acc, a)?;
                        }
                        Ok(acc)
                    }
                }
            }
            Node::Abs(a) => self.unary(UnOp::Abs, kid(*a)),
            Node::Bit(op, a, b) => {
                let op = match op {
                    BitOp::And => BinOp::BitAnd,
                    BitOp::Or => BinOp::BitOr,
                    BitOp::Xor => BinOp::BitXor,
                    BitOp::Shl => BinOp::LShift,
                    BitOp::Shr => BinOp::RShift,
                };
                bin(self, op, *a, *b)
            }
            Node::FloatToInt(mode, a) => {
                let op = match mode {
                    crate::num::RoundMode::Floor => UnOp::Floor,
                    crate::num::RoundMode::Ceil => UnOp::Ceil,
                    crate::num::RoundMode::Trunc => UnOp::Trunc,
                    crate::num::RoundMode::HalfEven => UnOp::Round,
                };
                self.unary(op, kid(*a))
            }
            Node::Le0(e) | Node::Eq0(e) | Node::Ne0(e) => {
                let zero = self.int_term(Integer::ZERO)?;
                let op = match node {
                    Node::Le0(_) => BinOp::Le,
                    Node::Eq0(_) => BinOp::Eq,
                    _ => BinOp::Ne,
                };
                self.binary(op, kid(*e), zero)
            }
            Node::Not(x) => self.unary(UnOp::Not, kid(*x)),
            Node::FloatCmp(op, a, b) => {
                let op = match op {
                    crate::node::CmpOp::Eq => BinOp::Eq,
                    crate::node::CmpOp::Ne => BinOp::Ne,
                    crate::node::CmpOp::Lt => BinOp::Lt,
                    crate::node::CmpOp::Le => BinOp::Le,
                    crate::node::CmpOp::Gt => BinOp::Gt,
                    crate::node::CmpOp::Ge => BinOp::Ge,
                };
                bin(self, op, *a, *b)
            }
            Node::ToFloat(a) => self.unary(UnOp::ToFloat, kid(*a)),
            Node::FloatBin(op, a, b) => {
                let op = match op {
                    FloatOp::Add => BinOp::Add,
                    FloatOp::Sub => BinOp::Sub,
                    FloatOp::Mul => BinOp::Mul,
                    FloatOp::Div => BinOp::TrueDiv,
                    FloatOp::FloorDiv => BinOp::FloorDiv,
                    FloatOp::Mod => BinOp::Mod,
                    FloatOp::Pow => BinOp::Pow,
                    FloatOp::Min => BinOp::Min,
                    FloatOp::Max => BinOp::Max,
                };
                // Keep the float result even if both operands became ints.
                let t = bin(self, op, *a, *b)?;
                if self.sort(t.value) == Sort::Int {
                    self.unary(UnOp::ToFloat, t)
                } else {
                    Ok(t)
                }
            }
            Node::FloatNeg(a) => self.unary(UnOp::Neg, kid(*a)),
            Node::FloatAbs(a) => self.unary(UnOp::Abs, kid(*a)),
            Node::FloatRound(a, n) => self.round_ndigits_term(kid(*a), kid(*n)),
            Node::Ite(c, a, b) => self.ite_term(kid(*c), kid(*a), kid(*b)),
            Node::Int(_) | Node::Bool(_) | Node::Float(_) | Node::Symbol(_) | Node::Checks(_) => Ok(Term::total(id)),
        }
    }
}
