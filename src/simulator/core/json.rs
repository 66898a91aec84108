//! A minimal streaming JSON writer and the vendors' date format.
//!
//! Records are written straight into a byte arena (no `serde_json::Value`
//! tree): at a million records the generators produce gigabytes of JSON, and
//! value trees would cost more than the benchmark the simulator serves.

const DAY_MS: i64 = 86_400_000;

#[derive(Default)]
pub(crate) struct W {
    pub b: Vec<u8>,
    first: Vec<bool>,
    after_key: bool,
}

impl W {
    fn sep(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(f) = self.first.last_mut() {
            if *f {
                *f = false;
            } else {
                self.b.push(b',');
            }
        }
    }
    pub(crate) fn obj(&mut self) {
        self.sep();
        self.b.push(b'{');
        self.first.push(true);
    }
    pub(crate) fn end_obj(&mut self) {
        self.b.push(b'}');
        self.first.pop();
    }
    pub(crate) fn arr(&mut self) {
        self.sep();
        self.b.push(b'[');
        self.first.push(true);
    }
    pub(crate) fn end_arr(&mut self) {
        self.b.push(b']');
        self.first.pop();
    }
    pub(crate) fn key(&mut self, k: &str) {
        self.sep();
        self.b.push(b'"');
        self.b.extend_from_slice(k.as_bytes());
        self.b.extend_from_slice(b"\":");
        self.after_key = true;
    }
    pub(crate) fn s(&mut self, v: &str) {
        self.sep();
        self.b.push(b'"');
        for &c in v.as_bytes() {
            match c {
                b'"' => self.b.extend_from_slice(b"\\\""),
                b'\\' => self.b.extend_from_slice(b"\\\\"),
                c if c < 0x20 => self.b.extend_from_slice(format!("\\u{c:04x}").as_bytes()),
                c => self.b.push(c),
            }
        }
        self.b.push(b'"');
    }
    pub(crate) fn int(&mut self, v: i64) {
        self.sep();
        push_int(&mut self.b, v);
    }
    pub(crate) fn float2(&mut self, v: f64) {
        self.sep();
        // Two decimals, like the MOS / R-factor values the API returns.
        let c = (v * 100.0).round() as i64;
        push_int(&mut self.b, c / 100);
        self.b.push(b'.');
        let f = (c % 100).abs();
        self.b.push(b'0' + (f / 10) as u8);
        self.b.push(b'0' + (f % 10) as u8);
    }
    pub(crate) fn boolean(&mut self, v: bool) {
        self.sep();
        self.b.extend_from_slice(if v { b"true" } else { b"false" });
    }
    pub(crate) fn date(&mut self, ms: i64) {
        self.sep();
        self.b.push(b'"');
        push_date(&mut self.b, ms);
        self.b.push(b'"');
    }
    pub(crate) fn ks(&mut self, k: &str, v: &str) {
        self.key(k);
        self.s(v);
    }
    pub(crate) fn ki(&mut self, k: &str, v: i64) {
        self.key(k);
        self.int(v);
    }
    pub(crate) fn kd(&mut self, k: &str, ms: i64) {
        self.key(k);
        self.date(ms);
    }
    pub(crate) fn kb(&mut self, k: &str, v: bool) {
        self.key(k);
        self.boolean(v);
    }
    pub(crate) fn null(&mut self) {
        self.sep();
        self.b.extend_from_slice(b"null");
    }
    pub(crate) fn kn(&mut self, k: &str) {
        self.key(k);
        self.null();
    }
    /// Milliseconds as decimal seconds, shortest form with at least one
    /// decimal (`187.452`, `12.5`, `0.0`), as a .NET double serializes.
    pub(crate) fn secs(&mut self, ms: i64) {
        self.sep();
        push_int(&mut self.b, ms / 1000);
        self.b.push(b'.');
        let f = (ms % 1000).abs();
        let d = [
            b'0' + (f / 100) as u8,
            b'0' + (f / 10 % 10) as u8,
            b'0' + (f % 10) as u8,
        ];
        let mut n = 3;
        while n > 1 && d[n - 1] == b'0' {
            n -= 1;
        }
        self.b.extend_from_slice(&d[..n]);
    }
    pub(crate) fn ksecs(&mut self, k: &str, ms: i64) {
        self.key(k);
        self.secs(ms);
    }
}

fn push_int(b: &mut Vec<u8>, v: i64) {
    if v < 0 {
        b.push(b'-');
    }
    let mut u = v.unsigned_abs();
    let mut tmp = [0u8; 20];
    let mut n = tmp.len();
    loop {
        n -= 1;
        tmp[n] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[n..]);
}

/// `yyyy-MM-ddTHH:mm:ss.SSSZ` from epoch milliseconds, without chrono's
/// formatter (tens of millions of timestamps at benchmark scale).
pub(crate) fn push_date(b: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let two = |b: &mut Vec<u8>, v: i64| {
        b.push(b'0' + (v / 10) as u8);
        b.push(b'0' + (v % 10) as u8);
    };
    two(b, y / 100);
    two(b, y % 100);
    b.push(b'-');
    two(b, m);
    b.push(b'-');
    two(b, d);
    b.push(b'T');
    two(b, rem / 3_600_000);
    b.push(b':');
    two(b, rem / 60_000 % 60);
    b.push(b':');
    two(b, rem / 1000 % 60);
    b.push(b'.');
    let f = rem % 1000;
    b.push(b'0' + (f / 100) as u8);
    two(b, f % 100);
    b.push(b'Z');
}

/// Formats epoch milliseconds the way the API does.
pub(crate) fn fmt_date(ms: i64) -> String {
    let mut b = Vec::with_capacity(24);
    push_date(&mut b, ms);
    String::from_utf8(b).expect("ascii")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, SecondsFormat};

    #[test]
    fn date_format_matches_chrono() {
        for ms in [
            0i64,
            951_782_400_123,
            1_795_132_799_999,
            1_795_132_800_000,
            4_102_444_800_001,
            1_709_164_800_500,
        ] {
            let c = DateTime::from_timestamp_millis(ms)
                .unwrap()
                .to_rfc3339_opts(SecondsFormat::Millis, true);
            assert_eq!(fmt_date(ms), c);
        }
    }
}
