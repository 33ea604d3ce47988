//! Minute-precision UTC timestamps, as archive names carry them (`openshift-backup201809110015.zip`).
//!
//! Archives are ordered and aged by the date stamp in their names, never by file times, which
//! copies and restores change. A full date-time library would be more than this needs.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC date and time to the minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Year, e.g. 2018.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u32,
    /// Day of the month, 1 to 31.
    pub day: u32,
    /// Hour, 0 to 23.
    pub hour: u32,
    /// Minute, 0 to 59.
    pub minute: u32,
    /// Second, 0 to 59 (zero when the source only knows minutes).
    pub second: u32,
}

impl Timestamp {
    /// The current time, in UTC.
    pub fn now() -> Timestamp {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Timestamp::from_unix(secs)
    }

    /// The UTC time `secs` seconds after 1970-01-01T00:00:00Z.
    pub fn from_unix(secs: i64) -> Timestamp {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Timestamp {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn to_unix(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// Parses a date stamp of 8 (`YYYYMMDD`) or 12 (`YYYYMMDDHHMM`) digits.
    pub fn parse_stamp(digits: &str) -> Option<Timestamp> {
        if !(digits.len() == 8 || digits.len() == 12) || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let num = |range: std::ops::Range<usize>| digits[range].parse::<u32>().ok();
        let year = num(0..4)? as i32;
        let month = num(4..6)?;
        let day = num(6..8)?;
        let (hour, minute) = if digits.len() == 12 {
            (num(8..10)?, num(10..12)?)
        } else {
            (0, 0)
        };
        let stamp = Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second: 0,
        };
        stamp.is_valid().then_some(stamp)
    }

    /// Parses an RFC 3339 time such as `2018-09-11T00:15:00Z` (fractions and offsets accepted).
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let bytes = text.as_bytes();
        if bytes.len() < 19 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[13] != b':' {
            return None;
        }
        let num = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
        let stamp = Timestamp {
            year: num(0..4)? as i32,
            month: num(5..7)?,
            day: num(8..10)?,
            hour: num(11..13)?,
            minute: num(14..16)?,
            second: num(17..19)?,
        };
        if !stamp.is_valid() {
            return None;
        }
        // An explicit offset (+02:00) moves the time to UTC.
        let rest = text[19..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        let offset_secs = match rest.as_bytes().first() {
            Some(sign @ (b'+' | b'-')) if rest.len() >= 6 => {
                let hours: i64 = rest.get(1..3)?.parse().ok()?;
                let minutes: i64 = rest.get(4..6)?.parse().ok()?;
                let secs = hours * 3600 + minutes * 60;
                if *sign == b'+' { secs } else { -secs }
            }
            _ => 0,
        };
        Some(Timestamp::from_unix(stamp.to_unix() - offset_secs))
    }

    /// Parses a date given on the command line: `2018-09-11`, `2018-09-11T00:15:00Z` or a stamp.
    pub fn parse_user(text: &str) -> Option<Timestamp> {
        if let Some(stamp) = Timestamp::parse_rfc3339(text) {
            return Some(stamp);
        }
        if text.len() == 10 {
            let digits: String = text.split('-').collect();
            if digits.len() == 8 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' {
                return Timestamp::parse_stamp(&digits);
            }
        }
        Timestamp::parse_stamp(text)
    }

    /// The 12-digit stamp used in archive names: `YYYYMMDDHHMM`.
    pub fn stamp(self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }

    /// RFC 3339 in UTC: `2018-09-11T00:15:00Z`.
    pub fn rfc3339(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    fn is_valid(self) -> bool {
        (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
    }
}

/// Shown to people as `2018-09-11 00:15`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute
        )
    }
}

/// Finds the date stamp in an archive file name: the 8 or 12 digits right before `.zip` or
/// `.zip.age` (`openshift-backup20180911.zip`, `driftlab-201809110015.zip.age`).
pub fn stamp_in_file_name(file_name: &str) -> Option<Timestamp> {
    let stem = file_name
        .strip_suffix(".zip.age")
        .or_else(|| file_name.strip_suffix(".zip"))
        .or_else(|| file_name.strip_suffix(".tar.gz"))
        .or_else(|| file_name.strip_suffix(".tgz"))
        .unwrap_or(file_name);
    let digits = stem.len() - stem.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 12 || digits == 8 {
        Timestamp::parse_stamp(&stem[stem.len() - digits..])
    } else {
        None
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days-from-civil and its inverse: exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_in_both_openshift_backup_name_forms() {
        let short = stamp_in_file_name("openshift-backup20180911.zip").unwrap();
        assert_eq!(short.to_string(), "2018-09-11 00:00");
        let long = stamp_in_file_name("openshift-backup201809120015.zip").unwrap();
        assert_eq!(long.to_string(), "2018-09-12 00:15");
        assert_eq!(long.stamp(), "201809120015");
        assert!(stamp_in_file_name("openshift-backup2018091.zip").is_none());
        assert!(stamp_in_file_name("openshift-backup201813110015.zip").is_none());
        assert!(stamp_in_file_name("notes.zip").is_none());
    }

    #[test]
    fn unix_round_trip_across_leap_days() {
        for secs in [0_i64, 951_782_400, 1_536_624_900, 4_107_542_400, -86_400] {
            assert_eq!(Timestamp::from_unix(secs).to_unix(), secs);
        }
        assert_eq!(
            Timestamp::from_unix(951_782_400).rfc3339(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn rfc3339_with_offset_is_moved_to_utc() {
        let t = Timestamp::parse_rfc3339("2018-09-11T02:15:00+02:00").unwrap();
        assert_eq!(t.rfc3339(), "2018-09-11T00:15:00Z");
        let t = Timestamp::parse_rfc3339("2018-09-11T00:15:00.123Z").unwrap();
        assert_eq!(t.minute, 15);
        assert!(Timestamp::parse_rfc3339("yesterday").is_none());
    }

    #[test]
    fn user_dates() {
        assert_eq!(
            Timestamp::parse_user("2018-09-11").unwrap().stamp(),
            "201809110000"
        );
        assert!(Timestamp::parse_user("2018-02-30").is_none());
    }
}
