//! The `chatkit` binary: see `chatkit --help`.

/// mimalloc: a mint allocates a few dozen small buffers, and glibc's malloc showed up as a fifth
/// of the broker's CPU time in profiles (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    chatkit::cli::main()
}
