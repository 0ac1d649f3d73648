//! `build_eval`: arbitrary bytes drive a program of expression constructions over a few symbols
//! with small ranges; every value built is then evaluated at two bindings (one of them the
//! hints) and compared with a reference evaluator written here over `BigInt` with Python's
//! integer semantics.
//!
//! The reference knows nothing about the engine's canonical forms: it computes the very
//! operations the program names, in order, on plain big integers and bools.
//!
//! Properties (any violation panics, which libFuzzer reports as a crash):
//! * no construction, evaluation, hint, print or parse panics;
//! * a construction that fails names an error that Python raises at the hints;
//! * evaluation gives Python's value (same sort), or raises one of the errors Python raises on
//!   the way (when several steps fail, any of them: Python stops at the first failing step in
//!   evaluation order, symcore may check deferred steps in another order);
//! * the hint equals the value at the hints; printing and parsing a value gives the same id.
//!
//! Resource limits: the reference gives up ("huge") past `REF_LIMIT_BITS`-bit intermediates,
//! well under the engine's `MAX_INT_BITS`; below that, the engine must never report `TooLarge`.
#![no_main]

use std::fmt::Write as _;

use libfuzzer_sys::fuzz_target;
use num_bigint::BigInt;
use num_integer::Integer as _;
use num_traits::{One, Signed, ToPrimitive, Zero};
use symcore_engine::{parse, print, Arena, BinOp, EngineError, Integer, Sort, SymbolId, SymbolInfo, Term, UnOp, Value};

/// Past this many bits in any intermediate, the reference stops computing and checks nothing.
const REF_LIMIT_BITS: u64 = 1 << 16;
/// At most this many program steps (each adds one to three values).
const MAX_STEPS: usize = 48;
const NAMES: [&str; 3] = ["a", "b", "c"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    ZeroDiv,
    NegShift,
    TooLarge,
    Invalid,
    Type,
    Overflow,
    Other,
}

fn kind(e: &EngineError) -> Kind {
    match e {
        EngineError::DivisionByZero(_) => Kind::ZeroDiv,
        EngineError::NegativeShift => Kind::NegShift,
        EngineError::TooLarge(_) => Kind::TooLarge,
        EngineError::InvalidValue(_) => Kind::Invalid,
        EngineError::Type(_) => Kind::Type,
        EngineError::Overflow(_) => Kind::Overflow,
        _ => Kind::Other,
    }
}

/// A reference value: Python's `int` or `bool`.
#[derive(Clone, Debug, PartialEq)]
enum V {
    Int(BigInt),
    Bool(bool),
}

impl V {
    fn num(&self) -> BigInt {
        match self {
            V::Int(i) => i.clone(),
            V::Bool(b) => BigInt::from(u8::from(*b)),
        }
    }
    fn truth(&self) -> bool {
        match self {
            V::Int(i) => !i.is_zero(),
            V::Bool(b) => *b,
        }
    }
}

/// One step of the reference: a value, Python's exception, or "too big to bother".
enum R {
    V(V),
    E(Kind),
    Huge,
}

/// The reference outcome of a whole value: its value, or every exception class Python may
/// report for it, or unknown.
#[derive(Clone, Debug)]
enum Out {
    Val(V),
    Err(Vec<Kind>),
    Huge,
}

fn bits(x: &BigInt) -> u64 {
    x.bits()
}

fn int(x: BigInt) -> R {
    if bits(&x) > REF_LIMIT_BITS {
        R::Huge
    } else {
        R::V(V::Int(x))
    }
}

/// Python's `pow(a, b, m)` for ints.
fn py_pow_mod(a: &BigInt, b: &BigInt, m: &BigInt) -> R {
    if m.is_zero() {
        return R::E(Kind::Invalid);
    }
    let negative_output = m.is_negative();
    let c = m.abs();
    if c.is_one() {
        return R::V(V::Int(BigInt::zero()));
    }
    let mut base = a.mod_floor(&c);
    if b.is_negative() {
        let g = base.extended_gcd(&c);
        if !g.gcd.is_one() {
            return R::E(Kind::Invalid);
        }
        base = g.x.mod_floor(&c);
    }
    let mut r = base.modpow(&b.abs(), &c);
    if negative_output && !r.is_zero() {
        r -= &c;
    }
    R::V(V::Int(r))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Bin(BinOp),
    Un(UnOp),
    Ite,
    Min3,
    Max3,
    PowMod,
}

