//! The parser: reads the printed language (Python expression syntax) back into a [`Term`],
//! building every node through the arena's operations, so the result is canonical and carries
//! the same checks as the computation the text describes. It never evaluates code.
//!
//! An operator-precedence parser with explicit stacks: nesting depth costs heap, never native
//! stack. Runs of one left-associative operator (`a + b - c + ...`, `a*b*c`, `a and b and ...`)
//! are collected and, when the operation is associative on the operands at hand, combined as a
//! balanced tree, so a sum of a million terms parses in `O(n log n)` instead of `O(n²)`.

use crate::arena::{Arena, Term};
use crate::error::{EngineError, Result};
use crate::node::{Node, Sort};
use crate::num::{Integer, MAX_INT_BITS};
use crate::ops::{BinOp, UnOp};
use crate::print::{P_ADD, P_AND, P_BAND, P_BOR, P_BXOR, P_CMP, P_MUL, P_NOT, P_OR, P_POW, P_SHIFT, P_UNARY};

/// Parses the printed language.
pub fn parse(arena: &mut Arena, text: &str) -> Result<Term> {
    Parser {
        arena,
        lx: Lexer { text, pos: 0 },
        ops: Vec::new(),
        vals: Vec::new(),
    }
    .run()
}

fn error<T>(pos: usize, msg: impl Into<String>) -> Result<T> {
    Err(EngineError::Parse { pos, msg: msg.into() })
}

fn internal(pos: usize) -> EngineError {
    EngineError::Parse {
        pos,
        msg: "internal parser error".into(),
    }
}

