//! Crash points for the kill tests: `CXETL_FAILPOINT=<name>:<n>` ends the
//! process abruptly (no cleanup, like SIGKILL or an OOM kill) the n-th time
//! the named point is reached. Unset in production, where a check costs one
//! relaxed atomic load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Points a run passes through, in order.
pub mod points {
    /// A page was transformed and its bytes handed to the uploads (mid-extraction).
    pub const PAGE: &str = "page";
    /// A slice's files are fully staged, not yet published (mid-upload).
    pub const STAGED: &str = "staged";
    /// One staged file was renamed into place (mid-publish).
    pub const RENAMED: &str = "renamed";
    /// One table's Delta commit of a slice was written (`--format delta`).
    pub const COMMITTED: &str = "committed";
    /// A slice was published, its checkpoint not yet written.
    pub const PUBLISHED: &str = "published";
}

struct Armed {
    name: String,
    at: u64,
    hits: AtomicU64,
}

fn armed() -> Option<&'static Armed> {
    static ARMED: OnceLock<Option<Armed>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let spec = std::env::var("CXETL_FAILPOINT").ok()?;
            let (name, at) = spec.split_once(':').unwrap_or((&spec, "1"));
            Some(Armed {
                name: name.to_string(),
                at: at.parse().unwrap_or(1),
                hits: AtomicU64::new(0),
            })
        })
        .as_ref()
}

/// Passes the named point; exits with status 137 (as if SIGKILLed) when armed.
pub fn hit(name: &str) {
    if let Some(a) = armed() {
        if a.name == name && a.hits.fetch_add(1, Ordering::SeqCst) + 1 == a.at {
            eprintln!("cxetl: failpoint {name}:{} reached, exiting abruptly", a.at);
            std::process::exit(137);
        }
    }
}
