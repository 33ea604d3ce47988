//! Grandfather-father-son retention (`--keep-last`, `--keep-daily`, `--keep-weekly`,
//! `--keep-monthly`, `--keep-yearly`), with the semantics restic documents for
//! `restic forget --keep-*`:
//!
//! - `--keep-last N` keeps the N newest archives;
//! - `--keep-daily N` keeps, for the last N days *which have one or more archives*, the newest
//!   archive of each day; weekly (ISO 8601 weeks, Monday to Sunday), monthly and yearly alike;
//! - an archive kept by any policy is kept; one policy's periods are counted without regard to
//!   the other policies.
//!
//! Periods are those of the archive's date stamp, in UTC. Only archives proven good are fed to
//! the [`Tally`] (rotation decides that, [`super::rotate`]): a broken or partial archive never
//! fills a period, so a broken night never displaces a good backup of the same day.
//!
//! Restic 0.17 added one rule this does not copy: keeping the oldest snapshot besides when a
//! policy cannot be filled. Here the newest good archive is never deleted, which covers the case
//! that rule is for (a young repository), and nothing else is kept that no policy asked for.

use std::fmt;

use crate::timestamp::Timestamp;

/// The length of a period of a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// No period: the newest archives (`--keep-last`).
    Last,
    /// A UTC day.
    Day,
    /// An ISO 8601 week (Monday to Sunday, the year of its Thursday).
    Week,
    /// A calendar month.
    Month,
    /// A calendar year.
    Year,
}

impl Period {
    /// Every period, in the order reasons are printed.
    pub const ALL: [Period; 5] = [
        Period::Last,
        Period::Day,
        Period::Week,
        Period::Month,
        Period::Year,
    ];

    /// The policy's word in reasons: `daily #1`.
    pub fn word(self) -> &'static str {
        match self {
            Period::Last => "last",
            Period::Day => "daily",
            Period::Week => "weekly",
            Period::Month => "monthly",
            Period::Year => "yearly",
        }
    }

    /// A number naming the period of `stamp`: equal for two stamps of the same period, different
    /// otherwise (`None` for [`Period::Last`], where every archive is its own).
    pub fn of(self, stamp: Timestamp) -> Option<i64> {
        let days = stamp.to_unix().div_euclid(86_400);
        match self {
            Period::Last => None,
            Period::Day => Some(days),
            // The Thursday of the week names it: ISO weeks belong to the year of their Thursday.
            Period::Week => Some(iso_thursday(days)),
            Period::Month => Some(i64::from(stamp.year) * 12 + i64::from(stamp.month)),
            Period::Year => Some(i64::from(stamp.year)),
        }
    }
}

/// The day number (days since 1970-01-01) of the Thursday of the ISO week of day `days`.
fn iso_thursday(days: i64) -> i64 {
    // 1970-01-01 was a Thursday: with Monday as 0, its weekday is 3.
    let weekday = (days + 3).rem_euclid(7);
    days - weekday + 3
}

/// The ISO 8601 year and week of `stamp`: 2026-12-31 and 2027-01-01 are both 2026-W53.
pub fn iso_week(stamp: Timestamp) -> (i32, u32) {
    let thursday = iso_thursday(stamp.to_unix().div_euclid(86_400));
    let year = Timestamp::from_unix(thursday * 86_400).year;
    let first_day = Timestamp {
        year,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
    }
    .to_unix()
    .div_euclid(86_400);
    (year, ((thursday - first_day) / 7 + 1) as u32)
}

/// How many archives each policy keeps: `None` when the policy is not given, `Some(0)` when it
/// keeps none. [`UNLIMITED`] keeps one for every period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Keep {
    /// `--keep-last`.
    pub last: Option<u32>,
    /// `--keep-daily`.
    pub daily: Option<u32>,
    /// `--keep-weekly`.
    pub weekly: Option<u32>,
    /// `--keep-monthly`.
    pub monthly: Option<u32>,
    /// `--keep-yearly`.
    pub yearly: Option<u32>,
}

/// The count of a policy given as `unlimited`.
pub const UNLIMITED: u32 = u32::MAX;

impl Keep {
    /// Whether any policy is given.
    pub fn is_set(&self) -> bool {
        Period::ALL
            .iter()
            .any(|&period| self.count(period).is_some())
    }

    /// The count of the policy of `period`.
    pub fn count(&self, period: Period) -> Option<u32> {
        match period {
            Period::Last => self.last,
            Period::Day => self.daily,
            Period::Week => self.weekly,
            Period::Month => self.monthly,
            Period::Year => self.yearly,
        }
    }
}

