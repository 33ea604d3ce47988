//! Every kind of source `driftlab diff` reads, and the quirks of real archives.

mod common;

use common::{NIGHT1, NIGHT2, driftlab, stdout};
use driftlab::snapshot::{Level, ObjectKey, Snapshot, SourceFormat};
use driftlab::source::{self, ReadOptions};
use serde_json::{Value, json};

fn read(path: &str) -> Snapshot {
    source::read(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn key(namespace: &str, group: &str, kind: &str, name: &str) -> ObjectKey {
    ObjectKey {
        namespace: namespace.into(),
        kind: kind.into(),
        name: name.into(),
        group: group.into(),
    }
}

fn body(snapshot: &Snapshot, key: &ObjectKey) -> Value {
    snapshot
        .get(key)
        .unwrap_or_else(|| panic!("{key} missing"))
        .value()
}

#[test]
fn openshift_backup_archive_quirks() {
    let night1 = read(&common::repo(NIGHT1).to_string_lossy());
    assert_eq!(night1.info.format, SourceFormat::OpenshiftBackup);
    assert_eq!(night1.info.taken.unwrap().to_string(), "2018-09-11 00:15");

    // ns.json lists every namespace in every project folder: each Namespace once, cluster-scoped.
    let namespaces: Vec<&ObjectKey> = night1
        .iter()
        .map(|(k, _)| k)
        .filter(|k| k.kind == "Namespace")
        .collect();
    assert_eq!(namespaces.len(), 2);
    assert!(namespaces.iter().all(|k| k.namespace.is_empty()));
    assert!(
        body(&night1, namespaces[0])
            .pointer("/metadata/namespace")
            .is_none()
    );

    // Blank metadata.namespace: the project folder is the namespace, and the body says so.
    let rc = key("myproject", "", "ReplicationController", "web-3");
    assert_eq!(body(&night1, &rc)["metadata"]["namespace"], "myproject");

    // pvcs.json wins over pvcs_attachment.json, silently.
    let pvc = body(
        &night1,
        &key("myproject", "", "PersistentVolumeClaim", "postgresql-data"),
    );
    assert!(pvc["spec"].get("volumeName").is_none(), "{pvc}");

    // Legacy per-object files and stacked JSON of an older tool version.
    let jenkins = key("tools", "apps.openshift.io", "DeploymentConfig", "jenkins");
    let dc = night1.get(&jenkins).expect("legacy dc_jenkins.json read");
    assert_eq!(dc.api_version, "v1");
    assert_eq!(&*dc.origin, "tools/dc_jenkins.json");
    // The derived _patched copy (replicas 0) was ignored, not taken as the object.
    assert_eq!(dc.value()["spec"]["replicas"], 1);
    assert!(
        night1
            .get(&key("tools", "", "Endpoints", "jenkins"))
            .is_some()
    );
    assert!(
        night1
            .get(&key(
                "tools",
                "image.openshift.io",
                "ImageStream",
                "jenkins"
            ))
            .is_some()
    );
    assert!(
        night1
            .get(&key(
                "tools",
                "image.openshift.io",
                "ImageStream",
                "jenkins-agent-maven"
            ))
            .is_some()
    );

    // Housekeeping fields are gone.
    for (key, stored) in night1.iter() {
        let metadata = &stored.value()["metadata"];
        for field in ["resourceVersion", "creationTimestamp", "selfLink", "uid"] {
            assert!(
                metadata.get(field).is_none(),
                "{field} of {key} survived normalisation"
            );
        }
    }

    let notes: Vec<_> = night1
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Note)
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", night1.diagnostics);
    assert!(
        night1.diagnostics.iter().all(|d| d.level != Level::Warning),
        "{:?}",
        night1.diagnostics
    );

    let night2 = read(&common::repo(NIGHT2).to_string_lossy());
    let warnings: Vec<_> = night2
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Warning)
        .collect();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .message
            .ends_with("tools/templates.json: empty file (0 bytes), skipped; a failed export run?")
    );
}

