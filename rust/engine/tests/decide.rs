//! The decision procedure: the issue's facts, refutations, explanations, and soundness of every
//! answer on random facts and questions, checked by brute force over all bindings.

mod common;

use common::{bindings, random_op, Rng};
use symcore_engine::{parse, Arena, BinOp, Integer, Range, SymbolId, SymbolInfo, Term, Value};

fn declare(arena: &mut Arena, name: &str, lo: Option<i64>, hi: Option<i64>) -> Term {
    arena
        .declare_symbol(SymbolInfo {
            name: name.into(),
            hint: None,
            min: lo.map(Integer::Small),
            max: hi.map(Integer::Small),
        })
        .unwrap()
}

/// `decide(question)` over sizes `a, b, c >= 1` with the given facts.
fn decide_sizes(facts: &[&str], question: &str) -> symcore_engine::Decision {
    let mut arena = Arena::new();
    for name in ["a", "b", "c"] {
        declare(&mut arena, name, Some(1), None);
    }
    let facts: Vec<_> = facts.iter().map(|f| parse(&mut arena, f).unwrap().value).collect();
    let q = parse(&mut arena, question).unwrap().value;
    let ranges = |s: SymbolId| arena_range(s);
    arena.decide(q, &facts, &ranges)
}

fn arena_range(_: SymbolId) -> Range {
    Range::from_options(Some(Integer::ONE), None).unwrap()
}

const PROVED: &[&str] = &[
    "a*b >= a",
    "a//2 <= a",
    "2*(a//2) + a%2 == a",
    "(a+b)%b == a%b",
    "(a*b)//b == a",
    "((a+10)**2) % (a+10) == 0",
    "(4*a+3)//4 == a",
    "max(a,b) >= a",
    "a%b < b",
    "(a//b)*b <= a",
    "a*b*c >= b",
    "(a // 2) * 2 <= a",
    "(a + 7)//8*8 >= a",
    "-(-a//8)*8 >= a",
    "a*b % a == 0",
    "min(a, b) <= max(a, b)",
    "(a*b + a)//a == b + 1",
    "a**2 >= a",
    "(a - 1)//a == 0",
    "(a % 8) % 4 == a % 4",
    "a + b > a",
    "abs(a - b) >= a - b",
    "not (a % b >= b)",
    "a >= 1 and b >= 1",
    "a > 5 or a < 7",
];

#[test]
fn issue_facts_are_proved() {
    for q in PROVED {
        let d = decide_sizes(&[], q);
        assert_eq!(d.truth, Some(true), "{q}: {d:?}");
    }
}

#[test]
fn divisors_that_may_be_zero_are_positive_where_the_quotient_exists() {
    let mut arena = Arena::new();
    declare(&mut arena, "a", Some(0), None);
    declare(&mut arena, "b", Some(0), None);
    for q in [
        "(a // b) * b <= a",
        "a % b < b",
        "a % b >= 0",
        "a - (a // b) * b == a % b",
    ] {
        let id = parse(&mut arena, q).unwrap().value;
        let ranges = |s: SymbolId| arena_range0(s);
        assert_eq!(arena.decide(id, &[], &ranges).truth, Some(true), "{q}");
    }
}

fn arena_range0(_: SymbolId) -> Range {
    Range::from_options(Some(Integer::ZERO), None).unwrap()
}

#[test]
fn false_facts_are_refuted_and_unknowns_stay_unknown() {
    for q in ["a*b < a", "a % b >= b", "(a*b)//b != a", "a + b <= a", "a//2 > a"] {
        assert_eq!(decide_sizes(&[], q).truth, Some(false), "{q}");
    }
    for q in ["a >= b", "a % 2 == 0", "a*b >= 2*a", "a//b >= 1", "a == b"] {
        assert_eq!(decide_sizes(&[], q).truth, None, "{q}");
    }
}

#[test]
fn facts_are_used_and_reported() {
    let d = decide_sizes(&["a >= 8", "b == a + 1", "c >= 3"], "b >= 9");
    assert_eq!(d.truth, Some(true));
    assert_eq!(d.facts, vec![0, 1]);
    let d = decide_sizes(&["a % 8 == 0"], "(a // 8) * 8 == a");
    assert_eq!(d.truth, Some(true));
    assert_eq!(d.facts, vec![0]);
    let d = decide_sizes(&["a <= b", "b <= c"], "a <= c");
    assert_eq!((d.truth, d.facts), (Some(true), vec![0, 1]));
    let d = decide_sizes(&["a <= b", "b < a + 0 or c > 1"], "a > b");
    assert_eq!(d.truth, Some(false));
    // Integer reasoning: 2*b == 2*c + 1 has no integer solution.
    let d = decide_sizes(&["a == 2*b", "a == 2*c + 1"], "a == 100");
    assert_eq!(d.truth, Some(true), "contradictory facts prove anything");
    // A proof from ranges alone names the symbols, no facts.
    let d = decide_sizes(&["c >= 3"], "a*b >= 1");
    assert_eq!((d.truth, d.facts.len()), (Some(true), 0));
    assert!(!d.symbols.is_empty());
}