/// The engine's result sort of `op` on operands of sorts `s` (ints and bools only).
fn result_sort(op: Op, s: &[Sort]) -> Sort {
    let all_bool = s.iter().all(|&x| x == Sort::Bool);
    match op {
        Op::Bin(BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) if all_bool => Sort::Bool,
        Op::Bin(BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::And | BinOp::Or)
        | Op::Un(UnOp::Not | UnOp::ToBool) => Sort::Bool,
        Op::Ite if s[1] == Sort::Bool && s[2] == Sort::Bool => Sort::Bool,
        _ => Sort::Int,
    }
}

/// Python's result of `op` on `args` (whose sorts are those `result_sort` saw).
fn reference(op: Op, args: &[V]) -> R {
    let n = |i: usize| args[i].num();
    match op {
        Op::Bin(b) => {
            let (x, y) = (n(0), n(1));
            match b {
                BinOp::Add => int(x + y),
                BinOp::Sub => int(x - y),
                BinOp::Mul => {
                    if bits(&x) + bits(&y) > REF_LIMIT_BITS + 1 {
                        R::Huge
                    } else {
                        int(x * y)
                    }
                }
                BinOp::FloorDiv | BinOp::Mod if y.is_zero() => R::E(Kind::ZeroDiv),
                BinOp::FloorDiv => int(x.div_floor(&y)),
                BinOp::Mod => int(x.mod_floor(&y)),
                BinOp::Pow => {
                    // exponents are built non-negative (see `pow_exponent`)
                    let Some(e) = y.to_u64() else { return R::Huge };
                    if x.abs() > BigInt::one() && bits(&x).saturating_mul(e) > REF_LIMIT_BITS + 1 {
                        return R::Huge;
                    }
                    let Ok(e32) = u32::try_from(e) else {
                        // |x| <= 1
                        return int(if x.abs().is_one() && e % 2 == 0 {
                            BigInt::one()
                        } else {
                            x
                        });
                    };
                    int(num_traits::Pow::pow(&x, e32))
                }
                BinOp::LShift | BinOp::RShift if y.is_negative() => R::E(Kind::NegShift),
                BinOp::LShift => {
                    if x.is_zero() {
                        return int(x);
                    }
                    match y.to_u64() {
                        Some(c) if bits(&x).saturating_add(c) <= REF_LIMIT_BITS => int(x << c),
                        _ => R::Huge,
                    }
                }
                BinOp::RShift => match y.to_u64() {
                    Some(c) if c < bits(&x) => int(x >> c),
                    _ => int(if x.is_negative() {
                        -BigInt::one()
                    } else {
                        BigInt::zero()
                    }),
                },
                BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => {
                    if let (V::Bool(p), V::Bool(q)) = (&args[0], &args[1]) {
                        return R::V(V::Bool(match b {
                            BinOp::BitAnd => *p & *q,
                            BinOp::BitOr => *p | *q,
                            _ => *p ^ *q,
                        }));
                    }
                    int(match b {
                        BinOp::BitAnd => x & y,
                        BinOp::BitOr => x | y,
                        _ => x ^ y,
                    })
                }
                BinOp::Eq => R::V(V::Bool(x == y)),
                BinOp::Ne => R::V(V::Bool(x != y)),
                BinOp::Lt => R::V(V::Bool(x < y)),
                BinOp::Le => R::V(V::Bool(x <= y)),
                BinOp::Gt => R::V(V::Bool(x > y)),
                BinOp::Ge => R::V(V::Bool(x >= y)),
                BinOp::Min => int(x.min(y)),
                BinOp::Max => int(x.max(y)),
                BinOp::And => R::V(V::Bool(args[0].truth() && args[1].truth())),
                BinOp::Or => R::V(V::Bool(args[0].truth() || args[1].truth())),
                BinOp::TrueDiv => unreachable!("not generated"),
            }
        }
        Op::Un(u) => {
            let x = n(0);
            match u {
                UnOp::Neg => int(-x),
                UnOp::Pos => int(x),
                UnOp::Abs => int(x.abs()),
                UnOp::Invert => int(-x - 1),
                UnOp::Not => R::V(V::Bool(!args[0].truth())),
                UnOp::ToBool => R::V(V::Bool(args[0].truth())),
                _ => unreachable!("not generated"),
            }
        }
        Op::Ite => {
            let pick = if args[0].truth() { &args[1] } else { &args[2] };
            match (&args[1], &args[2]) {
                (V::Bool(_), V::Bool(_)) => R::V(pick.clone()),
                _ => int(pick.num()),
            }
        }
        Op::Min3 => int(n(0).min(n(1)).min(n(2))),
        Op::Max3 => int(n(0).max(n(1)).max(n(2))),
        Op::PowMod => py_pow_mod(&n(0), &n(1), &n(2)),
    }
}

