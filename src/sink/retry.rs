//! Storage calls through the shared retry driver: a transient fault should
//! not cost a whole extraction. (S3 requests also retry inside
//! object_store; this covers what reaches us anyway, and local disks.)

use crate::http::retry::{self, GaveUp, RetryLogic, RetryPolicy, Verdict};
use crate::Result;
use std::future::Future;
use std::time::Duration;

/// Three attempts with waits of up to 1 s and 2 s.
const POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(4),
    max_elapsed: Duration::from_secs(60),
    max_retry_after: Duration::from_secs(180),
};

/// Runs `op` until it succeeds, fails in a way retrying cannot cure, or
/// [`POLICY`] runs out; the error is the last one seen.
pub(super) async fn retry_storage<F, Fut>(op: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = object_store::Result<()>>,
{
    retry::run(&POLICY, &StorageLogic, op)
        .await
        .map_err(|gave_up| match gave_up {
            GaveUp::Fatal(e) | GaveUp::Exhausted { last: e, .. } => e.into(),
        })
}

struct StorageLogic;

impl RetryLogic for StorageLogic {
    type Error = object_store::Error;

    fn classify(&self, error: &object_store::Error) -> Verdict {
        classify(error)
    }

    fn on_retry(
        &self,
        error: &object_store::Error,
        _: Verdict,
        attempt: u32,
        wait: Duration,
    ) -> Duration {
        tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, error = %error, "storage operation failed; retrying");
        wait
    }
}

/// An answer about the object or the credentials stays the same on the
/// next try; anything else (I/O, network, the store's 5xx) may not.
fn classify(error: &object_store::Error) -> Verdict {
    use object_store::Error as E;
    match error {
        E::NotFound { .. }
        | E::AlreadyExists { .. }
        | E::Precondition { .. }
        | E::NotImplemented
        | E::PermissionDenied { .. }
        | E::Unauthenticated { .. } => Verdict::Fatal,
        _ => Verdict::Transient,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn source() -> Box<dyn std::error::Error + Send + Sync> {
        "boom".into()
    }

    #[test]
    fn storage_classification() {
        type WithPath = fn(String, Box<dyn std::error::Error + Send + Sync>) -> object_store::Error;
        use object_store::Error as E;
        let about_the_object: [WithPath; 5] = [
            |path, source| E::NotFound { path, source },
            |path, source| E::AlreadyExists { path, source },
            |path, source| E::Precondition { path, source },
            |path, source| E::PermissionDenied { path, source },
            |path, source| E::Unauthenticated { path, source },
        ];
        let mut fatal: Vec<E> = about_the_object
            .iter()
            .map(|new| new("a/b".into(), source()))
            .collect();
        fatal.push(E::NotImplemented);
        for e in &fatal {
            assert_eq!(classify(e), Verdict::Fatal, "{e}");
        }
        let generic = object_store::Error::Generic {
            store: "S3",
            source: source(),
        };
        assert_eq!(classify(&generic), Verdict::Transient);
    }

    #[tokio::test]
    async fn fatal_storage_errors_are_not_retried() {
        let calls = AtomicU32::new(0);
        let err = retry_storage(|| {
            calls.fetch_add(1, Ordering::SeqCst);
            async {
                Err(object_store::Error::NotFound {
                    path: "a".into(),
                    source: source(),
                })
            }
        })
        .await
        .unwrap_err();
        assert!(matches!(err, crate::Error::Storage(_)), "{err}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_transient_storage_error_is_retried() {
        let calls = AtomicU32::new(0);
        retry_storage(|| {
            let first = calls.fetch_add(1, Ordering::SeqCst) == 0;
            async move {
                if first {
                    Err(object_store::Error::Generic {
                        store: "S3",
                        source: source(),
                    })
                } else {
                    Ok(())
                }
            }
        })
        .await
        .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
