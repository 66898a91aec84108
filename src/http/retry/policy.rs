//! How long to wait before the next attempt, and when to stop.
//!
//! The functions here are pure (apart from the jitter source) so the timing
//! rules can be unit-tested without a network or a clock.

use std::time::Duration;

/// Shortest wait after a throttling answer, even for `Retry-After: 0`: an
/// immediate re-send is exactly the hot loop that burns every attempt within
/// milliseconds (dlt-hub/dlt#4036).
pub const MIN_THROTTLE_WAIT: Duration = Duration::from_millis(100);

/// Limits on retrying one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first one included.
    pub max_attempts: u32,
    /// Ceiling of the first backoff; doubles with every retry.
    pub base_delay: Duration,
    /// Largest backoff ceiling.
    pub max_delay: Duration,
    /// Time budget for one request, waits included: a request that cannot
    /// finish within it fails instead of holding a slice hostage.
    pub max_elapsed: Duration,
    /// Longest `Retry-After` honoured as given; longer values are shortened
    /// to this (the Genesys CLI draws the line at 180 s as well).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            // Like the Genesys CLI: a long batch rides out minutes of
            // throttling (capped, jittered waits add up to several minutes)
            // instead of dying on a short storm; max_elapsed still bounds it.
            max_attempts: 20,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(600),
            max_retry_after: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// Upper bound of the backoff before retry number `retry` (0-based):
    /// `min(max_delay, base_delay * 2^retry)`.
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }

    /// Full-jitter backoff: uniform in `[0, backoff_ceiling(retry)]`, so
    /// workers that failed together do not come back together.
    pub fn backoff(&self, retry: u32) -> Duration {
        jitter_up_to(self.backoff_ceiling(retry))
    }

    /// The wait after a throttling answer: the server's `Retry-After` capped at
    /// `max_retry_after`, or the backoff when there is none; never shorter than
    /// [`MIN_THROTTLE_WAIT`], plus up to that much jitter.
    pub fn throttle_wait(&self, retry_after: Option<Duration>, retry: u32) -> Duration {
        let base = match retry_after {
            Some(d) => self.bounded_pause(d),
            None => self.backoff(retry).max(MIN_THROTTLE_WAIT),
        };
        base + jitter_up_to(MIN_THROTTLE_WAIT)
    }

    /// A pause the server asked for, shortened to `max_retry_after` and
    /// never shorter than [`MIN_THROTTLE_WAIT`].
    pub fn bounded_pause(&self, asked: Duration) -> Duration {
        asked.min(self.max_retry_after).max(MIN_THROTTLE_WAIT)
    }
}

/// A uniformly random duration in `[0, max]`.
pub fn jitter_up_to(max: Duration) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..=nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_ceiling_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ceiling(0), Duration::from_millis(250));
        assert_eq!(p.backoff_ceiling(1), Duration::from_millis(500));
        assert_eq!(p.backoff_ceiling(3), Duration::from_secs(2));
        assert_eq!(p.backoff_ceiling(7), Duration::from_secs(30));
        assert_eq!(p.backoff_ceiling(40), Duration::from_secs(30));
        assert_eq!(p.backoff_ceiling(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn backoff_is_full_jitter_within_bounds() {
        let p = RetryPolicy::default();
        let ceiling = p.backoff_ceiling(4);
        let samples: Vec<_> = (0..2000).map(|_| p.backoff(4)).collect();
        assert!(samples.iter().all(|d| *d <= ceiling));
        // Full jitter spreads over the whole range, not just near the ceiling.
        assert!(samples.iter().any(|d| *d < ceiling / 4));
        assert!(samples.iter().any(|d| *d > ceiling * 3 / 4));
    }

    #[test]
    fn bounded_pause_caps_and_floors() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.bounded_pause(Duration::from_secs(38)),
            Duration::from_secs(38)
        );
        assert_eq!(
            p.bounded_pause(Duration::from_secs(3600)),
            p.max_retry_after
        );
        assert_eq!(p.bounded_pause(Duration::ZERO), MIN_THROTTLE_WAIT);
        let tiny_cap = RetryPolicy {
            max_retry_after: Duration::from_millis(1),
            ..p
        };
        assert_eq!(
            tiny_cap.bounded_pause(Duration::from_secs(5)),
            MIN_THROTTLE_WAIT
        );
    }

    #[test]
    fn throttle_wait_honours_caps_and_floor() {
        let p = RetryPolicy::default();
        for _ in 0..200 {
            let w = p.throttle_wait(Some(Duration::ZERO), 0);
            assert!(
                w >= MIN_THROTTLE_WAIT && w <= MIN_THROTTLE_WAIT * 2,
                "{w:?}"
            );
            let w = p.throttle_wait(Some(Duration::from_secs(5)), 0);
            assert!(w >= Duration::from_secs(5) && w <= Duration::from_millis(5100));
            let w = p.throttle_wait(Some(Duration::from_secs(3600)), 0);
            assert!(w >= p.max_retry_after && w <= p.max_retry_after + MIN_THROTTLE_WAIT);
            let w = p.throttle_wait(None, 2);
            assert!(w >= MIN_THROTTLE_WAIT && w <= p.backoff_ceiling(2) + MIN_THROTTLE_WAIT);
        }
    }
}
