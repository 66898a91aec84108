//! Pipeline placeholder.
