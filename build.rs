//! The build step: the table of server defaults (`src/apiserver/defaults/table.yaml`, written for
//! people) becomes compact JSON in `OUT_DIR`, which `src/apiserver/defaults/table.rs` embeds and
//! parses on first use. Parsing the YAML itself took about 5 ms of every run of a release build;
//! the JSON takes a fraction of a millisecond.

fn main() {
    const TABLE: &str = "src/apiserver/defaults/table.yaml";
    println!("cargo:rerun-if-changed={TABLE}");
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let table: serde_json::Value =
        serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = std::path::Path::new(&out_dir).join("defaults_table.json");
    std::fs::write(&out, table.to_string()).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
