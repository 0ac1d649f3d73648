//! Printer and parser: golden forms, exact round trips for every node kind (and for every node of
//! randomly built arenas), parse errors with positions, deep nesting, long chains and the
//! printed-size limit.

use symcore_engine::{parse, print, Arena, BinOp, EngineError, ExprId, Node, Sort, SymbolInfo, Term, UnOp};

fn env(n: usize) -> Arena {
    let mut arena = Arena::new();
    for i in 0..n {
        declare(&mut arena, &format!("s{i}"));
    }
    arena
}

fn declare(arena: &mut Arena, name: &str) -> Term {
    arena
        .declare_symbol(SymbolInfo {
            name: name.into(),
            hint: None,
            min: None,
            max: None,
        })
        .unwrap()
}

fn sym(arena: &Arena, name: &str) -> Term {
    let s = arena.symbol_by_name(name).unwrap();
    Term::total(arena.symbol_node(s))
}

fn p(arena: &mut Arena, text: &str) -> Term {
    parse(arena, text).unwrap_or_else(|e| panic!("parse({text:?}) failed: {e}"))
}

/// Prints `id`, parses the text back and checks it is the very same id; returns the text.
fn round_trip(arena: &mut Arena, id: ExprId) -> String {
    let text = print(arena, id).unwrap_or_else(|e| panic!("print({:?}) failed: {e}", arena.node(id)));
    let back = parse(arena, &text).unwrap_or_else(|e| panic!("parse({text:?}) failed: {e}"));
    assert_eq!(
        back.value,
        id,
        "{text:?} parsed back to {:?} = {:?}",
        print(arena, back.value),
        arena.node(back.value)
    );
    text
}

fn kind(node: &Node) -> &'static str {
    match node {
        Node::Int(_) => "Int",
        Node::Symbol(_) => "Symbol",
        Node::Sum { .. } => "Sum",
        Node::Product(_) => "Product",
        Node::FloorDiv(..) => "FloorDiv",
        Node::Mod(..) => "Mod",
        Node::Pow(..) => "Pow",
        Node::PowMod(..) => "PowMod",
        Node::Min(_) => "Min",
        Node::Max(_) => "Max",
        Node::Abs(_) => "Abs",
        Node::Bit(..) => "Bit",
        Node::FloatToInt(..) => "FloatToInt",
        Node::Bool(_) => "Bool",
        Node::Le0(_) => "Le0",
        Node::Eq0(_) => "Eq0",
        Node::Ne0(_) => "Ne0",
        Node::And(_) => "And",
        Node::Or(_) => "Or",
        Node::Not(_) => "Not",
        Node::FloatCmp(..) => "FloatCmp",
        Node::Float(_) => "Float",
        Node::ToFloat(_) => "ToFloat",
        Node::FloatBin(..) => "FloatBin",
        Node::FloatNeg(_) => "FloatNeg",
        Node::FloatAbs(_) => "FloatAbs",
        Node::FloatRound(..) => "FloatRound",
        Node::Ite(..) => "Ite",
        Node::Checks(_) => "Checks",
    }
}

/// The one kind of node the printed language cannot name on its own: the first link of a float
/// `min`/`max` fold over two ints (`min(s0, s1, 1.5)` starts with min(s0, s1) computed as a
/// float operation). It is never a value by itself, and prints fine inside its chain.
fn is_float_minmax_of_ints(arena: &Arena, id: ExprId) -> bool {
    matches!(arena.node(id), Node::FloatBin(symcore_engine::FloatOp::Min | symcore_engine::FloatOp::Max, a, b)
        if arena.sort(*a) == Sort::Int && arena.sort(*b) == Sort::Int)
}

/// Round-trips every value node of the arena; returns the kinds seen.
fn round_trip_all(arena: &mut Arena) -> std::collections::BTreeSet<&'static str> {
    let mut kinds = std::collections::BTreeSet::new();
    let n = arena.len();
    for i in 0..n {
        let id = ExprId::from_index(i).unwrap();
        let k = kind(arena.node(id));
        if k == "Checks" || is_float_minmax_of_ints(arena, id) {
            continue;
        }
        kinds.insert(k);
        round_trip(arena, id);
    }
    kinds
}

