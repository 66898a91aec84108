//! Sink placeholder.
