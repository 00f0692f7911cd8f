//! The web UI's TypeScript types (`web/src/gen/chatkit.ts`) are generated from the Rust wire
//! types (feature `ts`). Run with `CHATKIT_WRITE_TS=1` to (re)write the file; without it the test
//! fails when the file is missing or stale, so the front end cannot drift from the wire types.
#![cfg(feature = "ts")]

use std::path::Path;

#[test]
fn the_web_ui_typescript_types_match_the_rust_wire_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/src/gen/chatkit.ts");
    let generated = chatkit_types::ts::typescript();
    if std::env::var_os("CHATKIT_WRITE_TS").is_some() {
        std::fs::create_dir_all(path.parent().expect("a parent directory")).expect("mkdir");
        std::fs::write(&path, &generated).expect("write the TypeScript module");
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "{} is missing or stale: rerun with CHATKIT_WRITE_TS=1",
        path.display()
    );
}
