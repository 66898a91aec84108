//! Personal data: every column classified in `schemas/` (`"pii"`) is kept,
//! hashed, dropped or masked by one resolved [`PiiPolicy`], applied to the
//! built Arrow columns of each page and to the raw records bound for
//! `_quarantine/`, before anything is written, logged or summarised.
//!
//! `hash` is HMAC-SHA256 keyed with `CXETL_PII_KEY`, in lower-case hex: the
//! same value gives the same hash in every run, table and vendor, so
//! analysts still count repeat callers and join on hashed columns. `ring`
//! computes it; it is already in the tree for TLS, so hashing adds no crate.

mod columns;
mod keyed;
mod policy;
mod raw;

pub use policy::{Action, PiiPolicy, PiiSpec};
pub use raw::RawRedactor;
