//! The C library as the README tells C users to install it. In a copy of
//! the repository (its tracked and untracked, not ignored, files), with
//! `HOME` in a scratch folder, this runs the README's two `sh` blocks as
//! they are written: `cargo cinstall --prefix "$HOME/.local" --libdir ...`
//! then the loader example built with pkg-config and run, and the route
//! without cargo-c (`cargo rustc ... --crate-type staticlib`). It then
//! checks the installed tree: the SONAME and its link, the static library
//! linked through `pkg-config --static`, and the CMake project of
//! `ffi-tests/cmake` with `pkg_check_modules(... IMPORTED_TARGET mixup)`.
//!
//! Needs cargo-c, pkg-config, cmake and a C compiler; where one is missing
//! it says so in one line, and under CI fails (`common/suite.rs`).

#[path = "common/suite.rs"]
mod suite;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> String {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{cmd:?} failed:\n{text}");
    text
}

/// The README's `sh` block that contains `needle`.
fn readme_block(needle: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    readme
        .split("```sh\n")
        .skip(1)
        .map(|rest| &rest[..rest.find("```").expect("a closed block")])
        .find(|block| block.contains(needle))
        .unwrap_or_else(|| panic!("README.md has no sh block with {needle:?}"))
        .to_owned()
}

/// The repository's files as a clone would have them, copied into `tree`
/// (over an earlier copy, so that its `target/` builds incrementally).
fn copy_repository(tree: &Path) {
    let listed = run(Command::new("git").current_dir(root()).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]));
    for name in listed.split('\0').filter(|n| !n.is_empty()) {
        let from = root().join(name);
        if !from.is_file() {
            continue; // deleted in the working tree, or a submodule
        }
        let to = tree.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
}

/// Runs a README block with bash, stopping at the first failing line.
fn run_block(tree: &Path, home: &Path, block: &str) -> String {
    let _ = std::fs::remove_dir_all(tree.join("out"));
    let _ = std::fs::remove_file(tree.join("loader_example"));
    run(Command::new("bash")
        .args(["-euo", "pipefail", "-c", block])
        .current_dir(tree)
        .env("HOME", home)
        .env_remove("PKG_CONFIG_PATH")
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("CARGO_TARGET_DIR"))
}

/// The six mixed photographs the loader example writes, checked.
fn assert_loader_ran(text: &str, out: &Path, how: &str) {
    assert!(text.contains("wrote 6 mixed images"), "{how}: {text}");
    let mixed = std::fs::read_dir(out)
        .unwrap_or_else(|e| panic!("{how}: {}: {e}", out.display()))
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("mixed_"))
        })
        .count();
    assert_eq!(mixed, 6, "{how}: mixed images in {}", out.display());
}

fn main() -> ExitCode {
    let tools = [
        ("cargo-c", env!("CARGO"), &["cinstall", "--version"][..]),
        ("pkg-config", "pkg-config", &["--version"]),
        ("cmake", "cmake", &["--version"]),
        ("a C compiler (cc)", "cc", &["--version"]),
        ("git", "git", &["--version"]),
    ];
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(_, program, args)| !suite::works(program, args))
        .map(|(name, ..)| *name)
        .collect();
    if !missing.is_empty() {
        return suite::cannot_run(
            "install",
            &missing.join(", "),
            "cargo install cargo-c --version 0.10.24 --locked; apt-get install pkg-config cmake",
        );
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install");
    let (tree, home) = (work.join("tree"), work.join("home"));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    copy_repository(&tree);

    println!("install: the README's cargo cinstall lines, as written");
    let text = run_block(&tree, &home, &readme_block("cargo cinstall"));
    assert_loader_ran(&text, &tree.join("out"), "cargo cinstall");

    println!("install: the README's lines without cargo-c, as written");
    let text = run_block(&tree, &home, &readme_block("--crate-type staticlib\n"));
    assert_loader_ran(&text, &tree.join("out"), "cargo rustc");

    let libdir = home.join(".local/lib");
    check_installed_tree(&libdir, &work);
    println!("install: 4 passed, 0 failed");
    ExitCode::SUCCESS
}

/// What `cargo cinstall` put in `libdir`, used the other ways C users do.
fn check_installed_tree(libdir: &Path, work: &Path) {
    let include = libdir.parent().unwrap().join("include/mixup.h");
    assert!(include.exists(), "{} installed", include.display());
    assert!(
        libdir.join("libmixup.a").exists(),
        "static library installed"
    );
    let soname = run(Command::new("readelf")
        .arg("-d")
        .arg(libdir.join("libmixup.so")));
    let major_minor = format!(
        "libmixup.so.{}.{}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert!(
        soname.contains(&format!("Library soname: [{major_minor}]")),
        "{soname}"
    );
    assert!(
        libdir.join(&major_minor).exists(),
        "{major_minor} link installed"
    );

    let pkg_config_path = libdir.join("pkgconfig");
    let flags = |args: &[&str]| -> Vec<String> {
        run(Command::new("pkg-config")
            .env("PKG_CONFIG_PATH", &pkg_config_path)
            .args(args)
            .arg("mixup"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
    };
    let data = root().join("examples/data");
    println!("install: the static library through pkg-config --static");
    let exe = work.join("loader_static");
    // the archive itself, then what it needs
    let mut libs = vec![libdir.join("libmixup.a").display().to_string()];
    libs.extend(
        flags(&["--libs", "--static"])
            .into_iter()
            .filter(|f| f != "-lmixup"),
    );
    run(Command::new("cc")
        .args(["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror"])
        .arg(root().join("ffi-tests/loader_example.c"))
        .args(flags(&["--cflags"]))
        .args(libs)
        .arg("-o")
        .arg(&exe));
    let out = work.join("out_static");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let text = run(Command::new(&exe)
        .env_remove("LD_LIBRARY_PATH")
        .arg(&data)
        .arg(&out));
    assert_loader_ran(&text, &out, "static");

    println!("install: the CMake project of ffi-tests/cmake");
    let build = work.join("cmake-build");
    let _ = std::fs::remove_dir_all(&build);
    run(Command::new("cmake")
        .env("PKG_CONFIG_PATH", &pkg_config_path)
        .arg("-S")
        .arg(root().join("ffi-tests/cmake"))
        .arg("-B")
        .arg(&build));
    run(Command::new("cmake").arg("--build").arg(&build));
    let out = work.join("out_cmake");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let text = run(Command::new(build.join("loader_example"))
        .env("LD_LIBRARY_PATH", libdir)
        .arg(&data)
        .arg(&out));
    assert_loader_ran(&text, &out, "cmake");
}
