//! Shards for an orchestrator (`cxetl plan`): disjoint runs that cover an
//! interval exactly, sized by whole UTC days so that N of them take about
//! the same time, each with the streams and request budget it should run.

use crate::Interval;

/// One shard: a `cxetl run` of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// The shard's part of the interval.
    pub interval: Interval,
    /// The streams it extracts: every interval stream, and the snapshot
    /// streams in the first shard only (a directory is listed once).
    pub streams: Vec<&'static str>,
    /// Its client-side request budget.
    pub rate_per_minute: u32,
}

/// Splits `interval` into at most `shards` runs of whole UTC days (the
/// first and last may be partial days), as even as days allow.
///
/// `rate_per_minute` is each shard's budget when every shard has its own
/// token; with `total_rate` (an org-wide budget) the shards' budgets add
/// up to at most that.
pub fn shards(
    interval: &Interval,
    shards: usize,
    interval_streams: &[&'static str],
    snapshot_streams: &[&'static str],
    rate_per_minute: u32,
    total_rate: Option<u32>,
) -> Vec<Shard> {
    let days = interval.slices(chrono::Duration::days(1));
    let n = shards.clamp(1, days.len().max(1));
    let rate = match total_rate {
        Some(total) => (total / n as u32).max(1),
        None => rate_per_minute,
    };
    let (base, extra) = (days.len() / n, days.len() % n);
    let mut out = Vec::with_capacity(n);
    let mut next = 0;
    for i in 0..n {
        let count = base + usize::from(i < extra);
        let (first, last) = (&days[next], &days[next + count - 1]);
        next += count;
        let mut streams = interval_streams.to_vec();
        if i == 0 {
            streams.extend_from_slice(snapshot_streams);
        }
        out.push(Shard {
            interval: Interval::new(first.start(), last.end()).expect("days are ordered"),
            streams,
            rate_per_minute: rate,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_disjoint_whole_days_covering_the_interval_within_the_budget() {
        let interval = Interval::parse("2026-11-01T06:00:00Z", "2026-11-13").unwrap();
        let plan = shards(
            &interval,
            4,
            &["conversations"],
            &["users", "queues"],
            300,
            Some(1000),
        );
        assert_eq!(plan.len(), 4);
        assert_eq!(plan[0].interval.start(), interval.start());
        assert_eq!(plan[3].interval.end(), interval.end());
        for pair in plan.windows(2) {
            assert_eq!(
                pair[0].interval.end(),
                pair[1].interval.start(),
                "disjoint, no gap"
            );
            let midnight = pair[1].interval.start().time() == chrono::NaiveTime::MIN;
            assert!(midnight, "shards meet at UTC midnights");
        }
        let days: Vec<i64> = plan
            .iter()
            .map(|s| s.interval.duration().num_hours())
            .collect();
        assert_eq!(
            days,
            [66, 72, 72, 72],
            "12 days (the first from 06:00) in 3 + 3 + 3 + 3"
        );
        assert_eq!(
            plan.iter().filter(|s| s.streams.contains(&"users")).count(),
            1
        );
        assert!(plan.iter().all(|s| s.streams.contains(&"conversations")));
        assert!(plan.iter().map(|s| s.rate_per_minute).sum::<u32>() <= 1000);
        let own_tokens = shards(&interval, 4, &["conversations"], &[], 300, None);
        assert!(own_tokens.iter().all(|s| s.rate_per_minute == 300));
        assert_eq!(
            shards(&interval, 99, &["c"], &[], 300, None).len(),
            12,
            "at most one a day"
        );
    }
}
