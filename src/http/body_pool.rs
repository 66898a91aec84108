//! Recycled buffers for large response bodies (result pages).
//!
//! A results page is a multi-megabyte buffer filled on an async worker and
//! dropped on the blocking thread that transformed it. mimalloc frees blocks
//! released by another thread lazily and keeps freed memory committed for its
//! purge delay, so at ~35 pages a second fresh page buffers alone held tens of
//! MB of RSS: a 1M-conversation run peaked at 357–367 MB without recycling and
//! 294–331 MB with it (BENCHMARKS.md). Handing a few buffers back and forth
//! avoids that churn; small bodies (tokens, job status) never touch the pool.

use bytes::Bytes;
use std::sync::Mutex;

/// Bodies smaller than this are allocated as usual.
pub const MIN_POOLED_LEN: usize = 64 << 10;
/// Buffers kept at most: more than the pages in flight at the default
/// concurrency, so a run reaches a steady state without fresh allocations.
const MAX_POOLED: usize = 8;
/// Larger buffers are freed rather than kept (an outlier page must not pin
/// its memory for the rest of the run), and no more is reserved up front: a
/// `Content-Length` is a claim, a larger body still arrives whole as its
/// buffer grows.
const MAX_POOLED_CAPACITY: usize = 64 << 20;

/// A bounded free-list of byte buffers.
pub struct BodyPool {
    free: Mutex<Vec<Vec<u8>>>,
}

/// The pool the HTTP client reads result pages into.
pub static BODIES: BodyPool = BodyPool::new();

impl BodyPool {
    /// An empty pool.
    pub const fn new() -> Self {
        BodyPool {
            free: Mutex::new(Vec::new()),
        }
    }

    /// An empty buffer for a body of about `len` bytes (room reserved up to
    /// 64 MB): a recycled one when `len` is large enough to be worth it and
    /// one is free.
    pub fn buffer(&self, len: usize) -> Vec<u8> {
        let len = len.min(MAX_POOLED_CAPACITY);
        if len < MIN_POOLED_LEN {
            return Vec::with_capacity(len);
        }
        let mut buf = self.lock().pop().unwrap_or_default();
        buf.reserve(len);
        buf
    }

    /// Takes a body back once nothing reads it any more. Bodies still shared
    /// (or small, or outsized) are simply dropped.
    pub fn recycle(&self, body: Bytes) {
        if body.len() < MIN_POOLED_LEN {
            return;
        }
        let Ok(unique) = body.try_into_mut() else {
            return;
        };
        let mut buf = Vec::from(unique);
        if buf.capacity() > MAX_POOLED_CAPACITY {
            return;
        }
        buf.clear();
        let mut free = self.lock();
        if free.len() < MAX_POOLED {
            free.push(buf);
        }
    }

    /// Buffers currently free.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no buffer is free.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        // A panic while holding the lock cannot leave the list inconsistent.
        self.free.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for BodyPool {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(len: usize) -> Bytes {
        Bytes::from(vec![b'x'; len])
    }

    #[test]
    fn a_recycled_body_is_reused_empty_with_its_capacity() {
        let pool = BodyPool::new();
        let page = body(MIN_POOLED_LEN * 4);
        let ptr = page.as_ptr();
        pool.recycle(page);
        assert_eq!(pool.len(), 1);
        let buf = pool.buffer(MIN_POOLED_LEN * 2);
        assert!(buf.is_empty());
        assert_eq!(buf.as_ptr(), ptr, "the same allocation comes back");
        assert!(buf.capacity() >= MIN_POOLED_LEN * 4);
        assert!(pool.is_empty());
    }

    #[test]
    fn shared_small_and_outsized_bodies_are_not_kept() {
        let pool = BodyPool::new();
        let shared = body(MIN_POOLED_LEN);
        let _still_read = shared.clone();
        pool.recycle(shared);
        pool.recycle(body(MIN_POOLED_LEN - 1));
        pool.recycle(body(MAX_POOLED_CAPACITY + 1));
        assert!(pool.is_empty());
    }

    #[test]
    fn the_pool_is_bounded_and_small_requests_bypass_it() {
        let pool = BodyPool::new();
        for _ in 0..MAX_POOLED + 3 {
            pool.recycle(body(MIN_POOLED_LEN));
        }
        assert_eq!(pool.len(), MAX_POOLED);
        let small = pool.buffer(100);
        assert!(small.capacity() < MIN_POOLED_LEN);
        assert_eq!(
            pool.len(),
            MAX_POOLED,
            "a small body takes no pooled buffer"
        );
        let big = pool.buffer(MIN_POOLED_LEN * 3);
        assert!(big.capacity() >= MIN_POOLED_LEN * 3);
        assert_eq!(pool.len(), MAX_POOLED - 1);
    }
}
