//! The command line's progress display: a spinner on stderr for a plan step that runs longer than a second.
//! Nothing is drawn when stderr is not a terminal, or when stdout carries JSON.

use gigapod_planner::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shows a step once it has run for [`Spinner::DELAY`].
pub struct Spinner {
    bar: ProgressBar,
    started: Arc<Mutex<Option<Instant>>>,
    enabled: bool,
}

impl Spinner {
    const DELAY: Duration = Duration::from_secs(1);

    /// A spinner, active only if `wanted` and stderr is a terminal.
    pub fn new(wanted: bool) -> Self {
        let enabled = wanted && std::io::stderr().is_terminal();
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let started = Arc::new(Mutex::new(None::<Instant>));
        if enabled {
            let (bar, started) = (bar.clone(), Arc::clone(&started));
            // Reveal the spinner only for steps that outlast the delay, so quick plans print nothing extra.
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_millis(100));
                    if bar.is_finished() {
                        break;
                    }
                    let long = started
                        .lock()
                        .ok()
                        .and_then(|s| *s)
                        .is_some_and(|t| t.elapsed() >= Self::DELAY);
                    if long && bar.is_hidden() {
                        bar.set_draw_target(ProgressDrawTarget::stderr());
                        bar.enable_steady_tick(Duration::from_millis(120));
                    }
                }
            });
        }
        Self { bar, started, enabled }
    }
}

impl Progress for Spinner {
    fn step(&self, step: usize, of: usize, what: &str) {
        if !self.enabled {
            return;
        }
        if let Ok(mut s) = self.started.lock() {
            *s = Some(Instant::now());
        }
        self.bar.set_message(format!("{step}/{of} {what}"));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
