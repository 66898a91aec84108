//! cxetl: contact-center conversations from Genesys Cloud and NICE CXone into
//! Hive-partitioned Parquet.
//!
//! The crate is laid out along the data path:
//! [`sources`] (one module per vendor) fetch raw API pages through the shared
//! [`http`] core (auth, retry, pacing), [`transform`] maps pages into Arrow
//! batches with the declared schemas in `schemas/`, and [`sink`] lands them as
//! Parquet and publishes them atomically. [`pipeline`] wires the three
//! together for one run; [`simulator`] serves the vendors' API shapes on
//! loopback for the demo, the tests and the benchmarks.

pub mod allocator;
pub mod config;
pub mod error;
pub mod failpoint;
pub mod http;
pub mod interval;
pub mod pipeline;
pub mod secret;
pub mod simulator;
pub mod sink;
pub mod sources;
pub mod summary;
pub mod transform;
pub mod vendor;

pub use error::{Error, Result};
pub use interval::Interval;
pub use secret::Secret;
pub use vendor::Vendor;
