//! Simulator placeholder.
