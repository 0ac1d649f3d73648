//! `parse`: arbitrary text -> `symcore_engine::parse`.
//!
//! Properties (any violation panics, which libFuzzer reports as a crash):
//! * parsing never panics, whatever the bytes (errors are `EngineError`s);
//! * a parsed value prints (or reports `TooLarge`), and the printed text parses back to the very
//!   same canonical expression id, and printing that gives the same text (a fixpoint);
//! * wherever the parsed term evaluates without error, the re-parsed one (which carries no
//!   checks: the printed form is the value only) evaluates to the same value;
//! * the cached hint agrees with evaluating at the hints.
#![no_main]

use libfuzzer_sys::fuzz_target;
use symcore_engine::{parse, print, Arena, EngineError, Integer, SymbolId, SymbolInfo, Term, Value};

/// (name, hint, min, max): a backed symbol, a negative one, a bounded unbacked size, a range.
const SYMBOLS: &[(&str, Option<i64>, Option<i64>, Option<i64>)] = &[
    ("s0", Some(3), None, None),
    ("s1", Some(-2), None, None),
    ("s2", None, Some(0), None),
    ("n", Some(8), Some(1), Some(64)),
    ("m", Some(0), None, Some(0)),
];

/// Values used for evaluation; `s2` gets 5 (it has no hint).
const BINDING: &[i64] = &[3, -2, 5, 8, 0];

fn arena() -> Arena {
    let mut arena = Arena::new();
    for &(name, hint, min, max) in SYMBOLS {
        arena
            .declare_symbol(SymbolInfo {
                name: name.into(),
                hint: hint.map(Integer::from),
                min: min.map(Integer::from),
                max: max.map(Integer::from),
            })
            .expect("fixed symbols are valid");
    }
    arena
}

fn index(sym: SymbolId, arena: &Arena) -> usize {
    let name = &arena.symbol_info(sym).name;
    SYMBOLS
        .iter()
        .position(|s| s.0 == &**name)
        .expect("only declared symbols")
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

fn kind(e: &EngineError) -> std::mem::Discriminant<EngineError> {
    std::mem::discriminant(e)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut arena = arena();
    let Ok(t) = parse(&mut arena, text) else {
        return;
    };
    let printed = match print(&arena, t.value) {
        Ok(p) => p,
        Err(EngineError::TooLarge(_)) => return,
        Err(e) => panic!("print of parsed {text:?} failed: {e}"),
    };
    let back = parse(&mut arena, &printed)
        .unwrap_or_else(|e| panic!("{text:?} printed as {printed:?}, which fails to parse: {e}"));
    assert_eq!(
        back.value,
        t.value,
        "{text:?} printed as {printed:?}, which parses to a different expression {:?}",
        print(&arena, back.value)
    );
    let again = print(&arena, back.value).expect("printed once already");
    assert_eq!(again, printed, "printing is not a fixpoint for {text:?}");

    let binding = |s: SymbolId| Some(Integer::from(BINDING[index(s, &arena)]));
    let full = arena.evaluate(t, &binding);
    if let Ok(v) = &full {
        let value_only = arena.evaluate(Term::total(t.value), &binding);
        match &value_only {
            Ok(w) => assert!(
                same(v, w),
                "{text:?}: value {v:?} but its printed form {printed:?} gives {w:?}"
            ),
            Err(e) => panic!("{text:?}: value {v:?} but its printed form {printed:?} raises {e}"),
        }
        let reparsed = arena.evaluate(back, &binding);
        assert!(
            matches!(&reparsed, Ok(w) if same(v, w)),
            "{text:?} = {v:?} but re-parsed {printed:?} gives {reparsed:?}"
        );
    }

    // The cached hint and evaluating at the hints agree (unbacked symbols: unknown / unbound).
    let at_hints = |s: SymbolId| SYMBOLS[index(s, &arena)].1.map(Integer::from);
    let by_eval = arena.evaluate(t, &at_hints);
    let by_hint = arena.hint(t);
    match (&by_hint, &by_eval) {
        (Ok(Some(h)), Ok(v)) => assert!(same(h, v), "{text:?}: hint {h:?} but evaluate at hints {v:?}"),
        // Unknown hint: evaluation needs an unbacked symbol (or fails before reaching it).
        (Ok(None), Err(_)) | (Err(_), Err(EngineError::UnboundSymbol(_))) => {}
        (Err(a), Err(b)) => assert_eq!(kind(a), kind(b), "{text:?}: hint raises {a} but evaluate at hints {b}"),
        _ => panic!("{text:?}: hint {by_hint:?} but evaluate at hints {by_eval:?}"),
    }
});
