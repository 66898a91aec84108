//! The request log tests read through [`crate::simulator::Simulator::request_log`].

use crate::simulator::RequestRecord;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub(super) struct RequestLog {
    started: Instant,
    seq: AtomicU64,
    records: Mutex<Vec<RequestRecord>>,
}

impl RequestLog {
    pub(super) fn new() -> RequestLog {
        RequestLog {
            started: Instant::now(),
            seq: AtomicU64::new(0),
            records: Mutex::new(Vec::new()),
        }
    }

    /// Milliseconds since the simulator started.
    pub(super) fn ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    /// Arrival time and order (from 1) of a new request.
    pub(super) fn arrive(&self) -> (f64, u64) {
        let ms = self.ms();
        (ms, self.seq.fetch_add(1, Ordering::SeqCst) + 1)
    }

    pub(super) fn push(&self, record: RequestRecord) {
        self.records.lock().expect("log lock").push(record);
    }

    /// Every request so far, in arrival order (they finish out of order).
    pub(super) fn snapshot(&self) -> Vec<RequestRecord> {
        let mut log = self.records.lock().expect("log lock").clone();
        log.sort_by_key(|r| r.seq);
        log
    }
}

/// FNV-1a: a stable body fingerprint for [`RequestRecord::key`].
pub(super) fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
    })
}
