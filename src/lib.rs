//! cxetl: contact-center data from Genesys Cloud and NICE CXone into
//! Hive-partitioned Parquet.
//!
//! The crate is laid out along the data path. [`vendors`] holds one room
//! per platform (settings, auth, endpoints, models and their transforms,
//! hints, probes), each offering its data as named streams through the
//! [`connector`] seam. Vendor-neutral parts serve them all: [`http`] (auth,
//! retry, pacing), [`transform`] (table registry, column builders,
//! quarantine), [`sink`] (writers, stores, the commit protocol) and
//! [`pipeline`] (plan, run, summary). [`simulator`] serves the vendors' API
//! shapes on loopback for the demo, the tests and the benchmarks.

pub mod allocator;
pub mod connector;
pub mod error;
pub mod failpoint;
pub mod http;
pub mod interval;
pub mod pipeline;
pub mod secret;
pub mod settings;
pub mod simulator;
pub mod sink;
pub mod summary;
pub mod transform;
pub mod vendors;

pub use error::{Error, Result};
pub use interval::Interval;
pub use secret::Secret;
pub use vendors::Vendor;