#[test]
fn golden_forms() {
    let cases: &[(&str, &str)] = &[
        // sums and products
        ("s0*s1 + 2*s0 - s1 + 3", "s0*s1 + 2*s0 - s1 + 3"),
        ("3 - s1 + s0*2 + s1*s0", "s0*s1 + 2*s0 - s1 + 3"),
        ("1 - s0", "-s0 + 1"),
        ("s0 * -2", "-2*s0"),
        ("-(s0*s1)", "-s0*s1"),
        ("s0 ** 2 * -3", "-3*s0**2"),
        ("s1*s0*s0", "s0**2*s1"),
        ("(1 + s0)**300", "(s0 + 1)**300"),
        ("(s0 + 1)**2", "s0**2 + 2*s0 + 1"),
        ("(s0 + 1) * (s1 + 2)", "s0*s1 + 2*s0 + s1 + 2"),
        ("s0 - (s1 - s2)", "s0 - s1 + s2"),
        ("~s0", "-s0 - 1"),
        ("s0 * 4", "4*s0"),
        ("s0 << 2", "4*s0"),
        // atoms and precedence
        ("2*(s0 // 3)", "2*(s0 // 3)"),
        ("s0 * 2 // 4", "s0 // 2"),
        ("(s0 + 1) // 3", "(s0 + 1) // 3"),
        ("s0 // s1 // s2", "s0 // s1 // s2"),
        ("s0 // (s1 // s2)", "s0 // (s1 // s2)"),
        ("s0 % 5 + s1 % s2", "s0 % 5 + s1 % s2"),
        ("(s0 % s1) * s2", "(s0 % s1)*s2"),
        ("-(s0 // 3)", "-(s0 // 3)"),
        ("(-2)**s0", "(-2)**s0"),
        ("-2**s0", "-2**s0"),
        ("s0**s1**s2", "s0**s1**s2"),
        ("(s0**s1)**s2", "(s0**s1)**s2"),
        ("(s0 + 1)**s1", "(s0 + 1)**s1"),
        ("s0 ** (s1 + 1)", "s0**(s1 + 1)"),
        ("pow(s0, s1, 7)", "pow(s0, s1, 7)"),
        ("pow(s0, s1)", "s0**s1"),
        ("min(s1, s0, 3)", "min(3, s0, s1)"),
        ("max(s1 + 1, s0)", "max(s0, s1 + 1)"),
        ("max(s0)", "s0"),
        ("abs(s1 - s0)", "abs(s0 - s1)"),
        ("s0 & s1 | s2 ^ s3", "s0 & s1 | s2 ^ s3"),
        ("s0 & (s1 | s2)", "s0 & (s1 | s2)"),
        ("(s0 + 1) & s1", "s1 & s0 + 1"),
        ("s0 << s1 >> s2", "s0 << s1 >> s2"),
        ("s0 << (s1 >> s2)", "s0 << (s1 >> s2)"),
        ("(s0 & s1) + 1", "(s0 & s1) + 1"),
        ("2 * (s0 ^ s1)", "2*(s0 ^ s1)"),
        // comparisons
        ("s0 - s1 + 1 <= 0", "s0 < s1"),
        ("s0 - 3 <= 0", "s0 <= 3"),
        ("s0 + 1 <= 0", "s0 < 0"),
        ("-s0 + 2 <= 0", "s0 >= 2"),
        ("-s0 <= 0", "s0 >= 0"),
        ("s0 >= s1", "s1 <= s0"),
        ("s0 == s1 + 2", "s0 == s1 + 2"),
        ("2*s0 != 4 - 2*s1", "s0 + s1 != 2"),
        ("s0 - s1 == 0", "s0 == s1"),
        ("not s0", "s0 == 0"),
        ("not (s0 < s1)", "s1 <= s0"),
        ("1 < s0 < 5", "s0 <= 4 and s0 >= 2"),
        ("2*s0 + 3*s1 < 7", "2*s0 + 3*s1 <= 6"),
        ("3 < 2*s0 + 3*s1", "2*s0 + 3*s1 >= 4"),
        ("3*s1 - 2*s0 < 7", "3*s1 <= 2*s0 + 6"),
        ("(s0 & s1) < 3", "(s0 & s1) <= 2"),
        // booleans
        ("True", "True"),
        ("False and True", "False"),
        ("s0 < s1 and s2 < s3", "s0 < s1 and s2 < s3"),
        ("s2 < s3 and s0 < s1", "s0 < s1 and s2 < s3"),
        ("s0 < s1 or s2 < s3 and s1 > 4", "s0 < s1 or s1 >= 5 and s2 < s3"),
        ("(s0 < s1 or s2 < s3) and s1 >= 5", "(s0 < s1 or s2 < s3) and s1 >= 5"),
        ("not (s0 < s1 and s2 < s3)", "not (s0 < s1 and s2 < s3)"),
        ("s0 < s1 & s2 < s3", "(s1 & s2) < s3 and s0 < (s1 & s2)"),
        ("(s0 < s1) & (s2 < s3)", "s0 < s1 and s2 < s3"),
        (
            "s0 < s1 if s2 < 1 else s2 < s3 or s1 < 2",
            "s0 < s1 if s2 <= 0 else s1 <= 1 or s2 < s3",
        ),
        (
            "not (s0 if float(s1) < 1.5 else s2)",
            "(s0 if float(s1) < 1.5 else s2) == 0",
        ),
        // conditional
        ("s0 if s1 < 3 else s2", "s0 if s1 <= 2 else s2"),
        ("(s0 if s1 < 3 else s2) + 1", "(s0 if s1 <= 2 else s2) + 1"),
        (
            "s0 if s1 < 3 else s2 if s1 < 5 else s3",
            "s0 if s1 <= 2 else (s2 if s1 <= 4 else s3)",
        ),
        ("s0 if not (1.5 < s1) else s2", "s2 if 1.5 < s1 else s0"),
        ("s0 if True else s1", "s0"),
        ("1 if s0 < s1 else 0", "1 if s0 < s1 else 0"),
        ("(s0 < s1) + 1", "(1 if s0 < s1 else 0) + 1"),
        // floats
        ("1e300", "1e+300"),
        ("1e-7", "1e-07"),
        ("2.0", "2.0"),
        (".5", "0.5"),
        ("5.", "5.0"),
        ("-0.0", "-0.0"),
        ("0.0", "0.0"),
        ("-1.5", "-1.5"),
        ("float('inf')", "float('inf')"),
        ("float(\"-inf\")", "-float('inf')"),
        ("-float('inf')", "-float('inf')"),
        ("float('nan')", "float('nan')"),
        ("float('-NaN')", "float('nan')"),
        ("1 / 4", "0.25"),
        ("2**-1", "0.5"),
        ("-2**2", "-4"),
        ("float(s0) / 3", "float(s0) / 3"),
        ("s0 / s1", "s0 / s1"),
        ("s0 * 1.5", "s0*1.5"),
        ("1.5 * (s0 + 1)", "1.5*(s0 + 1)"),
        ("s0 + 1 + 1.5", "s0 + 1 + 1.5"),
        ("1.5 + (s0 + 1)", "1.5 + (s0 + 1)"),
        ("s0 - 1.5", "s0 - 1.5"),
        ("s0 - -1.5", "s0 - (-1.5)"),
        ("float(s0) ** -1", "float(s0)**(-1)"),
        ("1.5 ** s0", "1.5**s0"),
        ("(-1.5) ** s0", "(-1.5)**s0"),
        ("float(s0) // 2.0 % 3.0", "float(s0) // 2.0 % 3.0"),
        ("float(s0) - (float(s1) - 1.0)", "float(s0) - (float(s1) - 1.0)"),
        ("-float(s0)", "-float(s0)"),
        ("-(float(s0) + 1.0)", "-(float(s0) + 1.0)"),
        ("--float(s0)", "float(s0)"),
        ("abs(-float(s0))", "abs(float(s0))"),
        ("-float(s0) ** 2", "-float(s0)**2"),
        ("(-float(s0)) ** 2", "(-float(s0))**2"),
        ("round(float(s0), 2)", "round(float(s0), 2)"),
        ("round(s0, -1)", ""),
        ("min(s0, s1, 1.5)", "min(s0, s1, 1.5)"),
        ("max(1.5, s0, s1)", "max(1.5, s0, s1)"),
        ("min(min(s0, 1.5), s1)", "min(s0, 1.5, s1)"),
        ("min(s0, min(s1, 1.5))", "min(s0, min(s1, 1.5))"),
        ("not (float(s0) < 1.5)", "not float(s0) < 1.5"),
        ("float(s0) >= s1", "float(s0) >= s1"),
        ("floor(float(s0) * 1.5)", "floor(float(s0)*1.5)"),
        ("int(float(s0))", "trunc(float(s0))"),
        ("ceil(s0 / 2)", "ceil(s0 / 2)"),
        ("round(s0 / 2)", "round(s0 / 2)"),
        ("abs(float(s0))", "abs(float(s0))"),
        ("1.5 if s0 < 0 else float(s1)", "1.5 if s0 < 0 else float(s1)"),
    ];
    for &(input, expected) in cases {
        let mut arena = env(4);
        let t = p(&mut arena, input);
        let out = print(&arena, t.value).unwrap();
        if expected.is_empty() {
            round_trip(&mut arena, t.value);
            continue;
        }
        assert_eq!(out, expected, "printing the parse of {input:?}");
        let back = p(&mut arena, &out);
        assert_eq!(back.value, t.value, "{out:?} does not read back");
    }
}

