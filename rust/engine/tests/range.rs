//! Value-range analysis: the spec's exact cases, exactness of single operations on independent
//! symbols, and soundness of random expressions checked by brute force over every binding.

mod common;

use common::{bindings, random_op, Rng};
use symcore_engine::{parse, Arena, BinOp, Bound, Integer, Range, SymbolId, SymbolInfo, Term, UnOp, Value};

fn int(v: i64) -> Integer {
    Integer::Small(v)
}

fn span(lo: Option<i64>, hi: Option<i64>) -> Range {
    Range::from_options(lo.map(int), hi.map(int)).expect("non-empty range")
}

fn declare(arena: &mut Arena, name: &str, lo: Option<i64>, hi: Option<i64>) -> Term {
    arena
        .declare_symbol(SymbolInfo {
            name: name.into(),
            hint: None,
            min: lo.map(int),
            max: hi.map(int),
        })
        .unwrap()
}

/// The declared range of the expression `text` over symbols declared as `(name, min, max)`.
fn bound_of(symbols: &[(&str, Option<i64>, Option<i64>)], text: &str) -> Range {
    let mut arena = Arena::new();
    for &(name, lo, hi) in symbols {
        declare(&mut arena, name, lo, hi);
    }
    let t = parse(&mut arena, text).unwrap_or_else(|e| panic!("{text}: {e}"));
    arena.bound(t.value)
}

const SIZES: &[(&str, Option<i64>, Option<i64>)] = &[("a", Some(1), None), ("b", Some(1), None)];

#[test]
fn spec_cases_are_exact() {
    let at_least = |v: i64| span(Some(v), None);
    assert_eq!(bound_of(SIZES, "a * b"), at_least(1));
    assert_eq!(bound_of(SIZES, "a // 2"), at_least(0));
    assert_eq!(bound_of(SIZES, "a % 8"), span(Some(0), Some(7)));
    assert_eq!(bound_of(SIZES, "max(a, b)"), at_least(1));
    assert_eq!(bound_of(SIZES, "min(a, b)"), at_least(1));
    assert_eq!(bound_of(SIZES, "-a"), span(None, Some(-1)));
    assert_eq!(bound_of(SIZES, "-a").to_string(), "[-inf, -1]");
    assert_eq!(bound_of(SIZES, "a // 2").to_string(), "[0, inf]");
    assert_eq!(bound_of(&[("x", Some(-3), Some(2))], "x * x"), span(Some(0), Some(9)));
    assert_eq!(bound_of(&[("x", Some(-3), Some(2))], "x ** 2"), span(Some(0), Some(9)));
    let zero = bound_of(SIZES, "(a % 8) // 8");
    assert!(zero.is_point(), "{zero}");
    assert_eq!(zero.as_point(), Some(&int(0)));
    assert_eq!(
        bound_of(&[("a", Some(0), Some(10)), ("b", Some(2), Some(5))], "a // b"),
        span(Some(0), Some(5))
    );
}

#[test]
fn more_exact_cases() {
    assert_eq!(bound_of(SIZES, "a - b"), Range::full());
    assert_eq!(bound_of(SIZES, "2 * a + 3 * b - 1"), span(Some(4), None));
    assert_eq!(bound_of(SIZES, "a * b - 1"), span(Some(0), None));
    assert_eq!(bound_of(SIZES, "(a - 1) // 4 + 1"), span(Some(1), None));
    assert_eq!(bound_of(SIZES, "abs(a - 5)"), span(Some(0), None));
    assert_eq!(bound_of(SIZES, "a % b"), span(Some(0), None));
    assert_eq!(bound_of(SIZES, "a // b"), span(Some(0), None));
    assert_eq!(bound_of(SIZES, "a // -3"), span(None, Some(-1)));
    assert_eq!(bound_of(SIZES, "a % -3"), span(Some(-2), Some(0)));
    assert_eq!(bound_of(SIZES, "min(a, 4)"), span(Some(1), Some(4)));
    assert_eq!(bound_of(SIZES, "max(a - 10, 0)"), span(Some(0), None));
    assert_eq!(bound_of(SIZES, "(a + 7) % 8 // 8 + a % 4"), span(Some(0), Some(3)));
    assert_eq!(bound_of(&[("x", Some(9), Some(13))], "x % 8"), span(Some(1), Some(5)));
    assert_eq!(
        bound_of(&[("x", Some(-5), Some(3))], "x ** 3"),
        span(Some(-125), Some(27))
    );
    assert_eq!(bound_of(&[("x", None, Some(-2))], "x ** 2"), span(Some(4), None));
    assert_eq!(bound_of(&[("x", None, None)], "x ** 2 + 1"), span(Some(1), None));
    assert_eq!(
        bound_of(&[("x", Some(-7), Some(9))], "x // -2"),
        span(Some(-5), Some(3))
    );
    // A negative dividend over an unbounded divisor tends to -1, never 0.
    assert_eq!(
        bound_of(&[("x", Some(-5), Some(-2)), ("y", Some(1), None)], "x // y"),
        span(Some(-5), Some(-1))
    );
    assert_eq!(
        bound_of(&[("x", Some(2), Some(5)), ("y", None, Some(-1))], "x // y"),
        span(Some(-5), Some(-1))
    );
    assert_eq!(
        bound_of(&[("x", Some(2), Some(5)), ("y", Some(1), None)], "x // y"),
        span(Some(0), Some(5))
    );
    // Dividing by a range holding 0: the zero divisor raises, the rest is exact.
    assert_eq!(
        bound_of(&[("x", Some(0), Some(10)), ("y", Some(0), Some(2))], "x // y"),
        span(Some(0), Some(10))
    );
    // An integer view of a comparison, decided by the ranges.
    assert_eq!(bound_of(SIZES, "(a >= 1) + (a < 1)"), span(Some(1), Some(1)));
    // Floats and bools are not integers: full.
    assert!(bound_of(SIZES, "a / 2").is_full());
    assert!(bound_of(SIZES, "a < b").is_full());
    assert!(bound_of(SIZES, "floor(a / 2)").is_full());
}

