//! Drives the C and C++ programs of `ffi-tests/` against the static library
//! that this `cargo test` built: each one with AddressSanitizer and UBSan,
//! then plain under valgrind when valgrind is installed. Also checks that
//! the freestanding static library needs nothing but compiler builtins.

#[path = "common/suite.rs"]
mod suite;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Linker flags std needs, as `rustc --print native-static-libs` reports.
const NATIVE_LIBS: [&str; 7] = [
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>`: the test binary lives in its `deps/`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

/// The hosted static library, built once per test run by a nested cargo
/// into its own target folder (with debug assertions, so that an overflow
/// would abort rather than wrap).
fn static_lib() -> PathBuf {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let target_dir = profile_dir().parent().unwrap().join("ffi-lib");
        run(Command::new(env!("CARGO"))
            .current_dir(root())
            .args([
                "rustc",
                "--lib",
                "--features",
                "capi",
                "--crate-type",
                "staticlib",
                "--target-dir",
            ])
            .arg(&target_dir));
        target_dir.join("debug/libmixup.a")
    })
    .clone()
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ffi-tests");
    std::fs::create_dir_all(&dir).unwrap();
    dir
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
    assert!(
        output.status.success(),
        "{cmd:?} failed ({}):\n{text}",
        output.status
    );
    text
}

/// Compiles one program of `ffi-tests/` with the strictest warnings.
fn compile(source: &str, sanitize: bool) -> PathBuf {
    compile_path(&root().join("ffi-tests").join(source), sanitize)
}

/// Compiles a C (or, ending in `.cpp`, C++) program with the strictest
/// warnings, against the static library.
fn compile_path(source: &Path, sanitize: bool) -> PathBuf {
    let cpp = source.extension().is_some_and(|e| e == "cpp");
    let name = source.file_name().unwrap().to_string_lossy();
    let exe = out_dir().join(format!(
        "{name}.{}",
        if sanitize { "asan" } else { "plain" }
    ));
    let mut cmd = Command::new(if cpp { "g++" } else { "gcc" });
    cmd.arg(if cpp { "-std=c++17" } else { "-std=c99" })
        .args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .arg(format!("-I{}", root().join("include").display()))
        .arg(source);
    if sanitize {
        cmd.args([
            "-O1",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ]);
    } else {
        cmd.arg("-O2");
    }
    cmd.arg(static_lib()).args(NATIVE_LIBS).arg("-o").arg(&exe);
    run(&mut cmd);
    exe
}

/// Whether valgrind is here; under CI it must be.
fn have_valgrind() -> bool {
    let here = suite::works("valgrind", &["--version"]);
    assert!(
        here || !suite::must_run(),
        "valgrind is not installed (apt-get install valgrind); CI runs every check"
    );
    here
}

/// Runs a program sanitized, then under valgrind when present.
fn run_both_ways(source: &str, args: &[&Path]) -> String {
    let text = run(Command::new(compile(source, true)).args(args));
    if have_valgrind() {
        let plain = compile(source, false);
        run(Command::new("valgrind")
            .args(["-q", "--error-exitcode=1", "--leak-check=full"])
            .arg(plain)
            .args(args));
    } else {
        eprintln!("valgrind is not installed: {source} ran under the sanitizers only");
    }
    text
}

#[test]
fn c_program_calls_everything_and_reaches_every_error() {
    let text = run_both_ways("test_api.c", &[]);
    assert!(text.contains("all checks passed"), "{text}");
}

#[test]
fn c_program_draws_a_plan_and_applies_it_in_parts_on_two_threads() {
    let text = run_both_ways("test_plan_threads.c", &[]);
    assert!(text.contains("all checks passed"), "{text}");
}

#[test]
fn c_program_mixes_segmentation_masks_by_a_drawn_plan() {
    let text = run_both_ways("test_masks.c", &[]);
    assert!(text.contains("all checks passed"), "{text}");
}

#[test]
fn cpp_program_uses_the_header() {
    let text = run_both_ways("test_api.cpp", &[]);
    assert!(text.contains("all checks passed"), "{text}");
}

/// The README's C snippet, as a user copies it, with a `main` that calls it.
#[test]
fn readme_c_snippet_compiles_as_c_and_cpp_and_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let snippet = readme
        .split("```c\n")
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("int mix_batch("))
        .expect("README.md has the C block of mix_batch");
    let main = r#"
