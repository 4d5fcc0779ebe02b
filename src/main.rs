// Imports and exports of a whole register allocate millions of small values; mimalloc measured
// markedly faster than the system allocator there (BENCHMARKS.md, CSV import).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    greenict::cli::main()
}