#[test]
fn caller_ranges_override_declared_ones() {
    let mut arena = Arena::new();
    let a = declare(&mut arena, "a", Some(1), None);
    let b = declare(&mut arena, "b", Some(1), None);
    let t = arena.binary(BinOp::Mul, a, b).unwrap();
    let (sa, sb) = (arena.symbol_by_name("a").unwrap(), arena.symbol_by_name("b").unwrap());
    assert_eq!(arena.declared_range(sa), span(Some(1), None));
    let tight = |s: SymbolId| {
        if s == sa {
            span(Some(2), Some(3))
        } else {
            assert_eq!(s, sb);
            span(Some(-1), Some(4))
        }
    };
    assert_eq!(arena.range(t.value, &tight), span(Some(-3), Some(12)));
    assert_eq!(arena.range(b.value, &tight), span(Some(-1), Some(4)));
    assert_eq!(arena.bound(t.value), span(Some(1), None));
}

#[test]
fn known_truth_of_guards() {
    let mut arena = Arena::new();
    declare(&mut arena, "a", Some(1), None);
    declare(&mut arena, "b", Some(1), None);
    declare(&mut arena, "x", Some(-3), Some(3));
    let decl = |arena: &Arena, s: SymbolId| arena.declared_range(s);
    let mut truth = |text: &str| {
        let t = parse(&mut arena, text).unwrap();
        arena.known_truth(t.value, &|s| decl(&arena, s))
    };
    assert_eq!(truth("a >= 1"), Some(true));
    assert_eq!(truth("a * b > 0"), Some(true));
    assert_eq!(truth("a == 0"), Some(false));
    assert_eq!(truth("a != 0"), Some(true));
    assert_eq!(truth("a % 8 < 8"), Some(true));
    assert_eq!(truth("a >= 2"), None);
    assert_eq!(truth("a >= 1 and b >= 2"), None);
    assert_eq!(truth("a >= 1 or b >= 2"), Some(true));
    assert_eq!(truth("not (a >= 1) and b >= 2"), Some(false));
    assert_eq!(truth("x * x <= 9"), Some(true));
    assert_eq!(truth("x <= 2"), None);
    assert_eq!(truth("a + 1"), None); // not a boolean
}

#[test]
fn deep_chain_is_exact_and_does_not_recurse() {
    const DEPTH: i64 = 100_000;
    let mut arena = Arena::new();
    let s = declare(&mut arena, "s", Some(0), Some(5));
    let one = arena.int_term(1).unwrap();
    // x_{k+1} = max(x_k, s) + 1 == s + k + 1, kept as a nest of max nodes.
    let mut x = s;
    for _ in 0..DEPTH {
        let m = arena.binary(BinOp::Max, x, s).unwrap();
        x = arena.binary(BinOp::Add, m, one).unwrap();
    }
    assert_eq!(arena.bound(x.value), span(Some(DEPTH), Some(DEPTH + 5)));
}