#[test]
fn an_unzipped_archive_reads_like_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(common::repo(NIGHT1)).unwrap();
    for (name, data) in common::unzip(&bytes) {
        common::write(dir.path(), &name, &data);
    }
    // A README or SQL dump beside the JSON files is not a manifest and is ignored.
    common::write(dir.path(), "myproject/notes.txt", b"not a manifest");
    let unzipped = dir.path().to_str().unwrap();
    let output = driftlab()
        .args(["diff", NIGHT1, unzipped])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).ends_with("0 changed, 0 added, 0 removed, 36 unchanged\n"));
}

#[test]
fn driftlab_archive_with_manifest_and_cluster_folder() {
    let dir = tempfile::tempdir().unwrap();
    let list =
        |items: Value| json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string();
    let zip = common::zip_bytes(
        &[
            ("driftlab-manifest.json", json!({"startTime": "2026-03-04T01:02:03Z", "complete": true}).to_string().as_bytes()),
            ("shop/configmaps.json", list(json!([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}])).as_bytes()),
            ("_cluster/namespaces.json", list(json!([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}])).as_bytes()),
            ("_cluster/clusterroles.json", list(json!([{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "view"}}])).as_bytes()),
        ],
        false,
    );
    let path = common::write(dir.path(), "driftlab-202603040102.zip", &zip);
    let snapshot = read(&path);
    assert_eq!(snapshot.info.format, SourceFormat::DriftlabArchive);
    assert_eq!(
        snapshot.info.taken.unwrap().rfc3339(),
        "2026-03-04T01:02:03Z"
    );
    assert!(snapshot.get(&key("shop", "", "ConfigMap", "a")).is_some());
    assert!(snapshot.get(&key("", "", "Namespace", "shop")).is_some());
    assert!(
        snapshot
            .get(&key("", "rbac.authorization.k8s.io", "ClusterRole", "view"))
            .is_some()
    );
    assert_eq!(snapshot.len(), 3);
}

#[test]
fn a_tree_of_manifests() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "base/app.yaml",
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n---\n# a comment-only document\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}\n",
    );
    common::write(
        dir.path(),
        "base/list.json",
        br#"{"apiVersion": "v1", "kind": "ConfigMapList", "items": [{"metadata": {"name": "cfg", "namespace": "shop"}, "data": {"a": "1"}}]}"#,
    );
    common::write(
        dir.path(),
        "overlays/prod/ns.yml",
        b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
    );
    common::write(dir.path(), ".git/config.json", b"{\"not\": \"read\"}");
    common::write(dir.path(), "README.md", b"# not a manifest");
    let snapshot = read(dir.path().to_str().unwrap());
    assert_eq!(snapshot.info.format, SourceFormat::Directory);
    let keys: Vec<String> = snapshot.iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(
        keys,
        [
            "Namespace shop",
            "ConfigMap shop/cfg",
            "Deployment shop/web",
            "Service shop/web"
        ]
    );
    // Items of a typed List get their kind and apiVersion from it.
    assert_eq!(
        snapshot
            .get(&key("shop", "", "ConfigMap", "cfg"))
            .unwrap()
            .api_version,
        "v1"
    );
    assert!(
        snapshot.diagnostics.is_empty(),
        "{:?}",
        snapshot.diagnostics
    );
}

#[test]
fn manifests_without_namespace_do_not_take_their_folder_name() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "base/cm.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    let snapshot = read(dir.path().to_str().unwrap());
    assert!(snapshot.get(&key("", "", "ConfigMap", "c")).is_some());
}

