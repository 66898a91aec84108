//! NICE CXone.

pub(crate) mod api;
pub(crate) mod data;
