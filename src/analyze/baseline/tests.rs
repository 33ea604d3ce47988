use serde_json::json;

use super::*;

fn entry(name: &str, path: &str, value: Value) -> Accepted {
    Accepted {
        group: "apps".into(),
        kind: "Deployment".into(),
        namespace: "shop".into(),
        name: name.into(),
        value: AcceptedValue::Field {
            path: path.into(),
            value,
        },
        reason: None,
        expires: None,
        file: "b.yaml".into(),
        line: 3,
    }
}

#[test]
fn an_entry_holds_through_its_last_day() {
    let expiry = Expiry {
        text: "2027-01-31".into(),
        last_day: Timestamp::parse_stamp("20270131").unwrap(),
    };
    let at = |stamp: &str| Timestamp::parse_stamp(stamp).unwrap();
    assert!(!expiry.has_passed(at("202701312359")));
    assert!(expiry.has_passed(at("202702010000")));
}

#[test]
fn numbers_match_by_value_everything_else_exactly() {
    let a = AcceptedValue::Field {
        path: "spec.replicas".into(),
        value: json!(5),
    };
    let b = AcceptedValue::Field {
        path: "spec.replicas".into(),
        value: serde_json::from_str("5.0").unwrap(),
    };
    assert!(same(&a, &b));
    let c = AcceptedValue::Field {
        path: "spec.replicas".into(),
        value: json!("5"),
    };
    assert!(!same(&a, &c));
}

#[test]
fn an_update_keeps_reasons_by_object_and_path_and_sorts() {
    let mut old = entry("web", "spec.replicas", json!(3));
    old.reason = Some("the HPA scales it".into());
    let candidates = vec![
        entry("web", "spec.replicas", json!(5)),
        entry("api", "spec.replicas", json!(1)),
        entry("api", "spec.replicas", json!(1)),
    ];
    let out = updated(&candidates, &[old]);
    let names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["api", "web"]);
    assert_eq!(out[1].reason.as_deref(), Some("the HPA scales it"));
    assert_eq!(out[0].reason, None);
}
