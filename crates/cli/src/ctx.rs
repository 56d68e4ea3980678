//! Shared command context: quiet flag, progress bars, messages.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// What every command gets besides its own arguments.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// `--quiet`: no progress bars and no informational messages.
    pub quiet: bool,
}

impl Ctx {
    /// A context.
    pub fn new(quiet: bool) -> Self {
        Ctx { quiet }
    }

    /// A progress bar of `len` steps on stderr, hidden with `--quiet` or when stderr is not a
    /// terminal.
    pub fn bar(&self, len: u64, message: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{msg:>12} [{elapsed_precise}] {wide_bar} {percent:>3}% eta {eta}").expect("valid template"),
        );
        pb.set_message(message.to_string());
        pb
    }

    /// Print an informational line on stderr unless `--quiet`.
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }
}
