//! Uploads a file with a progress bar (indicatif), then prints its CID and a gateway URL.
//!
//! ```sh
//! cargo run --example upload_with_progress -- path/to/file   # or no argument: a 32 MiB sample
//! ```
//!
//! Without `PINARKIVE_API_KEY` it uploads to an emulator started for the run; with it, to your
//! account (`PINARKIVE_API_BASE_URL` and `PINARKIVE_CLUSTER_ID` are read too).

mod common;

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _emulator) = common::client().await?;
    let (path, _sample) = match std::env::args_os().nth(1) {
        Some(path) => (PathBuf::from(path), None),
        None => {
            let sample = tempfile::NamedTempFile::new()?;
            std::fs::write(sample.path(), vec![b'x'; 32 << 20])?;
            eprintln!("no file given: uploading a 32 MiB sample");
            (sample.path().to_path_buf(), Some(sample))
        }
    };

    let bar = ProgressBar::new(std::fs::metadata(&path)?.len());
    bar.set_style(ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")?);
    let progress = bar.clone();
    let uploaded = client
        .upload_file(&path)
        .on_progress(move |p| {
            // A retry starts again from 0, and `total` is known for a file.
            if let Some(total) = p.total {
                progress.set_length(total);
            }
            progress.set_position(p.sent);
        })
        .send()
        .await?;
    bar.finish();

    println!("{}", uploaded.cid);
    let gateways = client.gateways().await?;
    println!("{}", gateways.url(&uploaded.cid)?);
    Ok(())
}