#[test]
fn huge_powers_widen_soundly() {
    let mut arena = Arena::new();
    let x = declare(&mut arena, "x", Some(2), Some(3));
    let n = arena.int_term(100_000).unwrap();
    let p = arena.binary(BinOp::Pow, x, n).unwrap();
    let r = arena.bound(p.value);
    assert_eq!(r.hi(), &Bound::PosInf);
    assert!(r.lo() >= &Bound::Finite(int(0)), "{r}");
    let m = arena.int_term(7).unwrap();
    let q = arena.binary(BinOp::Mod, p, m).unwrap();
    assert_eq!(arena.bound(q.value), span(Some(0), Some(6)));
}

/// xorshift64*: a deterministic generator, so the tests need no extra crates.
#[derive(Default)]
struct Counts {
    expressions: usize,
    evaluations: usize,
    decided_bools: usize,
    finite_ranges: usize,
}

/// Checks `t`'s range (and, for a boolean, its known truth) against every binding. `values`
/// gives the bindings; `ranges` the symbol ranges the analysis assumes.
fn check_term(arena: &Arena, t: Term, ranges: &[Range], values: &[Vec<i64>], counts: &mut Counts) {
    let sym_range = |s: SymbolId| ranges[s.index()].clone();
    let range = arena.range(t.value, &sym_range);
    let truth = arena.known_truth(t.value, &sym_range);
    counts.expressions += 1;
    counts.decided_bools += usize::from(truth.is_some());
    counts.finite_ranges += usize::from(range.lo().is_finite() && range.hi().is_finite());
    for binding in values {
        // The value alone (without the term's checks): the range must hold wherever the value
        // itself evaluates.
        let Ok(v) = arena.evaluate(Term::total(t.value), &|s| Some(int(binding[s.index()]))) else {
            continue;
        };
        counts.evaluations += 1;
        match v {
            Value::Int(v) => assert!(
                range.contains(&v),
                "{} = {v} at {binding:?} is outside {range} (symbol ranges {ranges:?})",
                symcore_engine::print(arena, t.value).unwrap(),
            ),
            Value::Bool(b) => {
                assert!(range.is_full());
                if let Some(expected) = truth {
                    assert_eq!(
                        b,
                        expected,
                        "{} at {binding:?} (symbol ranges {ranges:?})",
                        symcore_engine::print(arena, t.value).unwrap()
                    );
                }
            }
            Value::Float(_) => assert!(range.is_full()),
        }
    }
}

const SEEDS: u64 = 600;
const OPS_PER_SEED: usize = 12;

#[test]
fn random_expressions_are_sound_over_all_bindings() {
    let mut counts = Counts::default();
    for seed in 0..SEEDS {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut arena = Arena::new();
        let mut pool = Vec::new();
        let mut finite = Vec::new();
        for name in ["s0", "s1", "s2"] {
            // Width 1..=6, negative, positive or straddling 0.
            let lo = rng.between(-6, 5);
            let hi = lo + rng.between(0, 5);
            finite.push((lo, hi));
            pool.push(declare(&mut arena, name, Some(lo), Some(hi)));
        }
        for _ in 0..2 {
            let c = rng.between(-3, 5);
            pool.push(arena.int_term(c).unwrap());
        }
        let values = bindings(&finite);
        let ranges: Vec<Range> = finite.iter().map(|&(lo, hi)| span(Some(lo), Some(hi))).collect();
        // The default caller's declared ranges are the same ranges.
        for (i, r) in ranges.iter().enumerate() {
            assert_eq!(&arena.declared_range(arena.symbols().nth(i).unwrap().0), r);
        }
        for _ in 0..OPS_PER_SEED {
            let Some(t) = random_op(&mut arena, &mut rng, &pool) else {
                continue;
            };
            check_term(&arena, t, &ranges, &values, &mut counts);
            pool.push(t);
        }
    }
    // Not vacuous: most expressions evaluate somewhere and many ranges are finite.
    assert!(
        counts.expressions > (SEEDS as usize) * OPS_PER_SEED * 3 / 4,
        "{}",
        counts.expressions
    );
    assert!(counts.evaluations > 200_000, "{}", counts.evaluations);
    assert!(
        counts.finite_ranges > counts.expressions / 2,
        "{}",
        counts.finite_ranges
    );
    assert!(counts.decided_bools > 20, "{}", counts.decided_bools);
    eprintln!(
        "bounded: {} expressions, {} evaluations, {} finite ranges, {} decided booleans",
        counts.expressions, counts.evaluations, counts.finite_ranges, counts.decided_bools
    );
}

