//! Tuning of the global allocator the `cxetl` binary uses (mimalloc).
//!
//! Kept in the library so the benchmark examples run with the same settings
//! as the binary.

/// Makes mimalloc return freed memory to the OS after 100 ms instead of 1 s.
///
/// A run frees page-sized buffers (Arrow columns, encoded pages, upload
/// parts) tens of times a second; a second of retention was ~40 MB of peak
/// RSS on the 1M-conversation run, for ~0.7 s more system CPU at 100 ms
/// (BENCHMARKS.md). `MIMALLOC_PURGE_DELAY` still overrides it.
///
/// It only configures mimalloc, so it is harmless where mimalloc is not the
/// global allocator.
///
/// # Safety
///
/// mimalloc's option setters are not thread safe: call this first thing in
/// `main`, before any other thread has been started.
pub unsafe fn shorten_purge_delay() {
    /// `mi_option_purge_delay` in mimalloc 3's option enum (the bindings
    /// name only the options that are stable across versions).
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const MIMALLOC3_DEFAULT_MS: std::ffi::c_long = 1000;
    // SAFETY: no other thread exists yet (the caller's contract). The
    // read-back guards against a mimalloc numbering its options otherwise
    // (and keeps a value set through the environment).
    unsafe {
        if libmimalloc_sys::mi_option_get(PURGE_DELAY) == MIMALLOC3_DEFAULT_MS {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, 100);
        }
    }
}
