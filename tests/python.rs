//! The Python package's tests (`python/tests`, pytest) as part of `cargo
//! test`: builds the extension (`python/`, with the `python` profile) into
//! `target/python-tests`, lays the package out beside it and runs pytest
//! with `python3` (or `$PYTHON`), which needs NumPy and pytest. Without
//! them the test says so and passes, unless `MIXUP_REQUIRE_PYTHON` is set
//! (as `.ci/run` sets it). `MIXUP_SKIP_PYTHON_TESTS` skips it (the aarch64
//! run under qemu, whose host Python is not the target's).

use std::path::Path;
use std::process::Command;

#[test]
fn python_package() {
    if std::env::var_os("MIXUP_SKIP_PYTHON_TESTS").is_some() {
        eprintln!("skipped the Python tests: MIXUP_SKIP_PYTHON_TESTS is set");
        return;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let ready = Command::new(&python)
        .args(["-c", "import numpy, pytest"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let why = format!(
            "skipped the Python tests: {python} lacks numpy or pytest (pip install numpy pytest)"
        );
        assert!(std::env::var_os("MIXUP_REQUIRE_PYTHON").is_none(), "{why}");
        eprintln!("{why}");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target/python-tests");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // its own target directory: the one of this `cargo test` is locked
    let built = Command::new(cargo)
        .args([
            "build",
            "--profile",
            "python",
            "--features",
            "extension-module",
        ])
        .arg("--manifest-path")
        .arg(root.join("python/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(built.success(), "building the extension failed");

    let package = target.join("site/mixup");
    let _ = std::fs::remove_dir_all(&package);
    std::fs::create_dir_all(&package).unwrap();
    for entry in std::fs::read_dir(root.join("python/mixup")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "py") {
            std::fs::copy(&path, package.join(path.file_name().unwrap())).unwrap();
        }
    }
    // the cdylib as Python names an extension module
    let built = format!(
        "{}mixup_native{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let module = if cfg!(windows) {
        "_native.pyd"
    } else {
        "_native.so"
    };
    let library = target.join("python").join(built);
    std::fs::copy(&library, package.join(module)).expect("the extension was built");

    let tested = Command::new(&python)
        .args([
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "python/tests",
        ])
        .env("PYTHONPATH", target.join("site"))
        .current_dir(root)
        .status()
        .expect("pytest runs");
    assert!(tested.success(), "the Python tests failed");
}
