//! The `djinn` command line. Everything is in [`cli`]; this only exits with
//! the code the command returns.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