#[test]
fn single_files_in_every_shape() {
    let dir = tempfile::tempdir().unwrap();
    let object = common::write(dir.path(), "one.json", br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "p"}}"#);
    let list = common::write(
        dir.path(),
        "list.json",
        br#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "p"}}]}"#,
    );
    let stacked = common::write(
        dir.path(),
        "stacked.json",
        b"{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\", \"namespace\": \"p\"}}\n{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"b\", \"namespace\": \"p\"}}\n",
    );
    let yaml = common::write(
        dir.path(),
        "multi.yaml",
        b"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: p}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: p}\n",
    );
    let array = common::write(dir.path(), "array.json", br#"[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "p"}}]"#);
    assert_eq!(read(&object).len(), 1);
    assert_eq!(read(&list).len(), 1);
    assert_eq!(read(&stacked).len(), 2);
    assert_eq!(read(&yaml).len(), 2);
    assert_eq!(read(&array).len(), 1);
    assert_eq!(read(&yaml).info.format, SourceFormat::File);
    // The same objects in two shapes compare equal.
    let output = driftlab().args(["diff", &stacked, &yaml]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn velero_tarball_skips_preferred_version_copies() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 3}});
    let decoy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 99}});
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    let tarball = common::tar_gz_bytes(&[
        ("metadata/version", b"1"),
        (
            "resources/deployments.apps/namespaces/shop/web.json",
            deployment.to_string().as_bytes(),
        ),
        (
            "resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json",
            decoy.to_string().as_bytes(),
        ),
        (
            "resources/namespaces/cluster/shop.json",
            namespace.to_string().as_bytes(),
        ),
        (
            "resources/namespaces/v1-preferredversion/cluster/shop.json",
            namespace.to_string().as_bytes(),
        ),
    ]);
    let path = common::write(dir.path(), "velero-backup.tar.gz", &tarball);
    let snapshot = read(&path);
    assert_eq!(snapshot.info.format, SourceFormat::Velero);
    assert_eq!(snapshot.len(), 2, "{:?}", snapshot.diagnostics);
    assert_eq!(
        body(&snapshot, &key("shop", "apps", "Deployment", "web"))["spec"]["replicas"],
        3
    );
    assert!(
        snapshot.diagnostics.is_empty(),
        "{:?}",
        snapshot.diagnostics
    );

    // Compared with the same objects as manifests: no difference.
    let manifests = common::write(
        dir.path(),
        "same.yaml",
        format!("{deployment}\n---\n{namespace}\n").as_bytes(),
    );
    let output = driftlab()
        .args(["diff", &path, &manifests])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn objects_without_kind_or_name_are_warned_about_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(
        dir.path(),
        "mixed.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: p}\n---\napiVersion: v1\nmetadata: {name: nokind}\n---\nkind: ConfigMap\nmetadata: {generateName: x-}\n",
    );
    let output = driftlab().args(["diff", &path, &path]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let errors = common::stderr(&output);
    assert!(
        errors.contains("mixed.yaml: skipped 2 objects without kind or metadata.name"),
        "{errors}"
    );
    assert!(stdout(&output).ends_with("0 changed, 0 added, 0 removed, 1 unchanged\n"));
}

#[test]
fn an_empty_archive_is_refused_unless_empty_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let empty = common::write(dir.path(), "empty.zip", &common::zip_bytes(&[], false));
    let output = driftlab()
        .args(["diff", &empty, NIGHT1, "-n", "tools"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        common::stderr(&output).contains("empty.zip: holds no Kubernetes object; --allow-empty"),
        "{}",
        common::stderr(&output)
    );
    let output = driftlab()
        .args(["diff", &empty, NIGHT1, "-n", "tools", "--allow-empty"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output)
            .ends_with("0 changed, 4 added, 0 removed, 0 unchanged · 1 replaced or generated\n"),
        "{}",
        stdout(&output)
    );
    let output = driftlab()
        .args(["diff", &empty, &empty, "--allow-empty"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn duplicates_in_plain_manifests_warn_with_both_files() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "a.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: p}\ndata: {v: '1'}\n",
    );
    common::write(
        dir.path(),
        "b.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: p}\ndata: {v: '2'}\n",
    );
    let snapshot = read(dir.path().to_str().unwrap());
    assert_eq!(
        body(&snapshot, &key("p", "", "ConfigMap", "c"))["data"]["v"],
        "1"
    );
    assert_eq!(snapshot.diagnostics.len(), 1);
    let message = &snapshot.diagnostics[0].message;
    assert!(
        message.contains("b.yaml")
            && message.contains("a.yaml")
            && message.contains("keeping the first"),
        "{message}"
    );
}
