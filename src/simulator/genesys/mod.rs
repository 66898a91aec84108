//! Genesys Cloud.

pub(crate) mod data;
