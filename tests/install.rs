//! The C library as C users install it: `cargo cinstall --destdir` gives
//! the versioned shared library with its SONAME, the static library, the
//! header and `mixup.pc`; the C loader example then builds with
//! `pkg-config --cflags --libs mixup` (shared and static) and as a CMake
//! project with `pkg_check_modules(... IMPORTED_TARGET mixup)`, and runs.
//!
//! Needs cargo-c, pkg-config and cmake; where one is missing the test says
//! so in one line and passes (`.ci/run` installs all three).

use std::path::{Path, PathBuf};
use std::process::Command;

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

fn available(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The one file named `name` under `dir`, searched recursively.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == name) {
            return Some(path);
        }
        if path.is_dir()
            && !path.is_symlink()
            && let Some(found) = find(&path, name)
        {
            return Some(found);
        }
    }
    None
}

#[test]
fn installed_library_builds_with_pkg_config_and_cmake() {
    let missing: Vec<&str> = [
        (
            "cargo-c",
            available(env!("CARGO"), &["cinstall", "--version"]),
        ),
        ("pkg-config", available("pkg-config", &["--version"])),
        ("cmake", available("cmake", &["--version"])),
    ]
    .iter()
    .filter(|(_, ok)| !ok)
    .map(|(name, _)| *name)
    .collect();
    if !missing.is_empty() {
        eprintln!("skipped: the install test needs {missing:?} (.ci/run installs them)");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install");
    let _ = std::fs::remove_dir_all(&work);
    let destdir = work.join("destdir");
    // its own target folder: the outer cargo holds the lock of ours
    run(Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "cinstall",
            "--release",
            "--prefix",
            "/usr/local",
            "--destdir",
        ])
        .arg(&destdir)
        .arg("--target-dir")
        .arg(root().join("target/capi")));

    let pc = find(&destdir, "mixup.pc").expect("mixup.pc installed");
    let libdir = pc.parent().unwrap().parent().unwrap().to_path_buf();
    assert!(find(&destdir, "mixup.h").is_some(), "header installed");
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

    // pkg-config sees the tree as if it were installed at /usr/local
    let pkg_env = |cmd: &mut Command| {
        cmd.env("PKG_CONFIG_PATH", pc.parent().unwrap())
            .env("PKG_CONFIG_SYSROOT_DIR", &destdir);
    };
    let flags = |args: &[&str]| -> Vec<String> {
        let mut cmd = Command::new("pkg-config");
        pkg_env(&mut cmd);
        run(cmd.args(args).arg("mixup"))
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    let data = root().join("examples/data");
    let example = root().join("ffi-tests/loader_example.c");
    for (name, link) in [
        ("shared", vec!["--libs"]),
        ("static", vec!["--libs", "--static"]),
    ] {
        let exe = work.join(format!("loader_{name}"));
        let mut cc = Command::new("cc");
        cc.args(["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror"])
            .arg(&example)
            .args(flags(&["--cflags"]))
            .args(if name == "static" {
                // the archive itself, then what it needs
                let mut libs = vec![libdir.join("libmixup.a").display().to_string()];
                libs.extend(flags(&link).into_iter().filter(|f| f != "-lmixup"));
                libs
            } else {
                flags(&link)
            })
            .arg("-o")
            .arg(&exe);
        run(&mut cc);
        let out = work.join(format!("out_{name}"));
        std::fs::create_dir_all(&out).unwrap();
        let text = run(Command::new(&exe)
            .env("LD_LIBRARY_PATH", &libdir)
            .arg(&data)
            .arg(&out));
        assert!(text.contains("wrote 6 mixed images"), "{name}: {text}");
    }

    let build = work.join("cmake-build");
    let mut configure = Command::new("cmake");
    pkg_env(&mut configure);
    run(configure
        .arg("-S")
        .arg(root().join("ffi-tests/cmake"))
        .arg("-B")
        .arg(&build));
    run(Command::new("cmake").arg("--build").arg(&build));
    let out = work.join("out_cmake");
    std::fs::create_dir_all(&out).unwrap();
    let text = run(Command::new(build.join("loader_example"))
        .env("LD_LIBRARY_PATH", &libdir)
        .arg(&data)
        .arg(&out));
    assert!(text.contains("wrote 6 mixed images"), "cmake: {text}");
}
