//! Embeds every `schemas/*.json` into the binary, so a new table is declared
//! by adding its file: no list of tables to keep in step by hand.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("schemas/ is readable")
        .map(|e| e.expect("schemas/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut code = String::from("&[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 schema file name");
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display())
            .expect("String write");
    }
    code.push_str("]\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set")).join("schemas.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
