//! All integration tests in one binary: each `tests/*.rs` file would be its
//! own executable statically linking the whole dependency tree, which costs
//! gigabytes of disk and a link step per file on a fresh CI machine.
//! Modules keep the suites separate; filter with `cargo test --test it <suite>::`.

mod common;

mod check;
mod cxone_e2e;
mod exactly_once;
mod genesys_e2e;
mod genesys_sim;
mod hostile;
mod http_core;
mod scheduling;
mod signals;
mod simulator_cxone;
mod simulator_cxone_client;
mod simulator_cxone_samples;
mod simulator_genesys;
mod simulator_samples;
mod simulator_scale;