#[test]
fn every_node_kind_round_trips() {
    let mut a = env(6);
    let [s0, s1, s2, s3, s4, _s5] = ["s0", "s1", "s2", "s3", "s4", "s5"].map(|n| sym(&a, n));
    let c = |a: &mut Arena, v: i64| a.int_term(v).unwrap();
    let f = |a: &mut Arena, v: f64| Term::total(a.float(v).unwrap());
    let mut values: Vec<Term> = Vec::new();
    macro_rules! b {
        ($op:ident, $x:expr, $y:expr) => {{
            let t = a.binary(BinOp::$op, $x, $y).unwrap();
            values.push(t);
            t
        }};
    }
    macro_rules! u {
        ($op:ident, $x:expr) => {{
            let t = a.unary(UnOp::$op, $x).unwrap();
            values.push(t);
            t
        }};
    }
    let k3 = c(&mut a, 3);
    let km2 = c(&mut a, -2);
    let sum = b!(Add, s0, k3);
    let prod = b!(Mul, s0, s1);
    b!(Mul, prod, s0);
    let fd = b!(FloorDiv, sum, k3);
    let fd2 = b!(FloorDiv, s0, s1);
    b!(Mod, s2, k3);
    b!(Mod, s2, s3);
    b!(Pow, s0, s1);
    b!(Pow, km2, s1);
    values.push(a.pow_mod_term(s0, s1, s2).unwrap());
    values.push(a.min_max_terms(&[s0, s1, k3], false).unwrap());
    values.push(a.min_max_terms(&[fd, s1], true).unwrap());
    u!(Abs, sum);
    b!(BitAnd, s0, s1);
    b!(BitOr, s0, k3);
    b!(BitXor, fd2, s1);
    b!(LShift, s0, s1);
    b!(RShift, sum, s1);
    let lt = b!(Lt, s0, s1);
    let le = b!(Le, s2, k3);
    let eq = b!(Eq, s0, sum);
    b!(Eq, s0, s2);
    b!(Ne, s3, s4);
    b!(And, lt, le);
    b!(Or, lt, eq);
    let fl = u!(ToFloat, s0);
    let half = f(&mut a, 0.5);
    let fcmp = b!(Lt, fl, half);
    u!(Not, fcmp);
    b!(Gt, s1, half);
    for v in [
        0.5,
        -0.0,
        0.0,
        1e300,
        -1e-7,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        5e-324,
        1.7976931348623157e308,
    ] {
        values.push(f(&mut a, v));
    }
    u!(Floor, fl);
    u!(Ceil, fl);
    u!(Trunc, fl);
    u!(Round, fl);
    let fb = b!(Add, fl, half);
    b!(Sub, half, fl);
    b!(Mul, fl, sum);
    b!(TrueDiv, s0, s1);
    b!(TrueDiv, fb, k3);
    b!(FloorDiv, fl, half);
    b!(Mod, fl, s1);
    b!(Pow, fl, half);
    b!(Pow, s0, km2);
    values.push(a.min_max_terms(&[fl, s1], false).unwrap());
    values.push(a.min_max_terms(&[s0, s1, half], true).unwrap());
    values.push(a.min_max_terms(&[s0, half, s1, fl], false).unwrap());
    let neg = u!(Neg, fb);
    u!(Abs, neg);
    values.push(a.round_ndigits_term(fl, k3).unwrap());
    values.push(a.round_ndigits_term(s0, km2).unwrap());
    let ite = a.ite_term(fcmp, s0, sum).unwrap();
    values.push(ite);
    values.push(a.ite_term(lt, fl, half).unwrap());
    values.push(a.ite_term(le, lt, eq).unwrap());
    b!(Add, ite, s2);
    let t = a.boolean(true).unwrap();
    values.push(Term::total(t));
    for v in values.clone() {
        round_trip(&mut a, v.value);
    }
    let kinds = round_trip_all(&mut a);
    let all = [
        "Int",
        "Symbol",
        "Sum",
        "Product",
        "FloorDiv",
        "Mod",
        "Pow",
        "PowMod",
        "Min",
        "Max",
        "Abs",
        "Bit",
        "FloatToInt",
        "Bool",
        "Le0",
        "Eq0",
        "Ne0",
        "And",
        "Or",
        "Not",
        "FloatCmp",
        "Float",
        "ToFloat",
        "FloatBin",
        "FloatNeg",
        "FloatAbs",
        "FloatRound",
        "Ite",
    ];
    for k in all {
        assert!(kinds.contains(k), "no {k} node was round-tripped");
    }
}