#[test]
fn answers_are_sound_on_random_facts_and_questions() {
    let mut decided = 0usize;
    let mut checked = 0usize;
    for seed in 0..400u64 {
        let mut rng = Rng(0xA076_1D64_78BD_642F ^ (seed + 3).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut arena = Arena::new();
        let mut pool = Vec::new();
        let mut finite = Vec::new();
        for name in ["s0", "s1", "s2"] {
            let lo = rng.between(-4, 4);
            let hi = lo + rng.between(0, 6);
            finite.push((lo, hi));
            pool.push(declare(&mut arena, name, Some(lo), Some(hi)));
        }
        for _ in 0..2 {
            let c = rng.between(-3, 5);
            pool.push(arena.int_term(c).unwrap());
        }
        for _ in 0..8 {
            if let Some(t) = random_op(&mut arena, &mut rng, &pool) {
                pool.push(t);
            }
        }
        let cmp = |arena: &mut Arena, rng: &mut Rng, pool: &[Term]| {
            let op = [BinOp::Lt, BinOp::Le, BinOp::Eq, BinOp::Ne, BinOp::Gt, BinOp::Ge][rng.below(6)];
            let (x, y) = (pool[rng.below(pool.len())], pool[rng.below(pool.len())]);
            arena.binary(op, x, y).ok()
        };
        let facts: Vec<Term> = (0..rng.below(3))
            .filter_map(|_| cmp(&mut arena, &mut rng, &pool))
            .collect();
        let values = bindings(&finite);
        let eval = |arena: &Arena, t: Term, b: &[i64]| {
            arena
                .evaluate(Term::total(t.value), &|s| Some(Integer::Small(b[s.index()])))
                .ok()
        };
        let admissible: Vec<&Vec<i64>> = values
            .iter()
            .filter(|b| facts.iter().all(|f| eval(&arena, *f, b) == Some(Value::Bool(true))))
            .collect();
        let fact_ids: Vec<_> = facts.iter().map(|f| f.value).collect();
        let ranges: Vec<Range> = finite
            .iter()
            .map(|&(lo, hi)| Range::from_options(Some(Integer::Small(lo)), Some(Integer::Small(hi))).unwrap())
            .collect();
        for _ in 0..6 {
            let Some(q) = cmp(&mut arena, &mut rng, &pool) else {
                continue;
            };
            let sym_range = |s: SymbolId| ranges[s.index()].clone();
            let d = arena.decide(q.value, &fact_ids, &sym_range);
            let Some(truth) = d.truth else {
                continue;
            };
            decided += 1;
            for b in &admissible {
                if let Some(v) = eval(&arena, q, b) {
                    checked += 1;
                    assert_eq!(
                        v,
                        Value::Bool(truth),
                        "{} claimed {truth} but is {v:?} at {b:?}; facts {:?}; ranges {finite:?}",
                        symcore_engine::print(&arena, q.value).unwrap(),
                        facts
                            .iter()
                            .map(|f| symcore_engine::print(&arena, f.value).unwrap())
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
    }
    eprintln!("decided {decided} questions, checked {checked} bindings");
    assert!(decided > 300 && checked > 10_000, "{decided} {checked}");
}

#[test]
fn replacements_and_divisibility_shape_new_expressions() {
    let mut arena = Arena::new();
    let s0 = declare(&mut arena, "s0", Some(0), None);
    let s1 = declare(&mut arena, "s1", Some(0), None);
    let s2 = declare(&mut arena, "s2", Some(0), None);
    let text = |arena: &Arena, t: Term| symcore_engine::print(arena, t.value).unwrap();
    // (s0 // 8) * 8 before and after the divisibility fact.
    let eight = arena.int_term(8).unwrap();
    let q = arena.binary(BinOp::FloorDiv, s0, eight).unwrap();
    let before = arena.binary(BinOp::Mul, q, eight).unwrap();
    assert_eq!(text(&arena, before), "8*(s0 // 8)");
    arena.assume_divisible(s0.value, &Integer::Small(8)).unwrap();
    let after = arena.binary(BinOp::Mul, q, eight).unwrap();
    assert_eq!(after.value, s0.value);
    let sixteen = arena.int_term(16).unwrap();
    let twice = arena.binary(BinOp::Mul, q, sixteen).unwrap();
    assert_eq!(text(&arena, twice), "2*s0");
    let four = arena.int_term(4).unwrap();
    let m4 = arena.binary(BinOp::Mod, s0, four).unwrap();
    let m16 = arena.binary(BinOp::Mod, s0, sixteen).unwrap();
    assert_eq!(text(&arena, m4), "0");
    assert_eq!(text(&arena, m16), "s0 % 16");
    // s2 -> s1 -> s0: later expressions and canonical() use s0.
    let id = |arena: &Arena, name: &str| arena.symbol_by_name(name).unwrap();
    let (i0, i1, i2) = (id(&arena, "s0"), id(&arena, "s1"), id(&arena, "s2"));
    arena.replace_symbol(i2, s1).unwrap();
    arena.replace_symbol(i1, s0).unwrap();
    assert_eq!(arena.replacement(i2), Some(s0));
    let sum = arena.binary(BinOp::Add, s1, s2).unwrap();
    let sum = arena.canonical(sum).unwrap();
    assert_eq!(text(&arena, sum), "2*s0");
    assert!(arena.replace_symbol(i0, sum).is_err());
}

#[test]
fn equalities_that_do_not_define_a_symbol_are_kept_as_facts() {
    let mut arena = Arena::new();
    declare(&mut arena, "a", Some(1), None);
    for text in ["a == max(1, a)", "a == a // 2 + 1", "a == a * a"] {
        let f = parse(&mut arena, text).unwrap().value;
        let learned = arena.add_fact(f, true).unwrap();
        assert!(learned.replaced.is_empty(), "{text}");
    }
    assert_eq!(arena.facts().len(), 3);
}
