//! A live status line for a person at a terminal: slices done/total,
//! conversations, pages, rate, token refreshes and throttling, redrawn in
//! place on stderr every 500 ms. Shown only when the command asks for it
//! (stderr is a TTY, text logs, no `NO_COLOR`); schedulers never see it.

use crate::http::ApiClient;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const REFRESH: Duration = Duration::from_millis(500);

/// Counters a run updates; cheap to clone, clones share them.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    inner: Arc<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    enabled: std::sync::atomic::AtomicBool,
    slices_total: AtomicU64,
    slices_done: AtomicU64,
    conversations: AtomicU64,
    pages: AtomicU64,
}

impl Progress {
    /// Counters whose line is drawn ([`Progress::spawn`]) only if `visible`.
    pub fn new(visible: bool) -> Self {
        let p = Progress::default();
        p.inner.enabled.store(visible, Relaxed);
        p
    }

    /// Whether the line is drawn.
    pub fn visible(&self) -> bool {
        self.inner.enabled.load(Relaxed)
    }

    /// The plan has `n` slices.
    pub fn planned(&self, n: usize) {
        self.inner.slices_total.store(n as u64, Relaxed);
    }

    /// One slice finished with these counts.
    pub fn slice_done(&self, conversations: u64, pages: u64) {
        self.inner.slices_done.fetch_add(1, Relaxed);
        self.inner.conversations.fetch_add(conversations, Relaxed);
        self.inner.pages.fetch_add(pages, Relaxed);
    }

    /// Draws the line until the returned guard is dropped (which clears it);
    /// does nothing when not visible.
    pub fn spawn(&self, client: ApiClient) -> ProgressGuard {
        if !self.visible() {
            return ProgressGuard { task: None };
        }
        let me = self.clone();
        let started = Instant::now();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH);
            loop {
                tick.tick().await;
                let line = me.line(&client, started.elapsed());
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
            }
        });
        ProgressGuard { task: Some(task) }
    }

    fn line(&self, client: &ApiClient, elapsed: Duration) -> String {
        let c = &self.inner;
        let http = client.stats();
        let conversations = c.conversations.load(Relaxed);
        let rate = conversations as f64 / elapsed.as_secs_f64().max(0.001);
        format!(
            "slices {}/{} · {conversations} conversations · {} pages · {rate:.0} conv/s · {} requests · {} token requests · {} throttled",
            c.slices_done.load(Relaxed),
            c.slices_total.load(Relaxed),
            c.pages.load(Relaxed),
            http.requests,
            http.token_requests,
            http.throttled,
        )
    }
}

/// Stops drawing and clears the line when dropped.
pub struct ProgressGuard {
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for ProgressGuard {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
