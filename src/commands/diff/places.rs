//! What the CI formats need from both sides before they are dropped: where each visible change
//! is in the manifests, and every object compared.

use crate::analyze::Analysis;
use crate::report::ci::{Context, items};
use crate::snapshot::Snapshot;
use crate::source::locate::Locator;

/// The places of the visible changes of `analysis` (in the old side's files, else the new
/// side's, when they are files) and the objects of both sides.
pub fn context(analysis: &Analysis, old: &Snapshot, new: &Snapshot) -> Context {
    let mut sides = [
        (old, Locator::new(&old.info)),
        (new, Locator::new(&new.info)),
    ];
    let mut context = Context::default();
    for item in items(analysis) {
        let path = item.path();
        if context
            .places
            .contains_key(&(item.key.clone(), path.clone()))
        {
            continue;
        }
        for (snapshot, locator) in sides.iter_mut() {
            let Some(stored) = snapshot.get(item.key) else {
                continue;
            };
            let object = locator.locate(item.key, stored, None);
            let field = item
                .change
                .and_then(|change| locator.locate(item.key, stored, Some(&change.path)));
            if let Some(place) = object {
                context
                    .places
                    .insert((item.key.clone(), String::new()), place);
                if let Some(place) = field {
                    context
                        .places
                        .insert((item.key.clone(), path.clone()), place);
                }
                break;
            }
        }
    }
    let mut compared: Vec<_> = old
        .objects()
        .keys()
        .chain(new.objects().keys())
        .cloned()
        .collect();
    compared.sort();
    compared.dedup();
    context.compared = compared;
    context.only_new = new
        .objects()
        .keys()
        .filter(|key| old.get(key).is_none())
        .cloned()
        .collect();
    context
}
