//! All integration tests in one binary: each `tests/*.rs` file would be its
//! own executable statically linking the whole dependency tree, which costs
//! gigabytes of disk and a link step per file on a fresh CI machine.
//! Modules are named by what they test; filter with
//! `cargo test --test it <module>::` (`connector_contract::token_expiry::`
//! runs one contract for every vendor).

#[macro_use]
mod common;

mod activity;
mod check;
mod connector_contract;
mod cxone_discovery;
mod cxone_extractor;
mod cxone_paging;
mod delta;
mod directories;
mod exactly_once;
mod genesys_extractor;
mod genesys_paths;
mod hostile;
mod http_core;
mod leases;
mod pii;
mod scheduling;
mod shards;
mod shared_lake;
mod signals;
mod simulator_activity;
mod simulator_cxone;
mod simulator_cxone_samples;
mod simulator_directories;
mod simulator_genesys;
mod simulator_samples;
mod simulator_scale;
mod storage;
