//! One module per subcommand. Each defines `Args` (clap) and `run(args, ctx)`.

pub mod convert;
pub mod demo;
pub mod detect;
pub mod info;
pub mod report;
pub mod score;
pub mod simulate;
