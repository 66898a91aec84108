//! Agent activity timelines both vendors serve: one agent's periods tile
//! time without gaps or overlaps, the last one still open at the end of the
//! data, each drawn from the agent's own RNG so activity never disturbs
//! the conversations' bytes.

use fastrand::Rng;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// One status period; the vendor gives `state` its meaning.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    pub start_ms: i64,
    /// `None`: the agent is still in this state (the last span).
    pub end_ms: Option<i64>,
    pub state: u8,
}

/// Contiguous spans from `from_ms` until one reaches `to_ms`, which stays
/// open. Lengths average a day over `per_day` and stay under a day, so a
/// span touches at most two UTC days. `next` picks each state from the
/// previous one (`None` for the first).
pub(crate) fn tile(
    rng: &mut Rng,
    from_ms: i64,
    to_ms: i64,
    per_day: usize,
    mut next: impl FnMut(&mut Rng, Option<u8>) -> u8,
) -> Vec<Span> {
    let mean = DAY_MS / per_day.max(1) as i64;
    let mut out = Vec::with_capacity(((to_ms - from_ms) / mean.max(1)).max(0) as usize + 2);
    let mut start = from_ms;
    let mut prev = None;
    loop {
        let state = next(rng, prev);
        prev = Some(state);
        let len = rng.i64(mean / 4..=mean * 7 / 4).clamp(1_000, DAY_MS - 1);
        let end = start + len;
        if end >= to_ms {
            out.push(Span {
                start_ms: start,
                end_ms: None,
                state,
            });
            return out;
        }
        out.push(Span {
            start_ms: start,
            end_ms: Some(end),
            state,
        });
        start = end;
    }
}

/// A weighted draw over `weights` (index = state) avoiding `prev`, so
/// consecutive periods differ as status changes do.
pub(crate) fn pick(rng: &mut Rng, weights: &[u32], prev: Option<u8>) -> u8 {
    let total: u32 = weights
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i as u8) != prev)
        .map(|(_, w)| w)
        .sum();
    let mut x = rng.u32(0..total);
    for (i, &w) in weights.iter().enumerate() {
        if Some(i as u8) == prev {
            continue;
        }
        if x < w {
            return i as u8;
        }
        x -= w;
    }
    unreachable!("x < total")
}