#[test]
fn checks_are_not_values() {
    let mut a = env(2);
    let t = p(&mut a, "s0 // s1");
    let checks = t.checks.unwrap();
    assert!(print(&a, checks).is_err());
}

/// A sum of `n` symbols starting at `first`, built in one go.
fn big_sum(a: &mut Arena, first: usize, n: usize, constant: i64) -> Term {
    let text = (first..first + n)
        .map(|i| format!("s{i}"))
        .collect::<Vec<_>>()
        .join(" + ");
    p(a, &format!("{text} + {constant}"))
}

#[test]
fn products_of_sums_round_trip() {
    let mut a = env(700);
    let x = sym(&a, "s699");
    let big = big_sum(&mut a, 0, 300, 1); // past the expansion bound by itself
    let s = big_sum(&mut a, 300, 16, 1); // 17 terms: 17*17 > 256, but 17*1 and C(18, 2) are not
    let t = big_sum(&mut a, 400, 16, 2);
    let u = big_sum(&mut a, 500, 20, 3);
    let three = a.int_term(3).unwrap();
    let seven = a.int_term(7).unwrap();
    let st = a.binary(BinOp::Mul, s, t).unwrap();
    assert!(matches!(a.node(st.value), Node::Product(_)));
    let su = a.binary(BinOp::Mul, s, u).unwrap();
    let stsu = a.binary(BinOp::Mul, st, su).unwrap(); // (s, 2), t, u
    let bx = a.binary(BinOp::Mul, big, x).unwrap();
    let bx3 = a.binary(BinOp::Mul, bx, three).unwrap();
    let stx = a.binary(BinOp::Mul, st, x).unwrap();
    let stx7 = a.binary(BinOp::Mul, stx, seven).unwrap();
    let neg = a.unary(UnOp::Neg, stx).unwrap();
    let sum = a.binary(BinOp::Add, stx7, bx3).unwrap();
    let k300 = a.int_term(300).unwrap();
    let s300 = a.binary(BinOp::Pow, s, k300).unwrap();
    let s300t = a.binary(BinOp::Mul, s300, st).unwrap(); // (s, 301), t: t is paired with one s
    let big2 = a.binary(BinOp::Mul, big, big).unwrap();
    let bigs = a.binary(BinOp::Mul, big, s).unwrap();
    let cmp = a.binary(BinOp::Lt, stx7, bx).unwrap();
    let fd = a.binary(BinOp::FloorDiv, stx, three).unwrap();
    let two = a.int_term(2).unwrap();
    let st2 = a.binary(BinOp::Pow, st, two).unwrap(); // (s, 2), (t, 2): two pairs
    let s0_1 = p(&mut a, "s0 + 1");
    let sts1 = a.binary(BinOp::Mul, st, s0_1).unwrap(); // expanded over s0 + 1
    for v in [
        st, su, stsu, bx, bx3, stx, stx7, neg, sum, s300, s300t, big2, bigs, cmp, fd, st2, sts1,
    ] {
        round_trip(&mut a, v.value);
    }
    round_trip_all(&mut a);
    let text = print(&a, stx7.value).unwrap();
    assert!(text.starts_with("7*(((s300 + s301"), "{text}");
}