/// Why a policy keeps an archive: the `rank`-th period of `period` (1 for the newest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The policy.
    pub period: Period,
    /// Which of its periods, 1 for the newest.
    pub rank: u32,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} #{}", self.period.word(), self.rank)
    }
}

/// One policy while good archives are fed to it, newest first.
#[derive(Clone, Debug)]
struct Slot {
    period: Period,
    wanted: u32,
    kept: u32,
    /// The period of the archive it kept last.
    last: Option<i64>,
}

impl Slot {
    /// Whether an archive stamped `stamp`, good, would be kept by this policy.
    fn wants(&self, stamp: Timestamp) -> bool {
        self.kept < self.wanted
            && match self.period.of(stamp) {
                None => true,
                Some(period) => self.last != Some(period),
            }
    }
}

/// The policies of a [`Keep`], fed the good archives newest first; each says which it keeps.
#[derive(Clone, Debug)]
pub struct Tally {
    slots: Vec<Slot>,
}

impl Tally {
    /// The policies of `keep`, nothing kept yet.
    pub fn new(keep: &Keep) -> Tally {
        let slots = Period::ALL
            .iter()
            .filter_map(|&period| {
                keep.count(period).map(|wanted| Slot {
                    period,
                    wanted,
                    kept: 0,
                    last: None,
                })
            })
            .collect();
        Tally { slots }
    }

    /// Whether some policy would keep a good archive stamped `stamp`, older than every archive
    /// fed so far. When none would, the archive need not even be read.
    pub fn wants(&self, stamp: Timestamp) -> bool {
        self.slots.iter().any(|slot| slot.wants(stamp))
    }

    /// Feeds a good archive stamped `stamp`, older than every archive fed so far; returns the
    /// policies that keep it (none: no policy does).
    pub fn take(&mut self, stamp: Timestamp) -> Vec<Reason> {
        let mut reasons = Vec::new();
        for slot in &mut self.slots {
            if slot.wants(stamp) {
                slot.kept += 1;
                slot.last = slot.period.of(stamp);
                reasons.push(Reason {
                    period: slot.period,
                    rank: slot.kept,
                });
            }
        }
        reasons
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(stamp: &str) -> Timestamp {
        Timestamp::parse_stamp(stamp).unwrap()
    }

    #[test]
    fn iso_weeks_cross_the_year_as_the_standard_says() {
        assert_eq!(iso_week(at("20261231")), (2026, 53));
        assert_eq!(iso_week(at("20270101")), (2026, 53));
        assert_eq!(iso_week(at("20270103")), (2026, 53), "a Sunday");
        assert_eq!(iso_week(at("20270104")), (2027, 1), "a Monday");
        assert_eq!(
            iso_week(at("20251229")),
            (2026, 1),
            "2026-W01 starts in 2025"
        );
        assert_eq!(iso_week(at("20260101")), (2026, 1));
        assert_eq!(
            Period::Week.of(at("20261231")),
            Period::Week.of(at("20270103"))
        );
        assert_ne!(
            Period::Week.of(at("20270103")),
            Period::Week.of(at("20270104"))
        );
    }

    #[test]
    fn each_policy_keeps_the_newest_of_its_periods_that_have_archives() {
        let keep = Keep {
            last: Some(1),
            daily: Some(2),
            weekly: Some(1),
            ..Keep::default()
        };
        let mut tally = Tally::new(&keep);
        let names = |reasons: Vec<Reason>| {
            reasons
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Thursday 2026-12-10, twice; then Monday the 7th; then the week before.
        assert_eq!(
            names(tally.take(at("202612101200"))),
            "last #1, daily #1, weekly #1"
        );
        assert!(!tally.wants(at("202612100200")), "same day, same week");
        assert_eq!(names(tally.take(at("202612100200"))), "");
        assert_eq!(names(tally.take(at("202612070200"))), "daily #2");
        assert!(!tally.wants(at("202612010200")), "every policy is full");
    }

    #[test]
    fn zero_keeps_nothing_and_unlimited_keeps_every_period() {
        let mut tally = Tally::new(&Keep {
            daily: Some(0),
            ..Keep::default()
        });
        assert!(!tally.wants(at("20261210")));
        assert!(tally.take(at("20261210")).is_empty());
        let mut tally = Tally::new(&Keep {
            yearly: Some(UNLIMITED),
            ..Keep::default()
        });
        for year in (1990..2026).rev() {
            assert_eq!(tally.take(at(&format!("{year}0601"))).len(), 1);
        }
    }
}
