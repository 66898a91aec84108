//! Transform placeholder.
