//! The one retry loop. API requests, token refreshes and storage calls all
//! run through [`run`], so when to stop and how long to wait cannot drift
//! apart between them again.

use super::{RetryPolicy, Verdict};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// What an operation's failures mean, and what its caller does around each
/// retry (counting, logging, holding other workers back). How long to wait
/// and when to stop is the [`RetryPolicy`]'s business, not this one's.
pub trait RetryLogic {
    /// The error of one failed attempt.
    type Error;

    /// What kind of failure `error` is.
    fn classify(&self, error: &Self::Error) -> Verdict;

    /// Sees every failed attempt before the budget is checked, with the
    /// driver's verdict: a second [`Verdict::Reauth`] in a row arrives as
    /// [`Verdict::Fatal`].
    fn on_failure(&self, _error: &Self::Error, _verdict: Verdict) {}

    /// Attempt number `attempt` failed and another follows after `wait`.
    /// Returns how long the driver sleeps: a caller that holds every worker
    /// back for `wait` waits at its own gate and returns zero.
    fn on_retry(
        &self,
        _error: &Self::Error,
        _verdict: Verdict,
        _attempt: u32,
        wait: Duration,
    ) -> Duration {
        wait
    }
}

/// Why [`run`] stopped without a success.
#[derive(Debug, PartialEq, Eq)]
pub enum GaveUp<E> {
    /// Retrying could not help.
    Fatal(E),
    /// The attempt or time budget ran out.
    Exhausted {
        /// Attempts made, the first one included.
        attempts: u32,
        /// Time spent, waits included.
        elapsed: Duration,
        last: E,
    },
}

