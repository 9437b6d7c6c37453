//! Builds the plain C loops as a competent programmer would ship them:
//! `-O3 -march=native -ffp-contract=off` (no FMA, so the same bits as
//! mixup's kernels).

fn main() {
    println!("cargo::rerun-if-changed=src/loops.c");
    cc::Build::new()
        .file("src/loops.c")
        .opt_level(3)
        .flag("-march=native")
        .flag("-ffp-contract=off")
        .flag("-std=c99")
        .warnings_into_errors(true)
        .compile("loops");
}