#[test]
fn printing_is_independent_of_build_order() {
    let texts = [
        "s0*s1 + 2*s0 - s1 + 3",
        "min(s0, s1 + 1) + max(s2, 3)",
        "s0 < s1 and s2 == 3 or s0 > 4",
    ];
    for text in texts {
        let mut a = env(3);
        let mut b = Arena::new();
        for name in ["s2", "s1", "s0"] {
            declare(&mut b, name);
        }
        // Build the pieces in another order first so that ids differ.
        p(&mut b, "s2 == 3");
        p(&mut b, "max(s2, 3)");
        p(&mut b, "s1 + 1");
        p(&mut b, "s1");
        let x = p(&mut a, text);
        let y = p(&mut b, text);
        assert_eq!(print(&a, x.value).unwrap(), print(&b, y.value).unwrap());
    }
}

#[test]
fn random_arenas_round_trip() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _round in 0..20 {
        let mut a = env(4);
        let mut pool: Vec<Term> = (0..4).map(|i| sym(&a, &format!("s{i}"))).collect();
        for v in [-3i64, -1, 0, 1, 2, 5] {
            pool.push(a.int_term(v).unwrap());
        }
        for v in [0.5, -2.0, 1e-9] {
            pool.push(Term::total(a.float(v).unwrap()));
        }
        pool.push(Term::total(a.boolean(true).unwrap()));
        let bin = [
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::TrueDiv,
            BinOp::FloorDiv,
            BinOp::Mod,
            BinOp::Pow,
            BinOp::LShift,
            BinOp::RShift,
            BinOp::BitAnd,
            BinOp::BitOr,
            BinOp::BitXor,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::Min,
            BinOp::Max,
            BinOp::And,
            BinOp::Or,
        ];
        let un = [
            UnOp::Neg,
            UnOp::Pos,
            UnOp::Abs,
            UnOp::Invert,
            UnOp::Not,
            UnOp::Floor,
            UnOp::Ceil,
            UnOp::Trunc,
            UnOp::Round,
            UnOp::ToFloat,
            UnOp::ToInt,
            UnOp::ToBool,
        ];
        for _ in 0..300 {
            let x = pool[rnd(pool.len())];
            let y = pool[rnd(pool.len())];
            let z = pool[rnd(pool.len())];
            let r = match rnd(10) {
                0..=5 => a.binary(bin[rnd(bin.len())], x, y),
                6 | 7 => a.unary(un[rnd(un.len())], x),
                8 => a.ite_term(x, y, z),
                _ => match rnd(3) {
                    0 => a.min_max_terms(&[x, y, z], rnd(2) == 0),
                    1 => a.pow_mod_term(x, y, z),
                    _ => a.round_ndigits_term(x, y),
                },
            };
            if let Ok(t) = r {
                pool.push(t);
            }
        }
        round_trip_all(&mut a);
    }
}

