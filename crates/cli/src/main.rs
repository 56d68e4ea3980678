//! `eimfs`: the command-line interface. It parses arguments and calls the eimfs libraries; all the
//! work is done in the library crates.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd;
mod ctx;

pub use ctx::Ctx;

/// eimfs — epilepsy of infancy with migrating focal seizures: read infant EEG, find every seizure
/// and map where it starts and where it migrates, simulate the disease, score and report.
#[derive(Parser, Debug)]
#[command(name = "eimfs", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// No progress bars or summaries on stderr (errors are still printed).
    #[arg(long, short, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the whole pipeline on an embedded default: simulate, detect, score, report.
    Demo(cmd::demo::Args),
    /// Describe an EDF/EDF+/BDF file: header, channels, annotations, optional per-channel statistics.
    Info(cmd::info::Args),
    /// Rewrite an EDF/BDF file, optionally with a montage, channel selection, resampling or filters.
    Convert(cmd::convert::Args),
    /// Simulate infant EEG with migrating focal seizures from the KCNT1 channel up.
    Simulate(cmd::simulate::Args),
    /// Detect seizures, map their onset and migration, and summarise seizure burden.
    Detect(cmd::detect::Args),
    /// Score detections against a reference (SzCORE event and sample scoring, localisation).
    Score(cmd::score::Args),
    /// Write a self-contained HTML report of a recording and its detections.
    Report(cmd::report::Args),
}

fn main() -> ExitCode {
    // clap exits with code 2 on usage errors and 0 for --help / --version.
    let cli = Cli::parse();
    let ctx = Ctx::new(cli.quiet);
    let result = match cli.command {
        Command::Demo(a) => cmd::demo::run(a, &ctx),
        Command::Info(a) => cmd::info::run(a, &ctx),
        Command::Convert(a) => cmd::convert::run(a, &ctx),
        Command::Simulate(a) => cmd::simulate::run(a, &ctx),
        Command::Detect(a) => cmd::detect::run(a, &ctx),
        Command::Score(a) => cmd::score::run(a, &ctx),
        Command::Report(a) => cmd::report::run(a, &ctx),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, `outer: inner: ...`, without repeating a cause that the message
/// before it already quotes (the libraries' errors name their cause in their own message, e.g.
/// `FILE: electrode Fp1 is recorded by more than one channel ...`).
fn message(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let c = cause.to_string();
        if !msg.contains(&c) {
            if !msg.is_empty() {
                msg.push_str(": ");
            }
            msg.push_str(&c);
        }
    }
    msg
}

#[cfg(test)]
mod tests {
    #[test]
    fn causes_are_printed_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("inner problem")]
        struct Inner;
        #[derive(Debug, thiserror::Error)]
        #[error("file.edf: {source}")]
        struct Quoting {
            source: Inner,
        }
        let e = anyhow::Error::new(Quoting { source: Inner });
        assert_eq!(super::message(&e), "file.edf: inner problem");
        let e = anyhow::Error::new(Inner).context("reading file.edf");
        assert_eq!(super::message(&e), "reading file.edf: inner problem");
    }
}