#[test]
fn random_expressions_are_sound_on_unbounded_ranges() {
    let mut counts = Counts::default();
    for seed in 0..SEEDS {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ (seed + 7).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut arena = Arena::new();
        let mut pool = Vec::new();
        let mut ranges = Vec::new();
        let mut windows = Vec::new();
        for name in ["s0", "s1", "s2"] {
            // One-sided or two-sided infinite; the checked values are a window of 6 at the
            // finite end (or around 0), plus a far value.
            let end = rng.between(-4, 4);
            let (lo, hi, window) = match rng.below(4) {
                0 => (Some(end), None, (end, end + 5)),
                1 => (None, Some(end), (end - 5, end)),
                2 => (None, None, (end - 2, end + 3)),
                _ => (Some(end), Some(end + 4), (end, end + 4)),
            };
            ranges.push(span(lo, hi));
            windows.push(window);
            pool.push(declare(&mut arena, name, lo, hi));
        }
        pool.push(arena.int_term(rng.between(-3, 5)).unwrap());
        let mut values = bindings(&windows);
        // A far value in each unbounded direction, one symbol at a time.
        for (i, r) in ranges.iter().enumerate() {
            let base: Vec<i64> = windows.iter().map(|w| w.0).collect();
            for (far, ok) in [(40, r.hi() == &Bound::PosInf), (-40, r.lo() == &Bound::NegInf)] {
                if ok {
                    let mut b = base.clone();
                    b[i] = far;
                    values.push(b);
                }
            }
        }
        for b in &values {
            for (i, &v) in b.iter().enumerate() {
                assert!(ranges[i].contains(&int(v)));
            }
        }
        for _ in 0..OPS_PER_SEED {
            let Some(t) = random_op(&mut arena, &mut rng, &pool) else {
                continue;
            };
            check_term(&arena, t, &ranges, &values, &mut counts);
            pool.push(t);
        }
    }
    assert!(counts.evaluations > 100_000, "{}", counts.evaluations);
    eprintln!(
        "unbounded: {} expressions, {} evaluations, {} finite ranges, {} decided booleans",
        counts.expressions, counts.evaluations, counts.finite_ranges, counts.decided_bools
    );
}

/// The operations whose interval rule is exact on independent operands: the computed range is
/// exactly `[min, max]` of the values over all bindings.
#[test]
fn single_operations_on_independent_symbols_are_exact() {
    let mut checked = 0;
    for seed in 0..600u64 {
        let mut rng = Rng(0xA076_1D64_78BD_642F ^ (seed + 3).wrapping_mul(0xE703_7ED1_A0B4_28DB));
        let mut arena = Arena::new();
        let mut finite = Vec::new();
        let mut syms = Vec::new();
        for name in ["x", "y"] {
            let lo = rng.between(-7, 6);
            let hi = lo + rng.between(0, 5);
            finite.push((lo, hi));
            syms.push(declare(&mut arena, name, Some(lo), Some(hi)));
        }
        let (x, y) = (syms[0], syms[1]);
        // A negative modulus is rewritten `x % -k == -((-x) % k)` and `-x` becomes `(k-1)*x`
        // inside the modulo, which is not exact; the divisor of `//` may be negative.
        let k = arena.int_term(rng.between(-6, 9)).unwrap();
        let m = arena.int_term(rng.between(1, 9)).unwrap();
        let e = arena.int_term(rng.between(1, 4)).unwrap();
        let terms = [
            arena.binary(BinOp::Add, x, y),
            arena.binary(BinOp::Sub, x, y),
            arena.binary(BinOp::Mul, x, y),
            arena.binary(BinOp::Mul, x, x),
            arena.binary(BinOp::Pow, x, e),
            arena.binary(BinOp::FloorDiv, x, y),
            arena.binary(BinOp::FloorDiv, x, k),
            arena.binary(BinOp::Mod, x, m),
            arena.binary(BinOp::Min, x, y),
            arena.binary(BinOp::Max, x, y),
            arena.unary(UnOp::Abs, x),
            arena.unary(UnOp::Neg, x),
            arena.binary(BinOp::Mul, x, k),
        ];
        let values = bindings(&finite);
        for t in terms.into_iter().filter_map(Result::ok) {
            let mut seen: Option<(Integer, Integer)> = None;
            for b in &values {
                let Ok(Value::Int(v)) = arena.evaluate(t, &|s| Some(int(b[s.index()]))) else {
                    continue;
                };
                seen = Some(match seen {
                    None => (v.clone(), v),
                    Some((lo, hi)) => (lo.min(v.clone()), hi.max(v)),
                });
            }
            let Some((lo, hi)) = seen else { continue };
            let expected = Range::new(Bound::Finite(lo), Bound::Finite(hi)).unwrap();
            assert_eq!(
                arena.bound(t.value),
                expected,
                "{} over {finite:?}",
                symcore_engine::print(&arena, t.value).unwrap()
            );
            checked += 1;
        }
    }
    assert!(checked > 6000, "{checked}");
}
