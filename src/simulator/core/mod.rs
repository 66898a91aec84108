//! Vendor-neutral server core.

pub(crate) mod server;
