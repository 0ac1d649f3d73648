//! The hash-consed arena: node storage, interning, symbols, and the [`Term`] handle.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::error::{EngineError, Result};
use crate::eval::HintSlot;
use crate::id::{ExprId, SymbolId};
use crate::node::{float_key, CheckLink, Node, Sort};
use crate::num::Integer;
use crate::ops::OpKey;

/// What the arena knows about one symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolInfo {
    /// The symbol's name, a Python identifier.
    pub name: Box<str>,
    /// Its example value, if it has one (a "backed" symbol).
    pub hint: Option<Integer>,
    /// Inclusive lower bound, if any.
    pub min: Option<Integer>,
    /// Inclusive upper bound, if any.
    pub max: Option<Integer>,
}

/// A value as user code holds it: the canonical expression, plus the partial subexpressions its
/// computation went through (see [`Node::Checks`]). Two terms are the same computation result
/// exactly when both ids are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Term {
    /// The canonical expression of the value.
    pub value: ExprId,
    /// A [`Node::Checks`] node, or `None` when nothing can fail.
    pub checks: Option<ExprId>,
}

impl Term {
    /// A term that cannot fail.
    pub fn total(value: ExprId) -> Term {
        Term { value, checks: None }
    }
}

/// Owns every node of one environment. Not thread-safe by itself: callers share it behind a lock.
#[derive(Default)]
pub struct Arena {
    nodes: Vec<Node>,
    sorts: Vec<Sort>,
    /// Ids keyed by their node's hash; the node itself lives only in `nodes`.
    memo: HashTable<ExprId>,
    /// The hash of every node, so growing `memo` never rehashes a node.
    hashes: Vec<u64>,
    symbols: Vec<SymbolInfo>,
    symbol_nodes: Vec<ExprId>,
    by_name: FxHashMap<Box<str>, SymbolId>,
    pub(crate) op_memo: FxHashMap<OpKey, Term>,
    small_ints: Vec<Option<ExprId>>,
    pub(crate) hints: Vec<HintSlot>,
    pub(crate) knowledge: crate::knowledge::Knowledge,
}

fn hash_node(node: &Node) -> u64 {
    FxBuildHasher.hash_one(node)
}

/// Python keywords and the names the printed language reserves; none can be a symbol name.
const RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
    "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "min", "max", "abs", "pow", "float",
    "floor", "ceil", "trunc", "round", "int",
];

/// True when `name` is an ASCII Python identifier that the printed language can use as a symbol.
pub fn is_valid_symbol_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !RESERVED.contains(&name)
}

impl Arena {
    /// An empty arena.
    pub fn new() -> Arena {
        Arena::default()
    }

