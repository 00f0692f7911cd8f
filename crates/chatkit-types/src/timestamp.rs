//! Timestamps as the protocol carries them (Python: `datetime` fields such as `created_at`).
//!
//! Output is RFC 3339 in UTC ending in `Z`, exactly as pydantic prints an aware UTC `datetime`:
//! seconds always, and a six-digit fraction only when the microseconds are non-zero
//! (`2026-11-21T10:26:20Z`, `2026-11-21T10:26:20.630160Z`). Input is what pydantic accepts: ISO
//! strings with or without an offset (no offset means UTC here; Python would keep the value naive),
//! a date alone (midnight), or epoch numbers (int or float seconds, or milliseconds when the
//! magnitude exceeds 2e10, pydantic's rule). Precision is pydantic's: microseconds, extra digits are
//! truncated.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Epoch numbers above this magnitude are milliseconds, below it seconds (pydantic's rule).
const MS_THRESHOLD: f64 = 2e10;

/// A point in time, in UTC, with microsecond precision (Python: `datetime`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

/// Why a string or number is not a [`Timestamp`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimestampError {}

impl Timestamp {
    /// The current time, truncated to microseconds.
    pub fn now() -> Self {
        Self::from_datetime(Utc::now())
    }

    /// Wraps a `DateTime<Utc>`, truncating it to microseconds (what pydantic keeps).
    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        let micros = dt.nanosecond() / 1_000 * 1_000;
        Self(dt.with_nanosecond(micros).unwrap_or(dt))
    }

    /// The instant `secs` seconds (fractions allowed) after the Unix epoch.
    pub fn from_epoch_seconds(secs: f64) -> Result<Self, TimestampError> {
        if !secs.is_finite() {
            return Err(TimestampError(format!("invalid epoch timestamp {secs}")));
        }
        let micros = (secs * 1_000_000.0).round();
        if micros.abs() > i64::MAX as f64 {
            return Err(TimestampError(format!(
                "epoch timestamp {secs} out of range"
            )));
        }
        DateTime::from_timestamp_micros(micros as i64)
            .map(Self)
            .ok_or_else(|| TimestampError(format!("epoch timestamp {secs} out of range")))
    }

    /// An epoch number as pydantic reads it: seconds, or milliseconds above 2e10 in magnitude.
    pub fn from_epoch_number(n: f64) -> Result<Self, TimestampError> {
        if n.abs() > MS_THRESHOLD {
            Self::from_epoch_seconds(n / 1_000.0)
        } else {
            Self::from_epoch_seconds(n)
        }
    }

    /// The wrapped `DateTime<Utc>`.
    pub fn as_datetime(&self) -> &DateTime<Utc> {
        &self.0
    }

    /// Parses an ISO 8601 date-time, a date, or a decimal epoch number given as a string.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let t = s.trim();
        let numeric = t
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
        if !t.is_empty()
            && numeric
            && let Ok(n) = t.parse::<f64>()
        {
            return Self::from_epoch_number(n);
        }
        parse_iso(t).ok_or_else(|| TimestampError(format!("invalid datetime {s:?}")))
    }
}

fn parse_iso(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = digits(&b[0..4])?;
    let month: u32 = digits(&b[5..7])?;
    let day: u32 = digits(&b[8..10])?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    if b.len() == 10 {
        return Some(Timestamp(date.and_time(NaiveTime::MIN).and_utc()));
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let rest = &b[11..];
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour: u32 = digits(&rest[0..2])?;
    let minute: u32 = digits(&rest[3..5])?;
    let mut i = 5;
    let mut second = 0;
    let mut micros = 0;
    if rest.get(i) == Some(&b':') {
        second = digits(rest.get(i + 1..i + 3)?)?;
        i += 3;
        if matches!(rest.get(i), Some(b'.') | Some(b',')) {
            i += 1;
            let start = i;
            while rest.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let frac = &rest[start..i];
            if frac.is_empty() {
                return None;
            }
            // Keep six digits: pydantic truncates anything finer than a microsecond.
            for k in 0..6 {
                micros = micros * 10 + frac.get(k).map_or(0, |d| u32::from(d - b'0'));
            }
        }
    }
    let offset_secs: i64 = match &rest[i..] {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), tail @ ..] => {
            let (h, m): (i64, i64) = match tail {
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let total = h * 3600 + m * 60;
            if *sign == b'-' { -total } else { total }
        }
        _ => return None,
    };
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, micros)?;
    let local = NaiveDateTime::new(date, time);
    let utc = local.checked_sub_signed(TimeDelta::seconds(offset_secs))?;
    Some(Timestamp(utc.and_utc()))
}

fn digits<T: FromStr>(b: &[u8]) -> Option<T> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse().ok()
}

impl fmt::Display for Timestamp {
    /// Formats as pydantic does for an aware UTC datetime.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.0.nanosecond() / 1_000;
        if micros == 0 {
            write!(f, "{}Z", self.0.format("%Y-%m-%dT%H:%M:%S"))
        } else {
            write!(f, "{}.{micros:06}Z", self.0.format("%Y-%m-%dT%H:%M:%S"))
        }
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(dt: DateTime<Utc>) -> Self {
        Self::from_datetime(dt)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 8601 datetime string or an epoch number")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                if v.unsigned_abs() as f64 > MS_THRESHOLD {
                    DateTime::from_timestamp_millis(v)
                        .map(Timestamp)
                        .ok_or_else(|| E::custom(format!("epoch timestamp {v} out of range")))
                } else {
                    DateTime::from_timestamp(v, 0)
                        .map(Timestamp)
                        .ok_or_else(|| E::custom(format!("epoch timestamp {v} out of range")))
                }
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                let v = i64::try_from(v)
                    .map_err(|_| E::custom(format!("epoch timestamp {v} out of range")))?;
                self.visit_i64(v)
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                Timestamp::from_epoch_number(v).map_err(E::custom)
            }
        }

        deserializer.deserialize_any(TimestampVisitor)
    }
}
