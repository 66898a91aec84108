//! Summary placeholder.