#[test]
fn parse_errors() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "expected an expression"),
        ("   ", 3, "expected an expression"),
        ("x", 0, "unknown symbol 'x'"),
        ("s0 + x1", 5, "unknown symbol 'x1'"),
        ("s0 +", 4, "expected an expression"),
        ("s0 s1", 3, "expected an operator"),
        ("(s0", 3, "not closed"),
        ("abs(s0", 6, "not closed"),
        ("s0)", 2, "unmatched ')'"),
        ("()", 1, "expected an expression"),
        ("(s0, s1)", 3, "tuples"),
        ("s0, s1", 2, "outside a function call"),
        ("min()", 0, "min() takes at least 1 argument (0 given)"),
        ("abs(s0, s1)", 0, "abs() takes exactly 1 argument (2 given)"),
        ("pow(s0)", 0, "pow() takes 2 or 3 arguments (1 given)"),
        ("round(s0, 1, 2)", 0, "round() takes 1 or 2 arguments (3 given)"),
        ("foo(s0)", 0, "unknown symbol 'foo'"),
        ("s0(1)", 2, "unexpected '('"),
        ("abs s0", 4, "expected '(' after 'abs'"),
        ("min(s0,)", 7, "expected an expression"),
        ("'inf'", 0, "only allowed as the argument of float()"),
        ("float('1.5')", 6, "expected 'inf', '-inf' or 'nan'"),
        ("float('inf' + 1)", 12, "expected ')' after the string"),
        ("float('inf)", 6, "unterminated string"),
        ("abs('inf')", 4, "only allowed as the argument of float()"),
        ("s0.real", 2, "unexpected character '.'"),
        ("s0[1]", 2, "unexpected character '['"),
        ("lambda: 1", 0, "keyword 'lambda'"),
        ("s0 if s1", 8, "expected 'else'"),
        ("s0 else s1", 3, "'else' without a matching 'if'"),
        ("s0 if s1 if s2 else s3 else s0", 9, "must be parenthesised"),
        ("s0 + not s1", 5, "'not' must be parenthesised"),
        ("s0 == not s1", 6, "'not' must be parenthesised"),
        ("s0 = 1", 3, "'='"),
        ("1x", 0, "invalid number literal"),
        ("0x10", 0, "invalid number literal"),
        ("007", 0, "leading zeros"),
        ("1.5.2", 0, "invalid number literal"),
        ("1e", 0, "invalid number literal"),
        ("s0 ! s1", 3, "unexpected character '!'"),
        ("s0 + é", 5, "unexpected character 'é'"),
        ("s0 @ s1", 3, "unexpected character '@'"),
        ("s0 ~ s1", 3, "expected an operator"),
        ("s0 + None", 5, "keyword 'None'"),
        ("s0 is s1", 3, "expected an operator"),
        ("s0 and", 6, "expected an expression"),
        ("((s0)", 5, "'(' at position 0 is not closed"),
        ("min(s0, (s1)", 12, "min() at position 0 is not closed"),
    ];
    for &(text, pos, msg) in cases {
        let mut a = env(4);
        match parse(&mut a, text) {
            Err(EngineError::Parse { pos: got, msg: m }) => {
                assert_eq!(got, pos, "position for {text:?} ({m})");
                assert!(m.contains(msg), "message for {text:?}: {m:?} lacks {msg:?}");
            }
            other => panic!("{text:?}: expected a parse error, got {other:?}"),
        }
    }
}

#[test]
fn build_errors_propagate() {
    let mut a = env(2);
    assert!(matches!(parse(&mut a, "1 // 0"), Err(EngineError::DivisionByZero(_))));
    assert!(matches!(parse(&mut a, "s0 % 0"), Err(EngineError::DivisionByZero(_))));
    assert!(matches!(parse(&mut a, "s0 and s1"), Err(EngineError::Type(_))));
    assert!(matches!(parse(&mut a, "s0 < s1 or 3"), Err(EngineError::Type(_))));
    assert!(matches!(
        parse(&mut a, "pow(s0, s1, 0)"),
        Err(EngineError::InvalidValue(_))
    ));
    assert!(matches!(parse(&mut a, "s0 << -1"), Err(EngineError::NegativeShift)));
    assert!(matches!(parse(&mut a, "1.5 & s0"), Err(EngineError::Type(_))));
    assert!(matches!(
        parse(&mut a, "2 ** 2 ** 2 ** 2 ** 2 ** 2"),
        Err(EngineError::TooLarge(_))
    ));
    let huge = "9".repeat(2_000_000);
    assert!(matches!(parse(&mut a, &huge), Err(EngineError::TooLarge(_))));
}

