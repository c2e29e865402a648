//! Progress of a long plan, reported to whoever shows it. The library prints nothing; the command line shows a
//! spinner on stderr for steps that run longer than a second.

/// Receives the plan's steps as they start.
pub trait Progress: Sync {
    /// Step `step` of `of` starts; `what` says what it does, with its size.
    fn step(&self, step: usize, of: usize, what: &str);
    /// The plan is done (or failed): clear any display.
    fn finish(&self) {}
}

/// Shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn step(&self, _: usize, _: usize, _: &str) {}
}
