//! Small copyable names for interned things.

use std::fmt;
use std::num::NonZeroU32;

use crate::error::{EngineError, Result};

macro_rules! newtype_index {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(NonZeroU32);

        impl $name {
            /// The id of the `index`-th entry (0-based). Fails past `u32::MAX - 1` entries
            /// instead of truncating.
            pub fn from_index(index: usize) -> Result<Self> {
                u32::try_from(index)
                    .ok()
                    .and_then(|i| i.checked_add(1))
                    .and_then(NonZeroU32::new)
                    .map($name)
                    .ok_or_else(|| EngineError::TooLarge(concat!("too many ", stringify!($name), "s").to_owned()))
            }

            /// The 0-based position of this id in its table.
            #[inline]
            pub fn index(self) -> usize {
                // u32 -> usize is lossless on every platform Rust with pyo3 supports (>= 32 bits).
                (self.0.get() - 1) as usize
            }

            /// The raw 1-based number, stable for the arena's lifetime (used as a hashable key).
            #[inline]
            pub fn raw(self) -> u32 {
                self.0.get()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.index())
            }
        }
    };
}

newtype_index! {
    /// Names one node of an [`crate::Arena`].
    ///
    /// Nodes are hash-consed: the arena stores each distinct node once, and a node's children are
    /// ids. So two ids are equal exactly when the expressions they name are structurally equal,
    /// and because constructors put expressions in canonical form, structurally equal includes
    /// "equal as polynomials" (`(s0+1)*(s0+1) - s0*s0 - 2*s0` is the id of the constant 1).
    /// Children are always older (smaller) ids than their parents, so every pass over an
    /// expression is a forward loop over ids and never recurses.
    ExprId
}

newtype_index! {
    /// Names one declared symbol of an [`crate::Arena`].
    SymbolId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_of_id_is_four_bytes() {
        assert_eq!(std::mem::size_of::<Option<ExprId>>(), 4);
    }

    #[test]
    fn index_round_trips_and_debug_prints_index() {
        let id = ExprId::from_index(7).unwrap();
        assert_eq!(id.index(), 7);
        assert_eq!(format!("{id:?}"), "ExprId(7)");
        assert!(ExprId::from_index(u32::MAX as usize).is_err());
    }
}