/// Runs `attempt` until it succeeds, fails for good, or another attempt
/// would exceed `policy`'s budget.
///
/// Waits: none before the retry after a [`Verdict::Reauth`];
/// [`RetryPolicy::throttle_wait`] after a [`Verdict::Throttle`];
/// [`RetryPolicy::backoff`] after a [`Verdict::Transient`]. The backoff
/// grows with throttled and transient failures only.
pub async fn run<T, L, F, Fut>(
    policy: &RetryPolicy,
    logic: &L,
    mut attempt: F,
) -> Result<T, GaveUp<L::Error>>
where
    L: RetryLogic,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, L::Error>>,
{
    let started = Instant::now();
    let mut attempts = 0u32;
    let mut backoffs = 0u32;
    let mut last_was_reauth = false;
    loop {
        attempts += 1;
        let error = match attempt().await {
            Ok(value) => {
                if attempts > 1 {
                    tracing::debug!(attempts, "succeeded after retrying");
                }
                return Ok(value);
            }
            Err(error) => error,
        };
        let verdict = match logic.classify(&error) {
            // A credential refused right after it was renewed will not be
            // accepted on a third try.
            Verdict::Reauth if last_was_reauth => Verdict::Fatal,
            verdict => verdict,
        };
        logic.on_failure(&error, verdict);
        let wait = match verdict {
            Verdict::Fatal => return Err(GaveUp::Fatal(error)),
            Verdict::Reauth => Duration::ZERO,
            Verdict::Throttle { retry_after } => policy.throttle_wait(retry_after, backoffs),
            Verdict::Transient => policy.backoff(backoffs),
        };
        last_was_reauth = verdict == Verdict::Reauth;
        if !last_was_reauth {
            backoffs += 1;
        }
        let elapsed = started.elapsed();
        if attempts >= policy.max_attempts || elapsed + wait > policy.max_elapsed {
            return Err(GaveUp::Exhausted {
                attempts,
                elapsed,
                last: error,
            });
        }
        let sleep = logic.on_retry(&error, verdict, attempts, wait);
        if !sleep.is_zero() {
            tokio::time::sleep(sleep).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// Its errors are their own verdicts; records what the driver told it.
    #[derive(Default)]
    struct Script {
        failures: Mutex<Vec<Verdict>>,
        retries: Mutex<Vec<(u32, Duration)>>,
        /// Returned from `on_retry` instead of the wait when set.
        own_gate: bool,
    }

    impl RetryLogic for Script {
        type Error = Verdict;
        fn classify(&self, error: &Verdict) -> Verdict {
            *error
        }
        fn on_failure(&self, _: &Verdict, verdict: Verdict) {
            self.failures.lock().unwrap().push(verdict);
        }
        fn on_retry(&self, _: &Verdict, _: Verdict, attempt: u32, wait: Duration) -> Duration {
            self.retries.lock().unwrap().push((attempt, wait));
            if self.own_gate {
                Duration::ZERO
            } else {
                wait
            }
        }
    }

    fn quick() -> RetryPolicy {
        RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            ..Default::default()
        }
    }

    fn honouring_long_retry_after(max_elapsed: Duration) -> RetryPolicy {
        RetryPolicy {
            max_elapsed,
            max_retry_after: Duration::from_secs(3600),
            ..quick()
        }
    }

    async fn play(
        policy: &RetryPolicy,
        logic: &Script,
        outcomes: impl IntoIterator<Item = Result<u32, Verdict>>,
    ) -> Result<u32, GaveUp<Verdict>> {
        let outcomes = Mutex::new(outcomes.into_iter().collect::<VecDeque<_>>());
        let next = || {
            let outcome = outcomes.lock().unwrap().pop_front();
            async move { outcome.expect("the driver asked for one attempt too many") }
        };
        tokio::time::timeout(Duration::from_secs(10), run(policy, logic, next))
            .await
            .expect("the driver does not wait longer than asked")
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_success() {
        let logic = Script::default();
        let outcomes = [Err(Verdict::Transient), Err(Verdict::Transient), Ok(7)];
        assert_eq!(play(&quick(), &logic, outcomes).await, Ok(7));
        let retries = logic.retries.lock().unwrap().clone();
        assert_eq!(retries.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2]);
        assert!(retries[0].1 <= quick().backoff_ceiling(0));
        assert!(retries[1].1 <= quick().backoff_ceiling(1));
    }

    #[tokio::test]
    async fn fatal_stops_at_once() {
        let logic = Script::default();
        let outcomes = [Err(Verdict::Fatal)];
        assert_eq!(
            play(&quick(), &logic, outcomes).await,
            Err(GaveUp::Fatal(Verdict::Fatal))
        );
        assert_eq!(*logic.failures.lock().unwrap(), [Verdict::Fatal]);
        assert!(logic.retries.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn reauth_is_retried_once_without_waiting() {
        let logic = Script::default();
        let outcomes = [
            Err(Verdict::Reauth),
            Err(Verdict::Transient),
            Err(Verdict::Reauth),
            Ok(1),
        ];
        assert_eq!(play(&quick(), &logic, outcomes).await, Ok(1));
        assert_eq!(logic.retries.lock().unwrap()[0], (1, Duration::ZERO));

        let logic = Script::default();
        let outcomes = [Err(Verdict::Reauth), Err(Verdict::Reauth)];
        assert_eq!(
            play(&quick(), &logic, outcomes).await,
            Err(GaveUp::Fatal(Verdict::Reauth))
        );
        assert_eq!(
            *logic.failures.lock().unwrap(),
            [Verdict::Reauth, Verdict::Fatal]
        );
    }

    #[tokio::test]
    async fn attempt_budget_runs_out() {
        let logic = Script::default();
        let policy = RetryPolicy {
            max_attempts: 3,
            ..quick()
        };
        let outcomes = [Err(Verdict::Transient); 3];
        match play(&policy, &logic, outcomes).await {
            Err(GaveUp::Exhausted { attempts, last, .. }) => {
                assert_eq!((attempts, last), (3, Verdict::Transient));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(logic.retries.lock().unwrap().len(), 2);
        assert_eq!(logic.failures.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn time_budget_runs_out_before_a_wait_that_would_not_fit() {
        let logic = Script::default();
        let policy = honouring_long_retry_after(Duration::from_secs(300));
        let asked = Verdict::Throttle {
            retry_after: Some(Duration::from_secs(600)),
        };
        assert!(matches!(
            play(&policy, &logic, [Err(asked)]).await,
            Err(GaveUp::Exhausted { attempts: 1, .. })
        ));
        assert!(logic.retries.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn time_spent_in_attempts_counts_against_the_budget() {
        let policy = RetryPolicy {
            base_delay: Duration::ZERO,
            max_elapsed: Duration::from_millis(20),
            ..quick()
        };
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            Err::<(), _>(Verdict::Transient)
        };
        match run(&policy, &Script::default(), slow).await {
            Err(GaveUp::Exhausted {
                attempts, elapsed, ..
            }) => {
                assert_eq!(attempts, 1);
                assert!(elapsed >= Duration::from_millis(30));
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_caller_with_its_own_gate_is_not_slept_for() {
        let logic = Script {
            own_gate: true,
            ..Default::default()
        };
        let policy = honouring_long_retry_after(Duration::from_secs(7200));
        let hour = Verdict::Throttle {
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert_eq!(play(&policy, &logic, [Err(hour), Ok(2)]).await, Ok(2));
        assert!(logic.retries.lock().unwrap()[0].1 >= Duration::from_secs(3600));
    }
}
