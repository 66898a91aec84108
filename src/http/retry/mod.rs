//! Retrying: the policy (how long to wait, when to stop) and reading the
//! server's `Retry-After`.

mod policy;
mod retry_after;

pub use policy::{jitter_up_to, RetryPolicy, MIN_THROTTLE_WAIT};
pub use retry_after::{parse_retry_after, retry_after};
