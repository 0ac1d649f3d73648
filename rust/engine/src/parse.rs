//! SKELETON (being written): the parser.
use crate::arena::{Arena, Term};
use crate::error::Result;

/// Parses the printed language.
pub fn parse(arena: &mut Arena, text: &str) -> Result<Term> {
    let _ = (arena, text);
    todo!()
}
