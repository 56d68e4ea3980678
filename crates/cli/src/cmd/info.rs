//! `eimfs info`.

use crate::Ctx;

/// Arguments of `eimfs info`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input files or other arguments (placeholder until the command is implemented).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

/// Run `eimfs info`.
pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<()> {
    anyhow::bail!("`eimfs info` is not implemented yet")
}
