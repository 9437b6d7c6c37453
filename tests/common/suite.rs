//! For the suites that drive outside tools (pytest, cargo-c, pkg-config,
//! cmake) and are test binaries of their own (`harness = false`), so that
//! what they print reaches the terminal: a suite that cannot run says so in
//! one plain line, and under CI that line is a failure.
#![allow(dead_code)] // each suite uses what it needs

use std::process::{Command, ExitCode, Stdio};

/// Whether every suite must run: `CI` is set (to anything but `false` or
/// `0`), as CI services and `.ci/run` set it, or `MIXUP_REQUIRE_ALL` is.
pub fn must_run() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    ci || std::env::var_os("MIXUP_REQUIRE_ALL").is_some()
}

/// Reports that `suite` did not run for want of `missing` (with how to get
/// it): a skip, or under [`must_run`] a failure.
pub fn cannot_run(suite: &str, missing: &str, how: &str) -> ExitCode {
    if must_run() {
        println!("{suite}: FAILED: cannot run without {missing} ({how}); CI runs every suite");
        ExitCode::FAILURE
    } else {
        println!("{suite}: SKIPPED: needs {missing} ({how})");
        ExitCode::SUCCESS
    }
}

/// Whether `program args` runs and succeeds, with its output discarded
/// (a missing module's traceback is not for the terminal).
pub fn works(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