#[test]
fn python_syntax_details() {
    let mut a = env(4);
    let same = |a: &mut Arena, x: &str, y: &str| {
        let (tx, ty) = (p(a, x), p(a, y));
        assert_eq!(tx.value, ty.value, "{x:?} vs {y:?}");
    };
    same(&mut a, "-s0 ** 2", "-(s0 ** 2)");
    same(&mut a, "2 ** -s0", "2 ** (-s0)");
    same(&mut a, "s0 - s1 - s2", "(s0 - s1) - s2");
    same(&mut a, "s0 // s1 * s2", "(s0 // s1) * s2");
    same(&mut a, "s0 < s1 < s2", "s0 < s1 and s1 < s2");
    same(&mut a, "s0 < s1 == s2 != s3", "s0 < s1 and s1 == s2 and s2 != s3");
    same(&mut a, "not s0 < s1", "not (s0 < s1)");
    same(&mut a, "not s0 < s1 and s2 < s3", "(not (s0 < s1)) and (s2 < s3)");
    same(
        &mut a,
        "s0 < s1 or s2 < s3 and s0 < s3",
        "(s0 < s1) or ((s2 < s3) and (s0 < s3))",
    );
    same(&mut a, "s0 | s1 ^ s2 & s3", "s0 | (s1 ^ (s2 & s3))");
    same(&mut a, "s0 & s1 << s2 + s3", "s0 & (s1 << (s2 + s3))");
    same(
        &mut a,
        "s0 if s1 < 0 else s2 if s1 < 1 else s3",
        "s0 if s1 < 0 else (s2 if s1 < 1 else s3)",
    );
    same(&mut a, "s0 + s1 if s2 < 0 else s3", "(s0 + s1) if s2 < 0 else s3");
    same(&mut a, "s0 if not s1 < 0 else s2", "s0 if (not (s1 < 0)) else s2");
    same(&mut a, "min(s0 if s1 < 0 else s2, 3)", "min((s0 if s1 < 0 else s2), 3)");
    same(&mut a, "+s0", "s0");
    same(&mut a, "- - s0", "s0");
    same(&mut a, "~~s0", "s0");
    same(&mut a, " (\ts0\n+ 1 ) ", "s0 + 1");
    same(&mut a, "float(\"inf\")", "float('INFINITY')");
    same(&mut a, "float('+inf')", "float('inf')");
    same(&mut a, "1E3", "1000.0");
    same(&mut a, "00", "0");
    same(&mut a, "round(s0)", "s0");
    same(&mut a, "int(s0)", "s0");
    same(&mut a, "float(s0) * 2", "float(s0) * (1 + 1)");
    // Big sums, products and conjunctions parse in one go.
    same(&mut a, "s0 - s1 + s2 - s3 + 1 - 2", "-1 + s0 + s2 - (s1 + s3)");
    same(&mut a, "2*s0*3*s1*s0", "6*s1*s0**2");
    same(
        &mut a,
        "s0 < 1 and s1 < 1 and s2 < 1 and s3 < 1",
        "(s3 < 1 and s2 < 1) and (s1 < 1 and s0 < 1)",
    );
    // Checks are those of the computation.
    let t = p(&mut a, "s0 // s1 * 0");
    assert_eq!(t.value, a.int(0.into()).unwrap());
    assert!(t.checks.is_some());
}

