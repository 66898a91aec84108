//! Half-open UTC time intervals: the unit of ownership, slicing and file naming.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use std::fmt;

/// A half-open interval `[start, end)` in UTC with `start < end`.
///
/// The invariant is enforced by [`Interval::new`], so code holding an
/// `Interval` never re-checks it. A conversation belongs to the interval that
/// contains its start time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interval {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Why an interval could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IntervalError(String);

const TIME_EXAMPLE: &str =
    "use RFC 3339 with an offset (2026-11-23T00:00:00Z, 2026-11-23T00:00:00+00:00) or a bare date (2026-11-23)";

impl Interval {
    /// Builds `[start, end)`; fails unless `start < end`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, IntervalError> {
        if start < end {
            Ok(Interval { start, end })
        } else {
            Err(IntervalError(format!(
                "interval start {} must be before end {}",
                fmt_rfc3339(start),
                fmt_rfc3339(end)
            )))
        }
    }

    /// Checks that the interval is one a run can mean: not before 2000 (no
    /// contact center's API holds older data; `0026-11-23` is a typo), not
    /// ending more than a day after `now`, and at most `max_len` long. The
    /// message says what to change.
    pub fn plausible(&self, now: DateTime<Utc>, max_len: Duration) -> Result<(), IntervalError> {
        let earliest = Utc
            .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
            .single()
            .expect("valid date");
        if self.start < earliest {
            return Err(IntervalError(format!(
                "interval start {} is before 2000; check the year (a typo like 0026-11-23?)",
                fmt_rfc3339(self.start)
            )));
        }
        let latest = now + Duration::days(1);
        if self.end > latest {
            return Err(IntervalError(format!(
                "interval end {} is more than a day in the future; end at {} or earlier",
                fmt_rfc3339(self.end),
                fmt_rfc3339(latest)
            )));
        }
        if self.duration() > max_len {
            return Err(IntervalError(format!(
                "interval {self} is {} days long, above --max-interval ({} days); split it into \
                 shorter runs (cxetl plan) or raise --max-interval",
                self.duration().num_days(),
                max_len.num_days()
            )));
        }
        Ok(())
    }

    /// Parses `--start` and `--end` as given on the command line.
    pub fn parse(start: &str, end: &str) -> Result<Self, IntervalError> {
        Interval::new(parse_time(start)?, parse_time(end)?)
    }

    /// Inclusive start.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// Exclusive end.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Length of the interval.
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// True when `t` lies in `[start, end)`.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// The whole UTC calendar day `date`: `[00:00, next 00:00)`.
    pub fn day(date: chrono::NaiveDate) -> Interval {
        let start = date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        Interval::new(start, start + chrono::Duration::days(1)).expect("a day is a valid interval")
    }

    /// True when `other` lies wholly inside this interval.
    pub fn covers(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// True when the two intervals share at least one instant.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The UTC calendar date of the start: the `date=` partition of every
    /// conversation in a slice, since slices never cross midnight.
    pub fn start_date(&self) -> NaiveDate {
        self.start.date_naive()
    }

    /// Splits at every UTC midnight and then into pieces no longer than `max`,
    /// so each piece lies within one calendar day (one `date=` partition).
    pub fn slices(&self, max: Duration) -> Vec<Interval> {
        let max = if max <= Duration::zero() {
            Duration::days(1)
        } else {
            max
        };
        let mut out = Vec::new();
        let mut cursor = self.start;
        while cursor < self.end {
            let next_midnight = Utc.from_utc_datetime(
                &(cursor.date_naive() + Duration::days(1)).and_time(NaiveTime::MIN),
            );
            let piece_end = (cursor + max).min(next_midnight).min(self.end);
            out.push(Interval {
                start: cursor,
                end: piece_end,
            });
            cursor = piece_end;
        }
        out
    }

    /// Compact form used in file names: `20261123T000000Z_20261124T000000Z`.
    /// Sub-second starts are not produced by the CLI; they are kept as
    /// milliseconds so two distinct intervals never share a name.
    pub fn file_stem(&self) -> String {
        format!("{}_{}", compact(self.start), compact(self.end))
    }

    /// Genesys `interval` syntax: `2026-11-23T00:00:00.000Z/2026-11-24T00:00:00.000Z`.
    pub fn to_iso_pair(&self) -> String {
        format!(
            "{}/{}",
            self.start.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.end.to_rfc3339_opts(SecondsFormat::Millis, true)
        )
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}, {})",
            fmt_rfc3339(self.start),
            fmt_rfc3339(self.end)
        )
    }
}

/// RFC 3339 in UTC with a literal `Z`, second precision unless sub-second.
pub fn fmt_rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn compact(t: DateTime<Utc>) -> String {
    if t.timestamp_subsec_millis() == 0 {
        t.format("%Y%m%dT%H%M%SZ").to_string()
    } else {
        t.format("%Y%m%dT%H%M%S%.3fZ").to_string()
    }
}

/// Parses a command-line time: RFC 3339 with any offset (Airflow renders
/// `2026-11-23T00:00:00+00:00`), or a bare date meaning 00:00 UTC.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, IntervalError> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)));
    }
    Err(IntervalError(format!(
        "cannot read time {s:?}: {TIME_EXAMPLE}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        parse_time(s).unwrap()
    }

    #[test]
    fn accepts_zulu_offsets_and_bare_dates() {
        assert_eq!(t("2026-11-23"), t("2026-11-23T00:00:00Z"));
        assert_eq!(t("2026-11-23T00:00:00+00:00"), t("2026-11-23T00:00:00Z"));
        assert_eq!(t("2026-11-23T02:00:00+02:00"), t("2026-11-23T00:00:00Z"));
    }

    #[test]
    fn malformed_time_explains_the_right_form() {
        let e = parse_time("23/11/2026").unwrap_err().to_string();
        assert!(e.contains("2026-11-23T00:00:00Z"), "{e}");
    }

    #[test]
    fn empty_or_reversed_intervals_are_rejected() {
        assert!(Interval::parse("2026-11-23", "2026-11-23").is_err());
        assert!(Interval::parse("2026-11-24", "2026-11-23").is_err());
    }

    #[test]
    fn half_open_membership() {
        let i = Interval::parse("2026-11-23", "2026-11-24").unwrap();
        assert!(i.contains(t("2026-11-23T00:00:00Z")));
        assert!(i.contains(t("2026-11-23T23:59:59.999Z")));
        assert!(!i.contains(t("2026-11-24T00:00:00Z")));
    }

    #[test]
    fn slices_cover_exactly_and_never_cross_midnight() {
        let i = Interval::parse("2026-11-22T18:00:00Z", "2026-11-24T06:00:00Z").unwrap();
        let s = i.slices(Duration::hours(12));
        let names: Vec<_> = s.iter().map(|x| x.file_stem()).collect();
        assert_eq!(
            names,
            [
                "20261122T180000Z_20261123T000000Z",
                "20261123T000000Z_20261123T120000Z",
                "20261123T120000Z_20261124T000000Z",
                "20261124T000000Z_20261124T060000Z",
            ]
        );
        for w in s.windows(2) {
            assert_eq!(w[0].end(), w[1].start());
        }
        assert!(s
            .iter()
            .all(|x| x.start_date() == (x.end() - Duration::microseconds(1)).date_naive()));
    }

    #[test]
    fn genesys_interval_syntax() {
        let i = Interval::parse("2026-11-23", "2026-11-24").unwrap();
        assert_eq!(
            i.to_iso_pair(),
            "2026-11-23T00:00:00.000Z/2026-11-24T00:00:00.000Z"
        );
    }
}
