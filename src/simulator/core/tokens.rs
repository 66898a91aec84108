//! Access tokens as issued: judged on every API request, revoked by the
//! fault schedule, each with its own fixed rate-limit window.

use crate::simulator::TokenUse;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

struct Token {
    id: u64,
    issued: Instant,
    ttl: Duration,
    revoked: bool,
    window_start: Option<Instant>,
    window_count: u32,
}

/// Every access token issued, by its text.
pub(super) struct Tokens {
    by_text: HashMap<String, Token>,
    next_id: u64,
}

impl Tokens {
    pub(super) fn new() -> Tokens {
        Tokens {
            by_text: HashMap::new(),
            next_id: 1,
        }
    }

    /// Stores a freshly issued token under the next id (from 1).
    pub(super) fn insert(&mut self, text: String, ttl: Duration) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.by_text.insert(
            text,
            Token {
                id,
                issued: Instant::now(),
                ttl,
                revoked: false,
                window_start: None,
                window_count: 0,
            },
        );
        id
    }

    pub(super) fn texts(&self) -> Vec<String> {
        self.by_text.keys().cloned().collect()
    }

    /// How the presented token stands at `now`, and which one it is.
    pub(super) fn judge(&self, presented: &str, now: Instant) -> (TokenUse, Option<u64>) {
        match self.by_text.get(presented) {
            None => (TokenUse::Unknown, None),
            Some(tok) => {
                let state = if tok.revoked {
                    TokenUse::Revoked
                } else if now >= tok.issued + tok.ttl {
                    TokenUse::Expired
                } else {
                    TokenUse::Valid
                };
                (state, Some(tok.id))
            }
        }
    }

    fn valid(&mut self, text: &str) -> &mut Token {
        self.by_text.get_mut(text).expect("valid token is stored")
    }

    /// Kills a valid token for good.
    pub(super) fn revoke(&mut self, text: &str) {
        self.valid(text).revoked = true;
    }

    /// Counts one request in the valid token's window, which starts at its
    /// first request and restarts once 60 s have passed. Returns the count
    /// so far and the whole seconds (at least 1) until the window resets.
    pub(super) fn count(&mut self, text: &str, now: Instant) -> (u32, u64) {
        let tok = self.valid(text);
        let start = match tok.window_start {
            Some(s) if now < s + WINDOW => s,
            _ => {
                tok.window_count = 0;
                tok.window_start = Some(now);
                now
            }
        };
        tok.window_count += 1;
        let left = (start + WINDOW).saturating_duration_since(now);
        let reset = (left.as_secs() + u64::from(left.subsec_nanos() > 0)).max(1);
        (tok.window_count, reset)
    }
}
