//! Pre-serialized records and the parallel generator both vendors' data
//! use: starts spread evenly over the interval, malformed records spread
//! among them, every record from its own RNG seeded from `(seed, index)` so
//! the bytes do not depend on thread scheduling.

use super::json::W;
use bytes::Bytes;
use fastrand::Rng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One pre-serialized record (good or malformed), in start order.
pub(crate) struct Record {
    /// Server-side sort and filter key. For a bad record whose start is
    /// unreadable this is where it was placed.
    pub start_ms: i64,
    /// `None` while ongoing.
    pub end_ms: Option<i64>,
    /// The record's id as served (absent for one bad kind).
    pub id: Option<Box<str>>,
    pub bad: bool,
    /// The whole JSON object as served.
    pub json: Bytes,
}

/// How many records to write and where their starts fall.
pub(crate) struct Layout {
    /// Seeds the per-record RNGs (vendors salt it so their data differ).
    pub seed: u64,
    pub good: usize,
    pub bad: usize,
    /// Starts fall in `[start_ms, end_ms)`.
    pub start_ms: i64,
    pub end_ms: i64,
    /// Records per unit of work handed to a thread.
    pub chunk: usize,
    /// Expected size of one record, to size each chunk's arena once.
    pub record_bytes: usize,
}

/// Where the record being written goes.
pub(crate) struct Slot {
    pub index: usize,
    pub start_ms: i64,
    /// `Some(j)`: the j-th malformed record, which the vendor turns into
    /// one of its bad kinds.
    pub bad: Option<usize>,
}

/// What a vendor's writer reports about the record it just wrote.
pub(crate) struct Written<X> {
    pub id: Option<String>,
    pub end_ms: Option<i64>,
    /// Vendor-specific facts kept beside the record.
    pub extra: X,
}

/// One thread's finished unit of work: its number and its records.
type Chunk<X> = (usize, Vec<(Record, X)>);

/// Writes `layout.good + layout.bad` records with `write`, in parallel, and
/// returns them in start order with their extras.
pub(crate) fn generate<X: Send>(
    layout: &Layout,
    write: impl Fn(&mut W, &mut Rng, &Slot) -> Written<X> + Sync,
) -> (Vec<Record>, Vec<X>) {
    let Layout {
        seed,
        good,
        bad,
        start_ms,
        end_ms,
        chunk,
        record_bytes,
    } = *layout;
    let total = good + bad;
    let mut bad_at = vec![u32::MAX; total];
    for j in 0..bad {
        // Spread bad records evenly; distinct because bad <= total.
        let i = ((j as f64 + 0.5) * total as f64 / bad as f64) as usize;
        bad_at[i.min(total - 1)] = j as u32;
    }
    let span = (end_ms - start_ms).max(1) as f64;
    let chunks = total.div_ceil(chunk);
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Chunk<X>>> = Mutex::new(Vec::with_capacity(chunks));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(chunks.max(1));
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut w = W::default();
                loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks {
                        break;
                    }
                    let lo = c * chunk;
                    let hi = (lo + chunk).min(total);
                    w.b = Vec::with_capacity((hi - lo) * record_bytes);
                    let mut metas = Vec::with_capacity(hi - lo);
                    for (i, &bad_j) in bad_at.iter().enumerate().take(hi).skip(lo) {
                        let mut rng = Rng::with_seed(mix(seed, i as u64));
                        let u = rng.f64();
                        let st = start_ms + ((i as f64 + u) * span / total as f64) as i64;
                        let slot = Slot {
                            index: i,
                            start_ms: st.min(end_ms - 1).max(start_ms),
                            bad: (bad_j != u32::MAX).then_some(bad_j as usize),
                        };
                        let from = w.b.len();
                        let written = write(&mut w, &mut rng, &slot);
                        metas.push((from, w.b.len(), slot, written));
                    }
                    let arena = Bytes::from(std::mem::take(&mut w.b));
                    let recs = metas
                        .into_iter()
                        .map(|(a, z, slot, written)| {
                            let record = Record {
                                start_ms: slot.start_ms,
                                end_ms: written.end_ms,
                                id: written.id.map(String::into_boxed_str),
                                bad: slot.bad.is_some(),
                                json: arena.slice(a..z),
                            };
                            (record, written.extra)
                        })
                        .collect();
                    done.lock().unwrap().push((c, recs));
                }
            });
        }
    });
    let mut parts = done.into_inner().unwrap();
    parts.sort_by_key(|p| p.0);
    let mut records = Vec::with_capacity(total);
    let mut extras = Vec::with_capacity(total);
    for (record, extra) in parts.into_iter().flat_map(|(_, r)| r) {
        records.push(record);
        extras.push(extra);
    }
    (records, extras)
}

/// SplitMix64 finalizer: decorrelates per-record seeds.
pub(crate) fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed
        ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Exponential draw with a floor and ceiling, in ms.
pub(crate) fn exp_ms(rng: &mut Rng, mean_ms: f64, min: i64, max: i64) -> i64 {
    let u = rng.f64().max(1e-12);
    ((-u.ln() * mean_ms) as i64).clamp(min, max)
}

/// The k-th agent's first and last name: both vendors staff from one list.
pub(crate) fn agent_name(k: usize) -> (&'static str, &'static str) {
    (
        FIRST_NAMES[k % FIRST_NAMES.len()],
        LAST_NAMES[(k / FIRST_NAMES.len() + k) % LAST_NAMES.len()],
    )
}

const FIRST_NAMES: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mateo", "Amelia",
    "Leo", "Harper", "Ethan", "Aria", "Kenji", "Priya", "Tomás", "Ingrid", "Amara", "Chloé",
    "Jonas", "Fatima", "Diego",
];
const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "García", "Brown", "Nguyen", "Müller", "Okafor", "Rossi", "Kowalski",
    "Tanaka", "Silva", "Dubois", "Haddad", "O'Brien", "Patel", "Larsen",
];