/// The reference outcome of `op` on operand outcomes, Python-style: operands first (any failing
/// one is an allowed report), then the step itself (checked with stand-ins for failed operands,
/// since the engine may see a step fail while building, before evaluating anything).
fn combine(op: Op, outs: &[&Out], sorts: &[Sort]) -> Out {
    if outs.iter().any(|o| matches!(o, Out::Huge)) {
        return Out::Huge;
    }
    let mut failed: Vec<Kind> = Vec::new();
    let mut args = Vec::with_capacity(outs.len());
    for (o, &s) in outs.iter().zip(sorts) {
        match o {
            Out::Val(v) => args.push(v.clone()),
            Out::Err(ks) => {
                failed.extend(ks);
                args.push(if s == Sort::Bool {
                    V::Bool(true)
                } else {
                    V::Int(BigInt::one())
                });
            }
            Out::Huge => unreachable!(),
        }
    }
    let this = reference(op, &args);
    if failed.is_empty() {
        return match this {
            R::V(v) => Out::Val(v),
            R::E(k) => Out::Err(vec![k]),
            R::Huge => Out::Huge,
        };
    }
    match this {
        R::E(k) => failed.push(k),
        R::Huge => failed.push(Kind::TooLarge),
        R::V(_) => {}
    }
    Out::Err(failed)
}

enum Eng {
    Built(Term),
    Failed(EngineError),
    /// An operand failed to build.
    Skipped,
}

struct Val {
    sort: Sort,
    eng: Eng,
    refs: [Out; 2],
}

struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = self.data.get(self.pos).copied();
        self.pos += 1;
        b
    }
}

const INTERESTING: [i128; 24] = [
    0,
    1,
    -1,
    2,
    -2,
    3,
    -3,
    5,
    7,
    8,
    -8,
    16,
    63,
    64,
    65,
    -100,
    1000,
    1 << 31,
    (1 << 32) + 1,
    i64::MAX as i128,
    i64::MIN as i128,
    1 << 63,
    -(1 << 64) - 1,
    100_000_000_000_000_000_000,
];

fn value_from(b: u8) -> i128 {
    if b & 0x80 != 0 {
        i128::from(b % 33) - 16
    } else {
        INTERESTING[usize::from(b) % INTERESTING.len()]
    }
}

struct Program {
    arena: Arena,
    vals: Vec<Val>,
    bindings: [Vec<BigInt>; 2],
    all_hinted: bool,
    log: String,
}