#include <math.h>
int main(void) {
    enum { N = 5, LEN = 7, K = 3 };
    float images[N * LEN], targets[N * K];
    int64_t labels[N] = {0, 1, 2, 0, 1};
    double lambdas[N];
    uint32_t partners[N];
    int i, k;
    for (i = 0; i < N * LEN; i++) images[i] = (float)i;
    if (mix_batch(images, labels, N, LEN, K, 2026, 0, targets, lambdas, partners) != 0) return 1;
    for (i = 0; i < N; i++) {
        float sum = 0.0f;
        for (k = 0; k < K; k++) sum += targets[i * K + k];
        if (fabsf(sum - 1.0f) > 1e-5f || partners[i] >= N || !(lambdas[i] >= 0.0)) return 2;
    }
    if (mix_batch(images, labels, N, LEN, 0, 2026, 1, targets, lambdas, partners) != -1) return 3;
    puts("the README's snippet ran");
    return 0;
}
"#;
    for ext in ["c", "cpp"] {
        let source = out_dir().join(format!("readme_snippet.{ext}"));
        std::fs::write(&source, format!("{snippet}{main}")).unwrap();
        let text = run(&mut Command::new(compile_path(&source, true)));
        assert!(text.contains("the README's snippet ran"), "{ext}: {text}");
    }
}

#[test]
fn c_loader_example_mixes_the_photographs() {
    let out = out_dir().join("loader");
    std::fs::create_dir_all(&out).unwrap();
    let data = root().join("examples/data");
    let text = run_both_ways("loader_example.c", &[&data, &out]);
    assert!(text.contains("wrote 6 mixed images"), "{text}");
    for name in [
        "astronaut",
        "chelsea",
        "coffee",
        "hubble",
        "retina",
        "rocket",
    ] {
        let bytes = std::fs::read(out.join(format!("mixed_{name}.ppm"))).unwrap();
        assert!(bytes.starts_with(b"P6\n224 224\n255\n") && bytes.len() == 15 + 224 * 224 * 3);
    }
}

/// Symbols a freestanding C toolchain provides itself.
const BUILTINS: [&str; 5] = ["memcpy", "memmove", "memset", "memcmp", "bcmp"];

#[test]
fn freestanding_static_library_needs_only_compiler_builtins() {
    let target_dir = profile_dir().parent().unwrap().join("freestanding");
    run(Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "rustc",
            "--release",
            "--lib",
            "--no-default-features",
            "--features",
            "capi,panic-handler",
        ])
        .args(["--crate-type", "staticlib", "--target-dir"])
        .arg(&target_dir));
    let lib = target_dir.join("release/libmixup.a");
    // --target skips the LTO plugin, which cannot read Rust's embedded bitcode
    let symbols = |flag: &str| -> Vec<String> {
        run(Command::new("nm")
            .args(["--target=elf64-x86-64", flag])
            .arg(&lib))
        .lines()
        .filter_map(|l| l.split_whitespace().last().map(str::to_owned))
        .collect()
    };
    let defined: std::collections::HashSet<String> =
        symbols("--defined-only").into_iter().collect();
    let mut missing: Vec<String> = run(Command::new("nm")
        .args(["--target=elf64-x86-64", "-u"])
        .arg(&lib))
    .lines()
    .filter(|l| l.trim_start().starts_with("U "))
    .filter_map(|l| l.split_whitespace().last().map(str::to_owned))
    .filter(|s| !defined.contains(s))
    .collect();
    missing.sort();
    missing.dedup();
    assert!(
        !missing.is_empty(),
        "nm found no undefined symbol at all: is the check reading the archive?"
    );
    let foreign: Vec<&String> = missing
        .iter()
        .filter(|s| !BUILTINS.contains(&s.as_str()))
        .collect();
    assert!(
        foreign.is_empty(),
        "undefined symbols beyond compiler builtins: {foreign:?}"
    );
    assert!(
        symbols("--defined-only")
            .iter()
            .any(|s| s == "mixup_batch_f32")
    );
}
