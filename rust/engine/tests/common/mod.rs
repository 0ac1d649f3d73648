//! Shared by the integration tests: a small deterministic generator of random expressions.

use symcore_engine::{Arena, BinOp, Node, Term, UnOp};

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// True when a symbolic power is reachable from `t`.
fn has_symbolic_pow(arena: &Arena, t: Term) -> bool {
    let mut stack = vec![t.value];
    let mut seen = vec![false; arena.len()];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        if matches!(arena.node(id), Node::Pow(..)) {
            return true;
        }
        arena.node(id).for_each_child(|c| stack.push(c));
    }
    false
}

/// One random operation on terms of `pool`, whose first three terms are the symbols (`None`
/// when the arena refuses it, e.g. `x // 0`).
pub fn random_op(arena: &mut Arena, rng: &mut Rng, pool: &[Term]) -> Option<Term> {
    // Prefer recent terms, so expressions nest.
    let pick = |rng: &mut Rng| {
        let n = pool.len();
        let i = if rng.below(2) == 0 {
            n - 1 - rng.below(n.min(4))
        } else {
            rng.below(n)
        };
        pool[i]
    };
    let a = pick(rng);
    let b = pick(rng);
    let small = |arena: &mut Arena, rng: &mut Rng, lo: i64, hi: i64| arena.int_term(rng.between(lo, hi)).unwrap();
    let op = rng.below(27);
    let r = match op {
        0 | 1 => arena.binary(BinOp::Add, a, b),
        2 => arena.binary(BinOp::Sub, a, b),
        3 | 4 => arena.binary(BinOp::Mul, a, b),
        5 => {
            let k = small(arena, rng, -4, 4);
            arena.binary(BinOp::Mul, a, k)
        }
        6 => arena.binary(BinOp::FloorDiv, a, b),
        7 => {
            let k = small(arena, rng, -5, 9);
            arena.binary(BinOp::FloorDiv, a, k)
        }
        8 => arena.binary(BinOp::Mod, a, b),
        9 => {
            let k = small(arena, rng, -5, 9);
            arena.binary(BinOp::Mod, a, k)
        }
        10 => {
            let k = small(arena, rng, 0, 4);
            arena.binary(BinOp::Pow, a, k)
        }
        11 => {
            // A symbolic exponent: a symbol, on a base without a symbolic power, so that no
            // binding evaluates a tower like `7 ** 7 ** 7` (millions of bits).
            if has_symbolic_pow(arena, a) {
                return None;
            }
            let n = pool[rng.below(3)];
            arena.binary(BinOp::Pow, a, n)
        }
        12 => arena.binary(BinOp::Min, a, b),
        13 => arena.binary(BinOp::Max, a, b),
        14 => {
            let c = pick(rng);
            arena.min_max_terms(&[a, b, c], rng.below(2) == 0)
        }
        15 => arena.unary(UnOp::Abs, a),
        16 => arena.unary(UnOp::Neg, a),
        17 => arena.unary(UnOp::Invert, a),
        18 => arena.binary(BinOp::BitAnd, a, b),
        19 => arena.binary(BinOp::BitOr, a, b),
        20 => arena.binary(BinOp::BitXor, a, b),
        21 => arena.binary(BinOp::LShift, a, b),
        22 => arena.binary(BinOp::RShift, a, b),
        23 => {
            let m = pick(rng);
            arena.pow_mod_term(a, b, m)
        }
        24 | 25 => {
            let cmp = [BinOp::Lt, BinOp::Le, BinOp::Eq, BinOp::Ne, BinOp::Gt, BinOp::Ge][rng.below(6)];
            let c = arena.binary(cmp, a, b);
            if op == 24 {
                // A comparison as a value (checked with `known_truth`).
                c
            } else {
                let (x, y) = (pick(rng), pick(rng));
                c.and_then(|c| arena.ite_term(c, x, y))
            }
        }
        _ => {
            let k = small(arena, rng, -3, 3);
            arena.binary(BinOp::Add, a, k)
        }
    };
    r.ok()
}

/// Every binding of `ranges` (all finite and small), in order.
pub fn bindings(ranges: &[(i64, i64)]) -> Vec<Vec<i64>> {
    let mut out = vec![Vec::new()];
    for &(lo, hi) in ranges {
        out = out
            .into_iter()
            .flat_map(|b| {
                (lo..=hi).map(move |v| {
                    let mut b = b.clone();
                    b.push(v);
                    b
                })
            })
            .collect();
    }
    out
}
