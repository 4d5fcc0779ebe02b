fn main() -> std::process::ExitCode {
    greenict::cli::main()
}
