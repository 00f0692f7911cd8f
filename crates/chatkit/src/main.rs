//! The `chatkit` binary: see `chatkit --help`.

fn main() -> std::process::ExitCode {
    chatkit::cli::main()
}
