//! Retrying, split the way Vector's `RetryLogic` splits it: the [`Verdict`]
//! on one failed attempt (*what* is retryable), the [`RetryPolicy`] (*how
//! long* to wait, when to stop) and the one driver loop, [`run`], that
//! every retried operation goes through.

mod driver;
mod policy;
mod retry_after;
mod verdict;

pub use driver::{run, GaveUp, RetryLogic};
pub use policy::{jitter_up_to, RetryPolicy, MIN_THROTTLE_WAIT};
pub use retry_after::{parse_retry_after, retry_after};
pub use verdict::{classify_status, retryable_status, Verdict};
