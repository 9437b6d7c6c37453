//! The committed `include/mixup.h` is exactly what cbindgen generates from
//! the source now. `MIXUP_BLESS=1 cargo test --test header` rewrites it.

use std::path::Path;

#[test]
fn committed_header_is_what_cbindgen_generates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen failed on the source");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = root.join("include/mixup.h");
    if std::env::var_os("MIXUP_BLESS").is_some() {
        std::fs::create_dir_all(root.join("include")).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/mixup.h differs from what cbindgen generates; run MIXUP_BLESS=1 cargo test --test header"
    );
}

#[test]
fn version_macros_match_the_library_and_cargo_toml() {
    use mixup::ffi::*;
    let macros = format!("{MIXUP_VERSION_MAJOR}.{MIXUP_VERSION_MINOR}.{MIXUP_VERSION_PATCH}");
    assert_eq!(macros, env!("CARGO_PKG_VERSION"));
    // SAFETY: mixup_version returns a static NUL-terminated string.
    let runtime = unsafe { std::ffi::CStr::from_ptr(mixup_version()) };
    assert_eq!(runtime.to_str().unwrap(), macros);
    let header =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/include/mixup.h")).unwrap();
    assert!(header.contains(&format!(
        "#define MIXUP_VERSION_MINOR {MIXUP_VERSION_MINOR}"
    )));
}

/// Every function of the header is called by a hostile-argument test.
#[test]
fn every_exported_function_has_a_hostile_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header = std::fs::read_to_string(root.join("include/mixup.h")).unwrap();
    let mut hostile = String::new();
    for entry in std::fs::read_dir(root.join("tests")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("hostile") || name == "abi_growth.rs" {
            hostile += &std::fs::read_to_string(entry.path()).unwrap();
        }
    }
    let functions: Vec<&str> = header
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("mixup_") && header.contains(&format!(" {w}(")))
        .collect();
    assert!(functions.len() >= 30, "found only {functions:?}");
    let missing: Vec<&&str> = functions
        .iter()
        .filter(|f| !hostile.contains(&format!("{f}(")) && !hostile.contains(&format!("{f},")))
        .collect();
    assert!(missing.is_empty(), "no hostile test calls {missing:?}");
}