#[test]
fn deep_nesting_prints_and_parses() {
    let mut a = env(1);
    let s0 = sym(&a, "s0");
    let three = a.int_term(3).unwrap();
    let mut x = s0;
    for _ in 0..100_000 {
        let y = a.binary(BinOp::Add, x, s0).unwrap();
        let y = a.unary(UnOp::Abs, y).unwrap();
        x = a.binary(BinOp::FloorDiv, y, three).unwrap();
    }
    let text = print(&a, x.value).unwrap();
    assert!(text.starts_with("abs(abs(abs("));
    assert_eq!(parse(&mut a, &text).unwrap().value, x.value);

    let n = 100_000;
    let text = format!("{}s0{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(parse(&mut a, &text).unwrap().value, s0.value);
    let text = format!("{}s0{}", "abs(".repeat(n), ")".repeat(n));
    let t = parse(&mut a, &text).unwrap();
    assert_eq!(print(&a, t.value).unwrap(), "abs(s0)");
    let text = format!("{}s0", "-".repeat(n));
    assert_eq!(parse(&mut a, &text).unwrap().value, s0.value);
    let text = format!("{}s0", "not ".repeat(n + 1));
    let t = parse(&mut a, &text).unwrap();
    assert_eq!(print(&a, t.value).unwrap(), "s0 == 0");
    let text = format!("{}s0{}", "(s0 + ".repeat(n), ")".repeat(n));
    let t = parse(&mut a, &text).unwrap();
    assert_eq!(print(&a, t.value).unwrap(), format!("{}*s0", n + 1));
    // A float chain nests to the left.
    let mut f = a.unary(UnOp::ToFloat, s0).unwrap();
    let half = Term::total(a.float(0.5).unwrap());
    for _ in 0..n {
        f = a.binary(BinOp::Sub, f, half).unwrap();
        f = a.binary(BinOp::Mul, half, f).unwrap();
    }
    round_trip(&mut a, f.value);
}

#[test]
fn long_chains_parse_fast() {
    let n = 50_000;
    let mut a = env(n);
    let text = (0..n)
        .map(|i| format!("{}*s{i}", i + 1))
        .collect::<Vec<_>>()
        .join(" - ");
    let t = p(&mut a, &text);
    let out = round_trip(&mut a, t.value);
    assert!(out.starts_with("s0 - 2*s1 - 11*s10 - 101*s100 - "), "{}", &out[..80]);
    assert!(
        out.ends_with(" - 9999*s9998 - 10000*s9999"),
        "{}",
        &out[out.len() - 80..]
    );
    let text = (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>().join("*");
    let t = p(&mut a, &text);
    round_trip(&mut a, t.value);
    let text = (0..n).map(|i| format!("s{i} < {i}")).collect::<Vec<_>>().join(" and ");
    let t = p(&mut a, &text);
    round_trip(&mut a, t.value);
    let text = format!(
        "min({})",
        (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>().join(", ")
    );
    let t = p(&mut a, &text);
    round_trip(&mut a, t.value);
}

#[test]
fn exponential_sharing_hits_the_size_limit() {
    let mut a = env(1);
    let one = a.int_term(1).unwrap();
    let mut x = sym(&a, "s0");
    for _ in 0..100 {
        let y = a.binary(BinOp::Add, x, one).unwrap();
        x = a.min_max_terms(&[x, y], true).unwrap();
    }
    match print(&a, x.value) {
        Err(EngineError::TooLarge(msg)) => assert!(msg.contains("limit"), "{msg}"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // Moderate sharing still prints, and reads back.
    let mut a = env(1);
    let one = a.int_term(1).unwrap();
    let mut x = sym(&a, "s0");
    for _ in 0..8 {
        let y = a.binary(BinOp::Add, x, one).unwrap();
        x = a.min_max_terms(&[x, y], true).unwrap();
    }
    round_trip(&mut a, x.value);
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// A random expression of the language (any sorts mixed: many fail to build, which is fine).
fn random_text(r: &mut Rng, depth: usize) -> String {
    const ATOMS: &[&str] = &[
        "s0",
        "s1",
        "s2",
        "s3",
        "0",
        "1",
        "2",
        "3",
        "7",
        "12345678901234567890123",
        "0.5",
        "2.0",
        "1e-07",
        "1e+300",
        "True",
        "False",
        "float('inf')",
        "float('nan')",
        "-0.0",
    ];
    const BIN: &[&str] = &[
        " + ", " - ", "*", " / ", " // ", " % ", "**", " << ", " >> ", " & ", " | ", " ^ ", " == ", " != ", " < ",
        " <= ", " > ", " >= ", " and ", " or ",
    ];
    if depth == 0 || r.below(4) == 0 {
        return r.pick(ATOMS).to_owned();
    }
    let mut sub = || random_text(r, depth - 1);
    let (a, b, c) = (sub(), sub(), sub());
    match r.below(12) {
        0..=4 => format!("({a}{}{b})", r.pick(BIN)),
        5 => format!("{}({a})", r.pick(&["-", "+", "~", "not "])),
        6 => format!("({a} if {b} else {c})"),
        7 => format!("{}({a}, {b})", r.pick(&["min", "max", "pow", "round"])),
        8 => format!("{}({a}, {b}, {c})", r.pick(&["min", "max", "pow"])),
        9 => format!(
            "{}({a})",
            r.pick(&["abs", "float", "int", "floor", "ceil", "trunc", "round"])
        ),
        10 => format!(
            "({a}{}{b}{}{c})",
            r.pick(&[" < ", " <= ", " == "]),
            r.pick(&[" < ", " != ", " >= "])
        ),
        _ => format!("({a}{}{b}{}{c})", r.pick(BIN), r.pick(BIN)),
    }
}

#[test]
fn random_texts_round_trip() {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let mut built = 0;
    let rounds: usize = std::env::var("SYMCORE_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    for _ in 0..rounds {
        let mut a = env(4);
        let text = random_text(&mut r, 5);
        if let Ok(t) = parse(&mut a, &text) {
            built += 1;
            round_trip(&mut a, t.value);
        }
    }
    assert!(built > 500, "only {built} random texts built");
}

#[test]
fn token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "s0", "s1", "x", "1", "0", "1.5", "1e", ".5", "(", ")", ",", "+", "-", "*", "/", "//", "%", "**", "<<", ">>",
        "&", "|", "^", "~", "==", "!=", "<", "<=", ">", ">=", "=", "!", "not", "and", "or", "if", "else", "True",
        "min", "max", "abs", "pow", "float", "round", "'inf'", "\"nan\"", "'", "é", "[", ".", " ", "lambda", "00",
    ];
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let n = r.below(12);
        let text: String = (0..n)
            .map(|_| r.pick(TOKENS))
            .collect::<Vec<_>>()
            .join(if r.below(2) == 0 { "" } else { " " });
        let mut a = env(2);
        if let Ok(t) = parse(&mut a, &text) {
            round_trip(&mut a, t.value);
        }
    }
}

#[test]
fn long_mixed_chains_parse_fast() {
    let n = 50_000;
    let mut a = env(n);
    // An int run folded onto a float: the int prefix must not be summed one term at a time.
    let text = format!(
        "{} + 1.5 - s0",
        (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>().join(" + ")
    );
    let t = p(&mut a, &text);
    assert!(matches!(a.node(t.value), Node::FloatBin(..)));
    let out = round_trip(&mut a, t.value);
    assert!(out.ends_with(" + s9999 + 1.5 - s0"), "{}", &out[out.len() - 40..]);
    let text = format!(
        "2*{}*1.5*s1",
        (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>().join("*")
    );
    let t = p(&mut a, &text);
    round_trip(&mut a, t.value);
    let text = format!(
        "{} // s1 * s2",
        (0..n).map(|i| format!("s{i}")).collect::<Vec<_>>().join("*")
    );
    let t = p(&mut a, &text);
    round_trip(&mut a, t.value);
}
