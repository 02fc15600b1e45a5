//! Progress bars for uploads (on a terminal only) and Ctrl-C.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use pinarkive::upload::Progress;

use crate::output::Output;

/// One bar per file and, for several files, one for all of them; hidden unless a person
/// watches stdout.
pub struct UploadBars {
    multi: MultiProgress,
    overall: Option<ProgressBar>,
    visible: bool,
}

impl UploadBars {
    /// `total` is the size of every file together, when known.
    pub fn new(out: &Output, files: usize, total: Option<u64>) -> Self {
        let visible = out.is_interactive();
        let target = if visible { ProgressDrawTarget::stdout() } else { ProgressDrawTarget::hidden() };
        let multi = MultiProgress::with_draw_target(target);
        let overall = (files > 1).then(|| {
            let bar = multi.add(ProgressBar::new(total.unwrap_or(0)));
            bar.set_style(style());
            bar.set_prefix(format!("{files} files"));
            bar
        });
        UploadBars { multi, overall, visible }
    }

    /// A bar for one file; `done_before` is what earlier files sent, for the overall bar.
    pub fn file(&self, name: &str, length: Option<u64>, done_before: u64) -> FileBar {
        let bar = match &self.overall {
            Some(overall) => self.multi.insert_before(overall, ProgressBar::new(length.unwrap_or(0))),
            None => self.multi.add(ProgressBar::new(length.unwrap_or(0))),
        };
        bar.set_style(style());
        bar.set_prefix(shorten(name, 24));
        FileBar { bar, overall: self.overall.clone(), done_before, sent: Arc::new(AtomicU64::new(0)) }
    }

    /// Prints a line above the bars (or plainly when there are none).
    pub fn println(&self, out: &Output, text: &str) {
        if self.visible {
            let _ = self.multi.println(text);
        } else {
            out.line(text);
        }
    }

    /// Removes every bar, so that what follows starts on a clean line.
    pub fn clear(&self) {
        if let Some(overall) = &self.overall {
            overall.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

/// The bar of one file, and how many of its bytes went out in the current attempt.
pub struct FileBar {
    bar: ProgressBar,
    overall: Option<ProgressBar>,
    done_before: u64,
    sent: Arc<AtomicU64>,
}

impl FileBar {
    /// The callback for `on_progress`. It restarts from 0 when the client retries.
    pub fn callback(&self) -> impl Fn(Progress) + Send + Sync + 'static {
        let (bar, overall, done_before, sent) =
            (self.bar.clone(), self.overall.clone(), self.done_before, Arc::clone(&self.sent));
        move |progress: Progress| {
            sent.store(progress.sent, Ordering::Relaxed);
            if let Some(total) = progress.total {
                bar.set_length(total);
            }
            bar.set_position(progress.sent);
            if let Some(overall) = &overall {
                overall.set_position(done_before + progress.sent);
            }
        }
    }

    /// Bytes of this file sent so far in the current attempt.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Removes the bar once the file is done.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

fn style() -> ProgressStyle {
    ProgressStyle::with_template(
        "{prefix:24} [{wide_bar}] {bytes:>10}/{total_bytes:<10} {binary_bytes_per_sec:>12}",
    )
    .expect("a valid progress template")
    .progress_chars("=> ")
}

/// `name`, cut in the middle to `max` characters.
fn shorten(name: &str, max: usize) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= max {
        return name.to_string();
    }
    let keep = (max - 1) / 2;
    let head: String = chars[..keep].iter().collect();
    let tail: String = chars[chars.len() - (max - 1 - keep)..].iter().collect();
    format!("{head}…{tail}")
}

/// Ctrl-C, listened for from the moment it is made (so that a press between two uploads, or
/// while the emulator starts, is not lost or left to kill the process).
pub struct Interrupt {
    pressed: tokio::sync::watch::Receiver<bool>,
}

impl Interrupt {
    pub fn listen() -> Self {
        let (press, pressed) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = press.send(true);
            }
        });
        Interrupt { pressed }
    }

    /// Runs `work` to its end, or stops it and gives `None` when Ctrl-C is pressed first.
    /// A press wins over work that ends at the same moment (`biased`), so that Ctrl-C is never
    /// ignored.
    pub async fn or_stop<T>(&mut self, work: impl std::future::Future<Output = T>) -> Option<T> {
        tokio::select! {
            biased;
            () = self.wait() => None,
            result = work => Some(result),
        }
    }

    /// Resolves when Ctrl-C is pressed.
    pub async fn wait(&mut self) {
        if self.pressed.wait_for(|pressed| *pressed).await.is_err() {
            // The listener could not be installed: never resolve rather than cancel uploads.
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_in_the_middle() {
        assert_eq!(shorten("short.txt", 24), "short.txt");
        let cut = shorten("a-very-long-file-name-that-goes-on.tar.gz", 24);
        assert_eq!(cut.chars().count(), 24);
        assert!(cut.starts_with("a-very-long") && cut.ends_with(".tar.gz"), "{cut}");
    }
}