impl Program {
    fn binding(&self, which: usize) -> impl Fn(SymbolId) -> Option<Integer> + '_ {
        move |s: SymbolId| {
            self.bindings[which]
                .get(s.index())
                .map(|v| Integer::from_bigint(v.clone()))
        }
    }

    fn push(&mut self, desc: String, sort: Sort, eng: Eng, refs: [Out; 2]) -> usize {
        let i = self.vals.len();
        let _ = writeln!(
            self.log,
            "v{i} = {desc}  :: {sort:?}, ref {:?} / {:?}",
            refs[0], refs[1]
        );
        self.vals.push(Val { sort, eng, refs });
        i
    }

    fn constant(&mut self, v: V) -> usize {
        let (sort, eng) = match &v {
            V::Int(i) => (Sort::Int, self.arena.int_term(Integer::from_bigint(i.clone()))),
            V::Bool(b) => (Sort::Bool, self.arena.boolean(*b).map(Term::total)),
        };
        let eng = match eng {
            Ok(t) => Eng::Built(t),
            Err(e) => panic!("constant {v:?} failed: {e}"),
        };
        self.push(format!("{v:?}"), sort, eng, [Out::Val(v.clone()), Out::Val(v)])
    }

    fn apply(&mut self, op: Op, operands: &[usize]) -> usize {
        let sorts: Vec<Sort> = operands.iter().map(|&i| self.vals[i].sort).collect();
        let sort = result_sort(op, &sorts);
        let refs = [0, 1].map(|w| {
            let outs: Vec<&Out> = operands.iter().map(|&i| &self.vals[i].refs[w]).collect();
            combine(op, &outs, &sorts)
        });
        let mut terms = Vec::with_capacity(operands.len());
        for &i in operands {
            match self.vals[i].eng {
                Eng::Built(t) => terms.push(t),
                _ => return self.push(format!("{op:?}{operands:?} (operand failed)"), sort, Eng::Skipped, refs),
            }
        }
        let a = &mut self.arena;
        let built = match op {
            Op::Bin(b) => a.binary(b, terms[0], terms[1]),
            Op::Un(u) => a.unary(u, terms[0]),
            Op::Ite => a.ite_term(terms[0], terms[1], terms[2]),
            Op::Min3 => a.min_max_terms(&terms, false),
            Op::Max3 => a.min_max_terms(&terms, true),
            Op::PowMod => a.pow_mod_term(terms[0], terms[1], terms[2]),
        };
        let eng = match built {
            Ok(t) => Eng::Built(t),
            Err(e) => Eng::Failed(e),
        };
        let i = self.push(format!("{op:?}{operands:?}"), sort, eng, refs);
        self.check(i);
        i
    }

    fn fail(&self, i: usize, what: &str) -> ! {
        panic!(
            "v{i}: {what}\nsymbols: {}\nbinding 1 (the hints where given): {:?}\nbinding 2: {:?}\nprogram:\n{}",
            self.arena
                .symbols()
                .map(|(_, s)| format!("{}(hint={:?}, min={:?}, max={:?})", s.name, s.hint, s.min, s.max))
                .collect::<Vec<_>>()
                .join(", "),
            self.bindings[0],
            self.bindings[1],
            self.log
        )
    }

    fn compare(&self, i: usize, what: &str, got: &Result<Value, EngineError>, want: &Out) {
        match (want, got) {
            (Out::Huge, _) => {}
            (Out::Val(v), Ok(g)) => {
                let same = match (v, g) {
                    (V::Int(x), Value::Int(y)) => *x == y.to_bigint(),
                    (V::Bool(x), Value::Bool(y)) => x == y,
                    _ => false,
                };
                if !same {
                    self.fail(i, &format!("{what}: engine gives {g:?}, Python gives {v:?}"));
                }
            }
            (Out::Err(ks), Err(e)) if ks.contains(&kind(e)) => {}
            _ => self.fail(i, &format!("{what}: engine gives {got:?}, Python gives {want:?}")),
        }
    }

    fn check(&mut self, i: usize) {
        let t = match &self.vals[i].eng {
            Eng::Skipped => return,
            Eng::Failed(e) => {
                match &self.vals[i].refs[0] {
                    Out::Huge => {}
                    Out::Err(ks) if ks.contains(&kind(e)) => {}
                    // Known limitation: a step that fails on constants while an operand has
                    // pending checks over symbols without hints reports the step's own error at
                    // build time (it cannot know which check fails first), e.g. `5 % (x < x)`
                    // with `x = u << (u - 100)` raises ZeroDivisionError where Python raises
                    // ValueError (negative shift) for u < 100.
                    Out::Err(_) if !self.all_hinted => {}
                    want => self.fail(i, &format!("building raised {e:?}, Python at the hints gives {want:?}")),
                }
                return;
            }
            Eng::Built(t) => *t,
        };
        let sort = self.arena.sort(t.value);
        if sort != self.vals[i].sort {
            self.fail(i, &format!("engine sort {sort:?}, expected {:?}", self.vals[i].sort));
        }
        for w in 0..2 {
            let got = self.arena.evaluate(t, &self.binding(w));
            self.compare(
                i,
                &format!("evaluate at binding {}", w + 1),
                &got,
                &self.vals[i].refs[w],
            );
        }
        if self.all_hinted {
            let got = self
                .arena
                .hint(t)
                .and_then(|h| h.ok_or(EngineError::UnboundSymbol("hint unknown".into())));
            self.compare(i, "hint", &got, &self.vals[i].refs[0]);
        }
        match print(&self.arena, t.value) {
            Ok(text) => match parse(&mut self.arena, &text) {
                Ok(back) if back.value == t.value => {}
                Ok(back) => {
                    let other = print(&self.arena, back.value);
                    self.fail(
                        i,
                        &format!("printed {text:?} parses back to a different value {other:?}"),
                    );
                }
                Err(e) => self.fail(i, &format!("printed {text:?} does not parse: {e}")),
            },
            Err(EngineError::TooLarge(_)) => {}
            Err(e) => self.fail(i, &format!("print failed: {e}")),
        }
    }

    /// A non-negative exponent: a constant 0..=6 or `x % 5`.
    fn pow_exponent(&mut self, input: &mut Input<'_>, x: usize) -> usize {
        let b = input.byte().unwrap_or(0);
        if b & 1 == 0 {
            self.constant(V::Int(BigInt::from(b / 2 % 7)))
        } else {
            let five = self.constant(V::Int(BigInt::from(5)));
            self.apply(Op::Bin(BinOp::Mod), &[x, five])
        }
    }

    /// A shift count: a constant 0..=64, `x % 65`, or `x % 65 - 2` (reaching negative counts).
    fn lshift_count(&mut self, input: &mut Input<'_>, x: usize) -> usize {
        let b = input.byte().unwrap_or(0);
        match b % 3 {
            0 => self.constant(V::Int(BigInt::from(b % 65))),
            k => {
                let m = self.constant(V::Int(BigInt::from(65)));
                let r = self.apply(Op::Bin(BinOp::Mod), &[x, m]);
                if k == 1 {
                    r
                } else {
                    let two = self.constant(V::Int(BigInt::from(2)));
                    self.apply(Op::Bin(BinOp::Sub), &[r, two])
                }
            }
        }
    }

    fn as_bool(&mut self, i: usize) -> usize {
        if self.vals[i].sort == Sort::Bool {
            i
        } else {
            self.apply(Op::Un(UnOp::ToBool), &[i])
        }
    }
}

