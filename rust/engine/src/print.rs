//! SKELETON (being written): the printer.
use crate::arena::Arena;
use crate::error::Result;
use crate::id::ExprId;

/// Longest printed form, in bytes.
pub const MAX_PRINT_LEN: usize = 1 << 28;

/// Prints `id` in Python syntax.
pub fn print(arena: &Arena, id: ExprId) -> Result<String> {
    let _ = (arena, id);
    todo!()
}
