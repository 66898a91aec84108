//! Config placeholder.
