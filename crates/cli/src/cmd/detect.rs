//! `eimfs detect`.

use crate::Ctx;

/// Arguments of `eimfs detect`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input files or other arguments (placeholder until the command is implemented).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

/// Run `eimfs detect`.
pub fn run(_args: Args, _ctx: &Ctx) -> anyhow::Result<()> {
    anyhow::bail!("`eimfs detect` is not implemented yet")
}
