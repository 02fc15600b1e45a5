//! The rate limiter's clock: tokio's (so `start_paused` tests work) or one moved by hand.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// Where the emulator's rate limiter reads the time.
///
/// [`Clock::tokio`] follows `tokio::time::Instant`, which `#[tokio::test(start_paused = true)]`
/// and `tokio::time::advance` control. [`Clock::manual`] only moves when [`Clock::advance`] is
/// called, which suits tests that talk to the emulator over real sockets, where a paused runtime
/// would also fire the client's timeouts.
#[derive(Clone)]
pub struct Clock {
    manual: Option<Arc<Mutex<Instant>>>,
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.manual.is_some() { "Clock::manual" } else { "Clock::tokio" })
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::tokio()
    }
}

impl Clock {
    /// tokio's clock.
    pub fn tokio() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands still until [`Clock::advance`] moves it.
    pub fn manual() -> Clock {
        Clock { manual: Some(Arc::new(Mutex::new(Instant::now()))) }
    }

    /// Moves a manual clock forward; does nothing to tokio's clock.
    pub fn advance(&self, by: Duration) {
        if let Some(now) = &self.manual {
            let mut now = now.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            *now += by;
        }
    }

    /// The current instant.
    pub fn now(&self) -> Instant {
        match &self.manual {
            Some(now) => *now.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
            None => Instant::now(),
        }
    }
}
