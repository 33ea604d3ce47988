//! The `driftlab` binary: everything happens in the library's `cli` module.

fn main() -> std::process::ExitCode {
    driftlab::cli::main()
}
