//! Genesys placeholder.