    /// Number of nodes stored.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when no node is stored yet.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node named by `id`.
    #[inline]
    pub fn node(&self, id: ExprId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The sort of the expression named by `id`.
    #[inline]
    pub fn sort(&self, id: ExprId) -> Sort {
        self.sorts[id.index()]
    }

    /// The id of `node` if it is already stored; never inserts.
    pub fn lookup(&self, node: &Node) -> Option<ExprId> {
        let h = hash_node(node);
        self.memo.find(h, |&id| self.nodes[id.index()] == *node).copied()
    }

    /// Stores `node` unless an equal node exists, and returns its id. `node` must already be in
    /// canonical form and its children must exist.
    pub(crate) fn intern(&mut self, node: Node, sort: Sort) -> Result<ExprId> {
        let h = hash_node(&node);
        if let Some(&id) = self.memo.find(h, |&id| self.nodes[id.index()] == node) {
            return Ok(id);
        }
        let id = ExprId::from_index(self.nodes.len())?;
        #[cfg(debug_assertions)]
        node.for_each_child(|c| debug_assert!(c < id, "children must be older than their parent"));
        self.nodes.push(node);
        self.sorts.push(sort);
        self.hints.push(HintSlot::NotComputed);
        self.hashes.push(h);
        let hashes = &self.hashes;
        self.memo.insert_unique(h, id, |&i| hashes[i.index()]);
        Ok(id)
    }

    /// The constant `v`.
    pub fn int(&mut self, v: Integer) -> Result<ExprId> {
        self.intern(Node::Int(v), Sort::Int)
    }

    /// The constant `v` as a total term.
    pub fn int_term(&mut self, v: impl Into<Integer>) -> Result<Term> {
        match v.into() {
            Integer::Small(v) => self.small_int_term(v),
            big => Ok(Term::total(self.int(big)?)),
        }
    }

    /// The constant `v` as a total term; small values come from a direct table (the constants
    /// of shape code: strides, kernel sizes, `x % 8`) without hashing.
    pub fn small_int_term(&mut self, v: i64) -> Result<Term> {
        const LO: i64 = -256;
        const HI: i64 = 4096;
        let Some(slot) = v
            .checked_sub(LO)
            .and_then(|i| usize::try_from(i).ok())
            .filter(|_| v < HI)
        else {
            return Ok(Term::total(self.int(Integer::Small(v))?));
        };
        if let Some(Some(id)) = self.small_ints.get(slot) {
            return Ok(Term::total(*id));
        }
        let id = self.int(Integer::Small(v))?;
        if self.small_ints.is_empty() {
            // HI - LO is a small positive constant.
            self.small_ints.resize((HI - LO) as usize, None);
        }
        if let Some(entry) = self.small_ints.get_mut(slot) {
            *entry = Some(id);
        }
        Ok(Term::total(id))
    }

    /// The boolean constant `v`.
    pub fn boolean(&mut self, v: bool) -> Result<ExprId> {
        self.intern(Node::Bool(v), Sort::Bool)
    }

    /// The float constant `v`.
    pub fn float(&mut self, v: f64) -> Result<ExprId> {
        self.intern(Node::Float(float_key(v)), Sort::Float)
    }

    /// Declares a new symbol. Fails for an invalid or already used name, a hint outside
    /// `[min, max]`, or `min > max`.
    pub fn declare_symbol(&mut self, info: SymbolInfo) -> Result<Term> {
        if !is_valid_symbol_name(&info.name) {
            return Err(EngineError::BadSymbol(format!(
                "{:?} is not a valid symbol name (an ASCII identifier that is not a Python keyword or a \
                 function name of the expression language)",
                &*info.name
            )));
        }
        if self.by_name.contains_key(&info.name) {
            return Err(EngineError::BadSymbol(format!(
                "symbol {:?} is already declared",
                &*info.name
            )));
        }
        if let (Some(lo), Some(hi)) = (&info.min, &info.max) {
            if lo > hi {
                return Err(EngineError::BadSymbol(format!(
                    "symbol {:?}: min {lo} is greater than max {hi}",
                    &*info.name
                )));
            }
        }
        if let Some(h) = &info.hint {
            let below = info.min.as_ref().is_some_and(|lo| h < lo);
            let above = info.max.as_ref().is_some_and(|hi| h > hi);
            if below || above {
                return Err(EngineError::BadSymbol(format!(
                    "symbol {:?}: hint {h} is outside its range [{}, {}]",
                    &*info.name,
                    info.min.as_ref().map_or("-inf".to_owned(), ToString::to_string),
                    info.max.as_ref().map_or("inf".to_owned(), ToString::to_string),
                )));
            }
        }
        let sid = SymbolId::from_index(self.symbols.len())?;
        let id = self.intern(Node::Symbol(sid), Sort::Int)?;
        self.by_name.insert(info.name.clone(), sid);
        self.symbols.push(info);
        self.symbol_nodes.push(id);
        Ok(Term::total(id))
    }

    /// The symbol called `name`.
    pub fn symbol_by_name(&self, name: &str) -> Option<SymbolId> {
        self.by_name.get(name).copied()
    }

    /// The node of a symbol.
    pub fn symbol_node(&self, sym: SymbolId) -> ExprId {
        self.symbol_nodes[sym.index()]
    }

    /// What is known about a symbol.
    pub fn symbol_info(&self, sym: SymbolId) -> &SymbolInfo {
        &self.symbols[sym.index()]
    }

    /// All declared symbols, in declaration order.
    pub fn symbols(&self) -> impl Iterator<Item = (SymbolId, &SymbolInfo)> {
        self.symbols
            .iter()
            .enumerate()
            .filter_map(|(i, info)| SymbolId::from_index(i).ok().map(|s| (s, info)))
    }

    /// True when `id` is a constant (int, bool or float).
    pub fn is_constant(&self, id: ExprId) -> bool {
        matches!(self.node(id), Node::Int(_) | Node::Bool(_) | Node::Float(_))
    }

    /// A term is constant when its value is a constant and nothing on the way can fail.
    pub fn is_constant_term(&self, t: Term) -> bool {
        t.checks.is_none() && self.is_constant(t.value)
    }

    fn link(&self, checks: ExprId) -> Option<CheckLink> {
        match self.node(checks) {
            Node::Checks(link) => Some(*link),
            _ => None,
        }
    }

    fn contains_check(&self, checks: ExprId, item: ExprId) -> bool {
        let mut cur = Some(checks);
        while let Some(c) = cur {
            let Some(link) = self.link(c) else { return false };
            if link.max < item {
                return false;
            }
            if link.item == item {
                return true;
            }
            cur = link.prev;
        }
        false
    }

    /// True when list `a` is a prefix of list `b`.
    fn is_prefix(&self, a: ExprId, b: ExprId) -> bool {
        let Some(la) = self.link(a) else { return false };
        let mut cur = Some(b);
        while let Some(c) = cur {
            let Some(lc) = self.link(c) else { return false };
            if lc.len <= la.len {
                return c == a;
            }
            cur = lc.prev;
        }
        false
    }

    /// The checks of `a` followed by those of `b`, without repeats. Linear in the part of `b`
    /// that is not shared with `a`, so long chains of derived values stay cheap.
    pub(crate) fn merge_checks(&mut self, a: Option<ExprId>, b: Option<ExprId>) -> Result<Option<ExprId>> {
        match (a, b) {
            (None, x) | (x, None) => Ok(x),
            (Some(x), Some(y)) if x == y || self.is_prefix(y, x) => Ok(Some(x)),
            (Some(x), Some(y)) if self.is_prefix(x, y) => Ok(Some(y)),
            (Some(x), Some(y)) => {
                let mut acc = Some(x);
                for item in self.check_list(y) {
                    acc = self.push_check(acc, item)?;
                }
                Ok(acc)
            }
        }
    }

    /// `checks` extended by one partial node (unless it is already listed).
    pub(crate) fn push_check(&mut self, checks: Option<ExprId>, item: ExprId) -> Result<Option<ExprId>> {
        let (len, max) = match checks {
            Some(c) if self.contains_check(c, item) => return Ok(Some(c)),
            Some(c) => match self.link(c) {
                Some(l) => (l.len.saturating_add(1), l.max.max(item)),
                None => (1, item),
            },
            None => (1, item),
        };
        let link = CheckLink {
            prev: checks,
            item,
            len,
            max,
        };
        Ok(Some(self.intern(Node::Checks(link), Sort::Bool)?))
    }

    /// The partial nodes listed by a [`Node::Checks`] id, in order.
    pub fn check_list(&self, checks: ExprId) -> Vec<ExprId> {
        let mut out = Vec::new();
        let mut cur = Some(checks);
        while let Some(c) = cur {
            let Some(link) = self.link(c) else { break };
            out.push(link.item);
            cur = link.prev;
        }
        out.reverse();
        out
    }
}
