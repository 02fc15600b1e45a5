//! What only happens on a terminal: the key prompt without echo, progress bars, the prompt for
//! a two-factor code. The binary runs on a pseudo-terminal of its own, as its controlling
//! terminal (the prompts read /dev/tty).

#![cfg(unix)]

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{Setup, KEY};

/// The binary on a pseudo-terminal: what it wrote there, and a way to type.
struct Terminal {
    child: Child,
    keyboard: std::fs::File,
    screen: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Terminal {
    /// Runs the binary with `args` and `envs` (HOME is the setup's) on a new terminal.
    fn spawn(setup: &Setup, args: &[&str], envs: &[(&str, &str)]) -> Terminal {
        let (mut master, mut slave) = (-1, -1);
        let size = libc::winsize { ws_row: 24, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: openpty writes two descriptors into the integers given; no name buffer, no
        // termios.
        let opened =
            unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
        assert_eq!(opened, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned here alone.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };

        let mut command = Command::new(env!("CARGO_BIN_EXE_pinarkive"));
        command
            .args(args)
            .current_dir(setup.home.path())
            .env("HOME", setup.home.path())
            .env_remove("PINARKIVE_API_KEY")
            .env_remove("PINARKIVE_API_BASE_URL")
            .env_remove("PINARKIVE_CLUSTER_ID")
            .env("TERM", "xterm")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        for (name, value) in envs {
            command.env(name, value);
        }
        // SAFETY: only async-signal-safe calls between fork and exec. A new session whose
        // controlling terminal is the pseudo-terminal on stdin.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        // The parent's copies of the terminal's far end close with the command, so reading
        // ends when the child exits.
        drop(command);

        let keyboard = std::fs::File::from(master.try_clone().unwrap());
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut display = std::fs::File::from(master);
        let written = Arc::clone(&screen);
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            // Linux answers EIO once the child's side is closed: that is the end.
            while let Ok(n @ 1..) = display.read(&mut buffer) {
                written.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        });
        Terminal { child, keyboard, screen, reader: Some(reader) }
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.screen().contains(text) {
            assert!(Instant::now() < deadline, "never showed {text:?}; the screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_line(&mut self, line: &str) {
        self.keyboard.write_all(format!("{line}\r").as_bytes()).unwrap();
    }

    /// Waits for the exit; returns the code and everything the screen showed.
    fn finish(mut self) -> (i32, String) {
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        (status.code().unwrap_or(-1), self.screen())
    }
}

#[test]
fn login_asks_for_the_key_without_echo() {
    let setup = Setup::new();
    let mut terminal = Terminal::spawn(&setup, &["login"], &[]);
    terminal.wait_for("API key: ");
    terminal.type_line(KEY);
    let (code, screen) = terminal.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(!screen.contains(KEY), "the key was echoed:\n{screen}");
    assert!(screen.contains("Saved the API key"), "{screen}");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(setup.config_path()).unwrap()).unwrap();
    assert_eq!(written["apiKey"], KEY);

    // The control: the same kind of terminal does echo what is typed when nothing turns it
    // off, as when the key is read as plain input (Ctrl-D ends it).
    let control = "pk_typed_where_echo_is_on";
    let mut terminal = Terminal::spawn(&setup, &["login", "--stdin"], &[]);
    terminal.keyboard.write_all(format!("{control}\r\x04").as_bytes()).unwrap();
    let (code, screen) = terminal.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains(control), "{screen}");
}

#[test]
fn upload_draws_a_bar_per_file_and_one_overall() {
    let setup = Setup::new();
    let first = setup.file("first.bin", &vec![1u8; 8 * 1024 * 1024]);
    let second = setup.file("second.bin", &vec![2u8; 8 * 1024 * 1024]);
    let envs = [("PINARKIVE_API_BASE_URL", setup.base_url()), ("PINARKIVE_API_KEY", KEY)];
    let terminal = Terminal::spawn(&setup, &["upload", &first, &second], &envs);
    let (code, screen) = terminal.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("2 files"), "no overall bar:\n{screen}");
    assert!(screen.contains("first.bin ") && screen.contains("/8.00 MiB"), "no file bar:\n{screen}");
    // The results are printed above the bars, one line per file.
    assert_eq!(screen.matches("  https://gateway.pinarkive.com/ipfs/").count(), 2, "{screen}");
}

#[test]
fn tokens_create_asks_for_the_two_factor_code() {
    let setup = Setup::new();
    let secret = crate::tokens::enable_two_factor(&setup);
    let envs = [("PINARKIVE_API_BASE_URL", setup.base_url()), ("PINARKIVE_API_KEY", KEY)];
    let mut terminal = Terminal::spawn(&setup, &["tokens", "create", "ci", "--scope", "files:read"], &envs);
    terminal.wait_for("Two-factor code: ");
    terminal.type_line(&pinarkive::emulator::totp_code(&secret).unwrap());
    let (code, screen) = terminal.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Created token ci (files:read)."), "{screen}");
}
