//! SIGTERM (what Airflow, Kubernetes and systemd send to stop a task) and
//! SIGINT: a run that gets one stops its requests and staging, releases its
//! leases so a retry on another pod is not refused, and still writes a
//! `failed` summary.

use crate::Error;

/// Resolves when SIGTERM or SIGINT arrives, as the error the run ends with.
///
/// Listening starts when this is first polled: until then a signal keeps
/// its default action (the process ends at once, which is what a run that
/// holds nothing yet wants).
pub async fn signalled() -> Error {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => Error::Interrupted { name: "SIGTERM", number: 15 },
            _ = int.recv() => Error::Interrupted { name: "SIGINT", number: 2 },
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        Error::Interrupted {
            name: "SIGINT",
            number: 2,
        }
    }
}