const BINOPS: [BinOp; 18] = [
    BinOp::Add,
    BinOp::Sub,
    BinOp::Mul,
    BinOp::FloorDiv,
    BinOp::Mod,
    BinOp::Min,
    BinOp::Max,
    BinOp::BitAnd,
    BinOp::BitOr,
    BinOp::BitXor,
    BinOp::RShift,
    BinOp::Eq,
    BinOp::Ne,
    BinOp::Lt,
    BinOp::Le,
    BinOp::Gt,
    BinOp::Ge,
    BinOp::Add,
];
const UNOPS: [UnOp; 6] = [UnOp::Neg, UnOp::Pos, UnOp::Abs, UnOp::Invert, UnOp::Not, UnOp::ToBool];

fn run(data: &[u8]) {
    let mut input = Input { data, pos: 0 };
    let Some(first) = input.byte() else { return };
    let count = 1 + usize::from(first % 3);
    let mut p = Program {
        arena: Arena::new(),
        vals: Vec::new(),
        bindings: [Vec::new(), Vec::new()],
        all_hinted: true,
        log: String::new(),
    };
    for name in NAMES.iter().take(count) {
        let flags = input.byte().unwrap_or(0);
        let lo = i128::from(input.byte().unwrap_or(0) % 17) - 8;
        let width = i128::from(input.byte().unwrap_or(0) % 9);
        let (min, max) = match (flags >> 1) % 4 {
            0 => (None, None),
            1 => (Some(lo), None),
            2 => (None, Some(lo)),
            _ => (Some(lo), Some(lo + width)),
        };
        let clamp = |v: i128| v.max(min.unwrap_or(i128::MIN)).min(max.unwrap_or(i128::MAX));
        let v1 = clamp(value_from(input.byte().unwrap_or(0)));
        let v2 = clamp(value_from(input.byte().unwrap_or(0)));
        let hinted = flags & 1 == 1;
        p.all_hinted &= hinted;
        let big = |v: Option<i128>| v.map(|x| Integer::from_bigint(BigInt::from(x)));
        let t = p
            .arena
            .declare_symbol(SymbolInfo {
                name: (*name).into(),
                hint: if hinted { big(Some(v1)) } else { None },
                min: big(min),
                max: big(max),
            })
            .expect("valid symbol");
        p.bindings[0].push(BigInt::from(v1));
        p.bindings[1].push(BigInt::from(v2));
        let refs = [Out::Val(V::Int(BigInt::from(v1))), Out::Val(V::Int(BigInt::from(v2)))];
        p.push(format!("symbol {name}"), Sort::Int, Eng::Built(t), refs);
    }
    for _ in 0..MAX_STEPS {
        let Some(code) = input.byte() else { break };
        let pick = |input: &mut Input<'_>, n: usize| usize::from(input.byte().unwrap_or(0)) % n;
        let n = p.vals.len();
        let (x, y, z) = (pick(&mut input, n), pick(&mut input, n), pick(&mut input, n));
        match code % 16 {
            0 => {
                let b = input.byte().unwrap_or(0);
                p.constant(V::Int(BigInt::from(value_from(b))));
            }
            1 => {
                p.constant(V::Bool(code & 0x10 != 0));
            }
            2..=7 => {
                let op = BINOPS[usize::from(code / 16 + code % 16) % BINOPS.len()];
                p.apply(Op::Bin(op), &[x, y]);
            }
            8 => {
                let op = UNOPS[usize::from(code / 16) % UNOPS.len()];
                p.apply(Op::Un(op), &[x]);
            }
            9 => {
                let e = p.pow_exponent(&mut input, y);
                p.apply(Op::Bin(BinOp::Pow), &[x, e]);
            }
            10 => {
                let c = p.lshift_count(&mut input, y);
                p.apply(Op::Bin(BinOp::LShift), &[x, c]);
            }
            11 => {
                p.apply(Op::Ite, &[x, y, z]);
            }
            12 => {
                p.apply(if code & 0x10 != 0 { Op::Max3 } else { Op::Min3 }, &[x, y, z]);
            }
            13 => {
                let (bx, by) = (p.as_bool(x), p.as_bool(y));
                let op = if code & 0x10 != 0 { BinOp::Or } else { BinOp::And };
                p.apply(Op::Bin(op), &[bx, by]);
            }
            14 => {
                p.apply(Op::PowMod, &[x, y, z]);
            }
            _ => {
                // a symbol-heavy step: x op symbol, to keep expressions symbolic
                let s = usize::from(code / 16) % count;
                let op = [BinOp::Add, BinOp::Mul, BinOp::FloorDiv, BinOp::Mod][usize::from(code / 64) % 4];
                p.apply(Op::Bin(op), &[x, s]);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| run(data));
