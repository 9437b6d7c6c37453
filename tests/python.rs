//! The Python package's tests (`python/tests`, pytest) as part of `cargo
//! test`: builds the extension (`python/`, with the `python` profile) into
//! `target/python-tests`, lays the package out beside it and runs pytest
//! with `python3` (or `$PYTHON`), which needs NumPy and pytest (PyTorch,
//! torchvision and timm for the comparisons against them). Without NumPy
//! or pytest it says so in one line and passes, except under CI (see
//! `common/suite.rs`), where that and any skipped test fail.
//! `MIXUP_SKIP_PYTHON_TESTS` leaves it out on purpose (the aarch64 run
//! under qemu, whose host Python is not the target's).

#[path = "common/suite.rs"]
mod suite;

use std::path::Path;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    if std::env::var_os("MIXUP_SKIP_PYTHON_TESTS").is_some() {
        println!("python: left out (MIXUP_SKIP_PYTHON_TESTS is set)");
        return ExitCode::SUCCESS;
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    if !suite::works(&python, &["-c", "import numpy, pytest"]) {
        return suite::cannot_run(
            "python",
            &format!("NumPy and pytest in {python}"),
            "pip install numpy pytest, or set PYTHON to a Python that has them",
        );
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
    if !built.success() {
        println!("python: FAILED: building the extension failed");
        return ExitCode::FAILURE;
    }

    let package = target.join("site/mixup_exact");
    let _ = std::fs::remove_dir_all(&package);
    std::fs::create_dir_all(&package).unwrap();
    for entry in std::fs::read_dir(root.join("python/python/mixup_exact")).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "py" || e == "pyi" || e == "typed")
        {
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
    if !tested.success() {
        println!("python: FAILED: pytest failed");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