/// Python keywords other than those the language uses; none can be a symbol.
const KEYWORDS: &[&str] = &[
    "None", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "except", "finally",
    "for", "from", "global", "import", "in", "is", "lambda", "nonlocal", "pass", "raise", "return", "try", "while",
    "with", "yield", "and", "or", "if", "else",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Int(&'a str),
    Float(&'a str),
    Name(&'a str),
    /// A string literal's contents.
    Str(&'a str),
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    DSlash,
    Percent,
    DStar,
    Shl,
    Shr,
    Amp,
    Pipe,
    Caret,
    Tilde,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

fn describe(tok: Tok<'_>) -> String {
    let s = match tok {
        Tok::Int(_) | Tok::Float(_) => return "a number".into(),
        Tok::Name(n) => return format!("'{n}'"),
        Tok::Str(_) => return "a string".into(),
        Tok::End => return "the end of the input".into(),
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::DSlash => "//",
        Tok::Percent => "%",
        Tok::DStar => "**",
        Tok::Shl => "<<",
        Tok::Shr => ">>",
        Tok::Amp => "&",
        Tok::Pipe => "|",
        Tok::Caret => "^",
        Tok::Tilde => "~",
        Tok::EqEq => "==",
        Tok::NotEq => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
    };
    format!("'{s}'")
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn byte(&self, i: usize) -> Option<u8> {
        self.text.as_bytes().get(i).copied()
    }

    fn digits(&self, mut i: usize) -> usize {
        while self.byte(i).is_some_and(|b| b.is_ascii_digit()) {
            i += 1;
        }
        i
    }

    fn slice(&self, a: usize, b: usize) -> Result<&'a str> {
        self.text.get(a..b).ok_or_else(|| internal(a))
    }

    /// The next token and its byte offset.
    fn next(&mut self) -> Result<(usize, Tok<'a>)> {
        while self
            .byte(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c))
        {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(c) = self.byte(start) else {
            return Ok((start, Tok::End));
        };
        let next = self.byte(start + 1);
        let (tok, len) = match c {
            b'0'..=b'9' => return self.number(start),
            b'.' if next.is_some_and(|b| b.is_ascii_digit()) => return self.number(start),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let mut i = start + 1;
                while self.byte(i).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    i += 1;
                }
                if self.byte(i).is_some_and(|b| !b.is_ascii()) {
                    return error(start, "names must be ASCII identifiers");
                }
                self.pos = i;
                return Ok((start, Tok::Name(self.slice(start, i)?)));
            }
            b'\'' | b'"' => return self.string(start, c),
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b',' => (Tok::Comma, 1),
            b'+' => (Tok::Plus, 1),
            b'-' => (Tok::Minus, 1),
            b'*' if next == Some(b'*') => (Tok::DStar, 2),
            b'*' => (Tok::Star, 1),
            b'/' if next == Some(b'/') => (Tok::DSlash, 2),
            b'/' => (Tok::Slash, 1),
            b'%' => (Tok::Percent, 1),
            b'<' if next == Some(b'<') => (Tok::Shl, 2),
            b'<' if next == Some(b'=') => (Tok::Le, 2),
            b'<' => (Tok::Lt, 1),
            b'>' if next == Some(b'>') => (Tok::Shr, 2),
            b'>' if next == Some(b'=') => (Tok::Ge, 2),
            b'>' => (Tok::Gt, 1),
            b'=' if next == Some(b'=') => (Tok::EqEq, 2),
            b'!' if next == Some(b'=') => (Tok::NotEq, 2),
            b'&' => (Tok::Amp, 1),
            b'|' => (Tok::Pipe, 1),
            b'^' => (Tok::Caret, 1),
            b'~' => (Tok::Tilde, 1),
            b'=' => {
                return error(
                    start,
                    "unexpected '=': assignment is not an expression (use '==' to compare)",
                )
            }
            _ => {
                let ch = self.text.get(start..).and_then(|s| s.chars().next()).unwrap_or('?');
                return error(start, format!("unexpected character {ch:?}"));
            }
        };
        self.pos = start + len;
        Ok((start, tok))
    }

    /// A decimal integer or a float literal (`1`, `1.5`, `.5`, `1.`, `1e+300`, `1e-07`).
    fn number(&mut self, start: usize) -> Result<(usize, Tok<'a>)> {
        let mut i = self.digits(start);
        let int_end = i;
        let mut is_float = false;
        if self.byte(i) == Some(b'.') {
            is_float = true;
            i = self.digits(i + 1);
        }
        if matches!(self.byte(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(self.byte(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if self.byte(j).is_some_and(|b| b.is_ascii_digit()) {
                is_float = true;
                i = self.digits(j);
            }
        }
        if self
            .byte(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || !b.is_ascii())
        {
            let mut j = i;
            while self
                .byte(j)
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            {
                j += 1;
            }
            let shown = self.text.get(start..j).unwrap_or("");
            let shown = if shown.len() > 40 { "the number" } else { shown };
            return error(
                start,
                format!("invalid number literal {shown:?}: expected a decimal integer or a float"),
            );
        }
        self.pos = i;
        let text = self.slice(start, i)?;
        if is_float {
            return Ok((start, Tok::Float(text)));
        }
        debug_assert_eq!(int_end, i);
        if text.len() > 1 && text.starts_with('0') && text.bytes().any(|b| b != b'0') {
            return error(start, "leading zeros in decimal integer literals are not permitted");
        }
        Ok((start, Tok::Int(text)))
    }

    /// `'...'` or `"..."` without escapes.
    fn string(&mut self, start: usize, quote: u8) -> Result<(usize, Tok<'a>)> {
        let mut i = start + 1;
        loop {
            match self.byte(i) {
                None | Some(b'\n' | b'\r') => return error(start, "unterminated string literal"),
                Some(b'\\') => return error(i, "escape sequences are not supported in strings"),
                Some(b) if b == quote => break,
                Some(_) => i += 1,
            }
        }
        self.pos = i + 1;
        Ok((start, Tok::Str(self.slice(start + 1, i)?)))
    }
}

/// The functions the language can call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Func {
    Min,
    Max,
    Abs,
    Pow,
    Float,
    Int,
    Floor,
    Ceil,
    Trunc,
    Round,
}

impl Func {
    fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "min" => Func::Min,
            "max" => Func::Max,
            "abs" => Func::Abs,
            "pow" => Func::Pow,
            "float" => Func::Float,
            "int" => Func::Int,
            "floor" => Func::Floor,
            "ceil" => Func::Ceil,
            "trunc" => Func::Trunc,
            "round" => Func::Round,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Func::Min => "min",
            Func::Max => "max",
            Func::Abs => "abs",
            Func::Pow => "pow",
            Func::Float => "float",
            Func::Int => "int",
            Func::Floor => "floor",
            Func::Ceil => "ceil",
            Func::Trunc => "trunc",
            Func::Round => "round",
        }
    }
}

/// What a name in operand position turned out to be.
enum NameKind {
    /// A value (symbol or constant): an operator comes next.
    Operand,
    /// `not`: an operand still comes next.
    Prefix,
    /// A function name and its `(`: the first argument comes next.
    Call,
}

/// An entry of the operator stack.
#[derive(Debug)]
enum Item {
    /// A grouping `(` at this position.
    Paren(usize),
    /// `func(` with the function name at `pos`; `nargs` arguments completed so far.
    Call { func: Func, pos: usize, nargs: usize },
    /// A prefix operator (`-`, `+`, `~` at [`P_UNARY`], `not` at [`P_NOT`]).
    Unary { op: UnOp, level: u8 },
    /// `**` (right-associative).
    Pow,
    /// A run of left-associative operators of one level; its operands are the top
    /// `ops.len() + 1` values.
    Chain { level: u8, ops: Vec<BinOp> },
    /// A run of comparisons (`a < b <= c` is `a < b and b <= c`).
    Cmp { ops: Vec<BinOp> },
    /// `x if` at this position, waiting for `else`.
    If(usize),
    /// `x if c else`, waiting for the last operand.
    Else,
}

impl Item {
    /// Precedence of an operator entry; `None` for the entries that bound a reduction.
    fn level(&self) -> Option<u8> {
        match self {
            Item::Paren(_) | Item::Call { .. } | Item::If(_) => None,
            Item::Unary { level, .. } | Item::Chain { level, .. } => Some(*level),
            Item::Pow => Some(P_POW),
            Item::Cmp { .. } => Some(P_CMP),
            Item::Else => Some(0),
        }
    }
}

struct Parser<'a, 'b> {
    arena: &'b mut Arena,
    lx: Lexer<'a>,
    ops: Vec<Item>,
    vals: Vec<Term>,
}

impl Parser<'_, '_> {
    fn run(mut self) -> Result<Term> {
        let mut expect_operand = true;
        // The previous token was the `(` of a call / the string argument of `float(`.
        let mut call_opened = false;
        let mut after_string = false;
        loop {
            let (pos, tok) = self.lx.next()?;
            if std::mem::take(&mut after_string) && tok != Tok::RParen {
                return error(
                    pos,
                    format!(
                        "expected ')' after the string argument of float(), found {}",
                        describe(tok)
                    ),
                );
            }
            let opened = std::mem::take(&mut call_opened);
            if expect_operand {
                match tok {
                    Tok::Int(s) => self.int_literal(pos, s)?,
                    Tok::Float(s) => {
                        let v: f64 = s.parse().map_err(|_| EngineError::Parse {
                            pos,
                            msg: "invalid float literal".into(),
                        })?;
                        let id = self.arena.float(v)?;
                        self.vals.push(Term::total(id));
                    }
                    Tok::Str(s) => {
                        if !(opened && matches!(self.ops.last(), Some(Item::Call { func: Func::Float, .. }))) {
                            return error(
                                pos,
                                "a string is only allowed as the argument of float(): float('inf'), float('-inf') or \
                                 float('nan')",
                            );
                        }
                        let Some(v) = special_float(s) else {
                            return error(pos, "expected 'inf', '-inf' or 'nan' as the string argument of float()");
                        };
                        let id = self.arena.float(v)?;
                        self.vals.push(Term::total(id));
                        after_string = true;
                    }
                    Tok::Name(name) => match self.name(pos, name)? {
                        NameKind::Operand => {}
                        NameKind::Prefix => continue,
                        NameKind::Call => {
                            call_opened = true;
                            continue;
                        }
                    },
                    Tok::LParen => {
                        self.ops.push(Item::Paren(pos));
                        continue;
                    }
                    Tok::Minus | Tok::Plus | Tok::Tilde => {
                        let op = match tok {
                            Tok::Minus => UnOp::Neg,
                            Tok::Plus => UnOp::Pos,
                            _ => UnOp::Invert,
                        };
                        self.ops.push(Item::Unary { op, level: P_UNARY });
                        continue;
                    }
                    Tok::RParen if opened => {
                        // `f()`: let the call report its arity.
                        self.close(pos, 0)?;
                    }
                    other => return error(pos, format!("expected an expression, found {}", describe(other))),
                }
                expect_operand = false;
            } else {
                let (op, level) =
                    match tok {
                        Tok::Pipe => (BinOp::BitOr, P_BOR),
                        Tok::Caret => (BinOp::BitXor, P_BXOR),
                        Tok::Amp => (BinOp::BitAnd, P_BAND),
                        Tok::Shl => (BinOp::LShift, P_SHIFT),
                        Tok::Shr => (BinOp::RShift, P_SHIFT),
                        Tok::Plus => (BinOp::Add, P_ADD),
                        Tok::Minus => (BinOp::Sub, P_ADD),
                        Tok::Star => (BinOp::Mul, P_MUL),
                        Tok::Slash => (BinOp::TrueDiv, P_MUL),
                        Tok::DSlash => (BinOp::FloorDiv, P_MUL),
                        Tok::Percent => (BinOp::Mod, P_MUL),
                        Tok::Name("and") => (BinOp::And, P_AND),
                        Tok::Name("or") => (BinOp::Or, P_OR),
                        Tok::DStar => {
                            // Right-associative, and binds tighter than a prefix operator on its left.
                            self.ops.push(Item::Pow);
                            expect_operand = true;
                            continue;
                        }
                        Tok::EqEq | Tok::NotEq | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => {
                            let op = match tok {
                                Tok::EqEq => BinOp::Eq,
                                Tok::NotEq => BinOp::Ne,
                                Tok::Lt => BinOp::Lt,
                                Tok::Le => BinOp::Le,
                                Tok::Gt => BinOp::Gt,
                                _ => BinOp::Ge,
                            };
                            self.reduce_above(P_CMP, pos)?;
                            match self.ops.last_mut() {
                                Some(Item::Cmp { ops }) => ops.push(op),
                                _ => self.ops.push(Item::Cmp { ops: vec![op] }),
                            }
                            expect_operand = true;
                            continue;
                        }
                        Tok::Name("if") => {
                            self.reduce_above(0, pos)?;
                            if matches!(self.ops.last(), Some(Item::If(_))) {
                                return error(pos, "a conditional expression inside a condition must be parenthesised");
                            }
                            self.ops.push(Item::If(pos));
                            expect_operand = true;
                            continue;
                        }
                        Tok::Name("else") => {
                            self.reduce_above(0, pos)?;
                            if !matches!(self.ops.last(), Some(Item::If(_))) {
                                return error(pos, "'else' without a matching 'if'");
                            }
                            self.ops.pop();
                            self.ops.push(Item::Else);
                            expect_operand = true;
                            continue;
                        }
                        Tok::RParen => {
                            self.close(pos, 1)?;
                            continue;
                        }
                        Tok::Comma => {
                            self.reduce_all(pos)?;
                            match self.ops.last_mut() {
                                Some(Item::Call { nargs, .. }) => *nargs += 1,
                                Some(Item::Paren(_)) => return error(pos, "unexpected ',': tuples are not supported"),
                                _ => return error(pos, "unexpected ',' outside a function call"),
                            }
                            expect_operand = true;
                            continue;
                        }
                        Tok::End => return self.end(pos),
                        Tok::LParen => return error(
                            pos,
                            "unexpected '(': only min, max, abs, pow, float, int, floor, ceil, trunc and round can \
                             be called",
                        ),
                        other => {
                            return error(
                                pos,
                                format!(
                                    "expected an operator or the end of the input, found {}",
                                    describe(other)
                                ),
                            )
                        }
                    };
                self.reduce_above(level, pos)?;
                match self.ops.last_mut() {
                    Some(Item::Chain { level: l, ops }) if *l == level => ops.push(op),
                    _ => self.ops.push(Item::Chain { level, ops: vec![op] }),
                }
                expect_operand = true;
            }
        }
    }

    /// A name where an operand is expected.
    fn name(&mut self, pos: usize, name: &str) -> Result<NameKind> {
        match name {
            "True" | "False" => {
                let id = self.arena.boolean(name == "True")?;
                self.vals.push(Term::total(id));
                return Ok(NameKind::Operand);
            }
            "not" => {
                if self.operand_level() > P_NOT {
                    return error(pos, "'not' must be parenthesised here");
                }
                self.ops.push(Item::Unary {
                    op: UnOp::Not,
                    level: P_NOT,
                });
                return Ok(NameKind::Prefix);
            }
            _ => {}
        }
        if let Some(func) = Func::from_name(name) {
            let (p, t) = self.lx.next()?;
            if t != Tok::LParen {
                return error(p, format!("expected '(' after '{name}', found {}", describe(t)));
            }
            self.ops.push(Item::Call { func, pos, nargs: 0 });
            return Ok(NameKind::Call);
        }
        if KEYWORDS.contains(&name) {
            return error(pos, format!("expected an expression, found the keyword '{name}'"));
        }
        match self.arena.symbol_by_name(name) {
            Some(s) => {
                let id = self.arena.symbol_node(s);
                self.vals.push(Term::total(id));
                Ok(NameKind::Operand)
            }
            None => error(pos, format!("unknown symbol '{name}'")),
        }
    }

    /// The least precedence an operand may have where the next operand goes (`not x` is only
    /// allowed where a `not` expression is).
    fn operand_level(&self) -> u8 {
        match self.ops.last() {
            None | Some(Item::Paren(_) | Item::Call { .. } | Item::Else) => 0,
            Some(Item::If(_)) => P_OR,
            Some(Item::Unary { level, .. }) => *level,
            Some(Item::Pow) => P_UNARY,
            Some(Item::Chain { level, .. }) => level + 1,
            Some(Item::Cmp { .. }) => P_CMP + 1,
        }
    }

    fn int_literal(&mut self, pos: usize, s: &str) -> Result<()> {
        // ceil(MAX_INT_BITS * log10(2)) digits at most.
        let max_digits = usize::try_from(MAX_INT_BITS * 30103 / 100_000 + 2).unwrap_or(usize::MAX);
        let too_large = || {
            EngineError::TooLarge(format!(
                "integer literal at position {pos} exceeds the limit of {MAX_INT_BITS} bits"
            ))
        };
        if s.len() > max_digits {
            return Err(too_large());
        }
        let v = Integer::parse_decimal(s).ok_or_else(|| EngineError::Parse {
            pos,
            msg: "invalid integer".into(),
        })?;
        if v.bits() > MAX_INT_BITS {
            return Err(too_large());
        }
        let id = self.arena.int(v)?;
        self.vals.push(Term::total(id));
        Ok(())
    }

    fn pop(&mut self, pos: usize) -> Result<Term> {
        self.vals.pop().ok_or_else(|| internal(pos))
    }

    fn pop_n(&mut self, n: usize, pos: usize) -> Result<Vec<Term>> {
        let at = self.vals.len().checked_sub(n).ok_or_else(|| internal(pos))?;
        Ok(self.vals.split_off(at))
    }

    /// Applies the operators on top of the stack that bind tighter than `level`.
    fn reduce_above(&mut self, level: u8, pos: usize) -> Result<()> {
        while self.ops.last().and_then(Item::level).is_some_and(|l| l > level) {
            self.reduce_one(pos)?;
        }
        Ok(())
    }

    /// Applies every operator down to the nearest parenthesis, call or unfinished `if`; an
    /// unfinished `if` is an error.
    fn reduce_all(&mut self, pos: usize) -> Result<()> {
        while self.ops.last().and_then(Item::level).is_some() {
            self.reduce_one(pos)?;
        }
        if let Some(Item::If(p)) = self.ops.last() {
            return error(pos, format!("expected 'else' for the 'if' at position {p}"));
        }
        Ok(())
    }

    fn reduce_one(&mut self, pos: usize) -> Result<()> {
        let item = self.ops.pop().ok_or_else(|| internal(pos))?;
        let t = match item {
            Item::Unary { op, .. } => {
                let a = self.pop(pos)?;
                self.arena.unary(op, a)?
            }
            Item::Pow => {
                let b = self.pop(pos)?;
                let a = self.pop(pos)?;
                self.arena.binary(BinOp::Pow, a, b)?
            }
            Item::Chain { level, ops } => {
                let operands = self.pop_n(ops.len() + 1, pos)?;
                self.chain(level, &ops, operands, pos)?
            }
            Item::Cmp { ops } => {
                let operands = self.pop_n(ops.len() + 1, pos)?;
                let mut acc: Option<Term> = None;
                for (i, &op) in ops.iter().enumerate() {
                    let (Some(&a), Some(&b)) = (operands.get(i), operands.get(i + 1)) else {
                        return Err(internal(pos));
                    };
                    let c = self.arena.binary(op, a, b)?;
                    acc = Some(match acc {
                        None => c,
                        Some(prev) => self.arena.binary(BinOp::And, prev, c)?,
                    });
                }
                acc.ok_or_else(|| internal(pos))?
            }
            Item::Else => {
                let other = self.pop(pos)?;
                let cond = self.pop(pos)?;
                let then = self.pop(pos)?;
                self.arena.ite_term(cond, then, other)?
            }
            Item::Paren(_) | Item::Call { .. } | Item::If(_) => return Err(internal(pos)),
        };
        self.vals.push(t);
        Ok(())
    }

    /// `operands[0] ops[0] operands[1] ops[1] ...`, folded left as Python does. The longest
    /// prefix on which the grouping cannot matter (exact integer sums, products of scaled
    /// monomials, and/or of booleans: their canonical forms do not depend on it) is combined as
    /// a balanced tree, which keeps long runs `O(n log n)`; the rest folds left onto it.
    fn chain(&mut self, level: u8, ops: &[BinOp], operands: Vec<Term>, pos: usize) -> Result<Term> {
        let arena = &*self.arena;
        let qualifies = |i: usize, t: &Term| {
            let op = if i == 0 { None } else { ops.get(i - 1).copied() };
            let v = t.value;
            match level {
                P_ADD => arena.sort(v) == Sort::Int,
                P_MUL => {
                    op.is_none_or(|o| o == BinOp::Mul)
                        && arena.sort(v) == Sort::Int
                        && match arena.node(v) {
                            Node::Sum { constant, terms } => constant.is_zero() && terms.len() == 1,
                            _ => true,
                        }
                }
                P_AND | P_OR => arena.sort(v) == Sort::Bool,
                _ => false,
            }
        };
        let prefix = operands
            .iter()
            .enumerate()
            .take_while(|&(i, t)| qualifies(i, t))
            .count();
        let mut it = operands.into_iter();
        let mut acc = if prefix >= 3 {
            let mut items = Vec::with_capacity(prefix);
            for (i, t) in it.by_ref().take(prefix).enumerate() {
                let negate = level == P_ADD && i > 0 && ops.get(i - 1) == Some(&BinOp::Sub);
                items.push(if negate { self.arena.unary(UnOp::Neg, t)? } else { t });
            }
            let op = match level {
                P_ADD => BinOp::Add,
                P_MUL => BinOp::Mul,
                _ => ops.first().copied().ok_or_else(|| internal(pos))?,
            };
            self.balanced(op, items, pos)?
        } else {
            it.next().ok_or_else(|| internal(pos))?
        };
        let skip = if prefix >= 3 { prefix - 1 } else { 0 };
        for (&op, t) in ops.iter().skip(skip).zip(it) {
            acc = self.arena.binary(op, acc, t)?;
        }
        Ok(acc)
    }

    fn balanced(&mut self, op: BinOp, mut items: Vec<Term>, pos: usize) -> Result<Term> {
        while items.len() > 1 {
            let mut next = Vec::with_capacity(items.len().div_ceil(2));
            let mut it = items.into_iter();
            while let Some(a) = it.next() {
                next.push(match it.next() {
                    Some(b) => self.arena.binary(op, a, b)?,
                    None => a,
                });
            }
            items = next;
        }
        items.pop().ok_or_else(|| internal(pos))
    }

    /// A `)`: closes a group or a call (`completed` is 1 when an argument just ended, 0 for `f()`).
    fn close(&mut self, pos: usize, completed: usize) -> Result<()> {
        self.reduce_all(pos)?;
        match self.ops.pop() {
            Some(Item::Paren(_)) => Ok(()),
            Some(Item::Call { func, pos: fpos, nargs }) => {
                let t = self.call(func, fpos, nargs + completed)?;
                self.vals.push(t);
                Ok(())
            }
            None => error(pos, "unmatched ')'"),
            Some(_) => Err(internal(pos)),
        }
    }

    fn call(&mut self, func: Func, pos: usize, nargs: usize) -> Result<Term> {
        let name = func.name();
        let arity_error = |expected: &str| error(pos, format!("{name}() takes {expected} ({nargs} given)"));
        let args = self.pop_n(nargs, pos)?;
        let one = |op: UnOp, arena: &mut Arena| -> Result<Term> {
            match args.as_slice() {
                [a] => arena.unary(op, *a),
                _ => arity_error("exactly 1 argument"),
            }
        };
        match func {
            Func::Min | Func::Max => {
                if args.is_empty() {
                    return arity_error("at least 1 argument");
                }
                self.arena.min_max_terms(&args, func == Func::Max)
            }
            Func::Abs => one(UnOp::Abs, self.arena),
            Func::Float => one(UnOp::ToFloat, self.arena),
            Func::Int => one(UnOp::ToInt, self.arena),
            Func::Floor => one(UnOp::Floor, self.arena),
            Func::Ceil => one(UnOp::Ceil, self.arena),
            Func::Trunc => one(UnOp::Trunc, self.arena),
            Func::Pow => match args.as_slice() {
                [a, b] => self.arena.binary(BinOp::Pow, *a, *b),
                [a, b, m] => self.arena.pow_mod_term(*a, *b, *m),
                _ => arity_error("2 or 3 arguments"),
            },
            Func::Round => match args.as_slice() {
                [a] => self.arena.unary(UnOp::Round, *a),
                [a, n] => self.arena.round_ndigits_term(*a, *n),
                _ => arity_error("1 or 2 arguments"),
            },
        }
    }

    fn end(&mut self, pos: usize) -> Result<Term> {
        self.reduce_all(pos)?;
        match self.ops.last() {
            None => {}
            Some(Item::Paren(p)) => {
                return error(
                    pos,
                    format!("unexpected end of input: '(' at position {p} is not closed"),
                )
            }
            Some(Item::Call { func, pos: p, .. }) => {
                return error(
                    pos,
                    format!(
                        "unexpected end of input: the call of {}() at position {p} is not closed",
                        func.name()
                    ),
                )
            }
            Some(_) => return Err(internal(pos)),
        }
        match self.vals.as_slice() {
            [t] => Ok(*t),
            _ => Err(internal(pos)),
        }
    }
}

/// The value of float()'s string argument: `inf`, `infinity` or `nan`, any case, optional sign.
fn special_float(s: &str) -> Option<f64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let v = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        return None;
    };
    Some(if negative { -v } else { v })
}
