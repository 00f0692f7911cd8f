//! The `chatkit` binary: see `chatkit --help`.

/// jemalloc: a mint allocates a few dozen small buffers, and glibc's malloc was a fifth of the
/// broker's CPU time in profiles. jemalloc cut CPU per mint from 50 to 42 µs while keeping idle
/// memory near glibc's (mimalloc was faster still but added about 10 MiB of resident memory);
/// see docs/performance.md.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    chatkit::cli::main()
}
