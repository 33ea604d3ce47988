//! The formats CI systems read: GitHub Actions workflow commands, SARIF for code scanning and
//! JUnit XML. Each lists the same thing: one item per visible change (an object added or removed
//! whole is one item), with its category and, when the manifests came from files, the file and
//! line it is at ([`Context::places`], found by the command before rendering).

pub mod github;
pub mod junit;
pub mod sarif;

use std::collections::HashMap;

use super::present;
use super::values;
use crate::analyze::{Analysis, Category, Entry, Finding};
use crate::diff::{Change, ObjectChange, Op};
use crate::snapshot::{ObjectKey, Place};

/// What the CI formats need besides the analysis.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// Where a change is in the manifests: by object and path (`""`: the object itself).
    pub places: HashMap<(ObjectKey, String), Place>,
    /// Every object compared, on either side (JUnit has a test case for each).
    pub compared: Vec<ObjectKey>,
    /// The objects only the new side holds (in a desired-state comparison: only the cluster).
    pub only_new: std::collections::HashSet<ObjectKey>,
}

impl Context {
    /// The place of `path` (`""`: the object) of `key`, else of the object.
    pub fn place(&self, key: &ObjectKey, path: &str) -> Option<&Place> {
        self.places
            .get(&(key.clone(), path.to_string()))
            .or_else(|| self.places.get(&(key.clone(), String::new())))
    }
}

/// One visible change, as the CI formats list it.
#[derive(Clone, Debug)]
pub struct Item<'a> {
    /// Its object.
    pub key: &'a ObjectKey,
    /// The object as the report names it (`web-3 → web-4` for a pair).
    pub title: String,
    /// The change; `None` for an object added or removed whole.
    pub change: Option<&'a Change>,
    /// How the object changed.
    pub object_change: ObjectChange,
    /// How it ranks.
    pub category: Category,
    /// Why it ranks so.
    pub reasons: &'a [String],
    /// A desired-state comparison (removed reads "missing in the cluster").
    pub desired: bool,
}

impl Item<'_> {
    /// The driftlab path (`""` for the object itself).
    pub fn path(&self) -> String {
        self.change.map(|c| c.path.human()).unwrap_or_default()
    }

    /// Whether CI should fail on it: everything but churn and low-rank changes (images rewritten
    /// by their own trigger, labels and annotations), which are warnings.
    pub fn is_error(&self) -> bool {
        !matches!(
            self.category,
            Category::Churn | Category::Metadata | Category::TriggeredImage
        )
    }

    /// `Deployment shop/web`.
    pub fn object(&self) -> String {
        if self.key.namespace.is_empty() {
            format!("{} {}", self.key.kind, self.title)
        } else {
            format!("{} {}/{}", self.key.kind, self.key.namespace, self.title)
        }
    }

    /// What changed, in one line: `spec.replicas: 2 → 5 (security-sensitive: …)`.
    pub fn message(&self) -> String {
        let mut text = match self.change {
            None => match (self.object_change, self.desired) {
                (ObjectChange::Added, true) => "in the cluster, not in the manifests".to_string(),
                (ObjectChange::Added, false) => "added".to_string(),
                (ObjectChange::Removed, true) => "missing in the cluster".to_string(),
                (ObjectChange::Removed, false) => "removed".to_string(),
                _ => "changed".to_string(),
            },
            Some(change) => format!("{}: {}", present::path(change), what(change)),
        };
        if let Some(reason) = self.reasons.first() {
            text.push_str(&format!(" ({reason})"));
        }
        text
    }
}

/// `2 → 5`, `set to 5`, `removed (was 2)`, `120 element changes`, with long values cut.
fn what(change: &Change) -> String {
    if let Some(elided) = &change.elided {
        return values::elided(elided);
    }
    let show = |v: &serde_json::Value| cut(&present::value(change, v));
    match (change.op, &change.old, &change.new) {
        (Op::Add, _, Some(new)) => format!("set to {}", show(new)),
        (Op::Remove, Some(old), _) => format!("removed (was {})", show(old)),
        (_, Some(old), Some(new)) => format!("{} → {}", show(old), show(new)),
        _ => "changed".to_string(),
    }
}

/// Values longer than this are cut in annotations (the JSON report keeps them whole).
const MAX_VALUE_CHARS: usize = 200;

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text.to_string();
    }
    let kept: String = text.chars().take(MAX_VALUE_CHARS).collect();
    format!("{kept}…")
}

/// Every visible change of `analysis`, object by object; repeated changes once per object they
/// are on. Churn only with `--all`.
pub fn items<'a>(analysis: &'a Analysis) -> Vec<Item<'a>> {
    let mut items = Vec::new();
    for entry in &analysis.entries {
        if !entry.shows() || (entry.is_churn() && !analysis.show_all) {
            continue;
        }
        let item = |change: Option<&'a Finding>| Item {
            key: &entry.key,
            title: entry.title_name(),
            change: change.map(|f| &f.change),
            object_change: entry.change,
            category: change.map_or(entry.category, |f| f.category),
            reasons: change.map_or(&[][..], |f| &f.reasons[..]),
            desired: analysis.desired,
        };
        if whole(entry) {
            items.push(item(None));
            continue;
        }
        let before = items.len();
        items.extend(entry.visible().map(|f| item(Some(f))));
        if items.len() == before {
            // A pair or group with nothing of its own to show.
            items.push(item(None));
        }
    }
    for repeated in &analysis.repeated {
        for key in &repeated.objects {
            items.push(Item {
                key,
                title: key.name.clone(),
                change: Some(&repeated.change),
                object_change: ObjectChange::Changed,
                category: repeated.category,
                reasons: &[],
                desired: analysis.desired,
            });
        }
    }
    items
}

/// Whether the entry is an object added or removed whole (not a pair of generated objects).
fn whole(entry: &Entry) -> bool {
    !entry.is_pair() && matches!(entry.change, ObjectChange::Added | ObjectChange::Removed)
}
