//! `upload` and `upload-dir`: streamed uploads with progress bars, stopped cleanly by Ctrl-C.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use pinarkive::upload::{DagUpload, FileUpload};

use super::{parse_timelock, Context};
use crate::args::{Placement, UploadArgs, UploadDirArgs};
use crate::errors::{CliError, Exit};
use crate::json::upload::{DagFile, DirUploaded, UploadReport, Uploaded};
use crate::output::{human_size, iso};
use crate::progress::{Interrupt, UploadBars};

/// A file to upload, checked before anything is sent.
struct LocalFile {
    path: PathBuf,
    name: String,
    length: u64,
}

/// `--cluster` and `--timelock` on either kind of upload: the library gives its two builders
/// the same methods but no trait to be generic over.
trait Placed: Sized {
    fn in_cluster(self, cluster: String) -> Self;
    fn locked_until(self, until: DateTime<Utc>) -> Self;

    /// The upload with the cluster and timelock that were given.
    fn placed(self, cluster: Option<&str>, timelock: Option<DateTime<Utc>>) -> Self {
        let upload = match cluster {
            Some(cluster) => self.in_cluster(cluster.to_string()),
            None => self,
        };
        match timelock {
            Some(until) => upload.locked_until(until),
            None => upload,
        }
    }
}

impl Placed for FileUpload<'_> {
    fn in_cluster(self, cluster: String) -> Self {
        self.cluster(cluster)
    }
    fn locked_until(self, until: DateTime<Utc>) -> Self {
        self.timelock(until)
    }
}

impl Placed for DagUpload<'_> {
    fn in_cluster(self, cluster: String) -> Self {
        self.cluster(cluster)
    }
    fn locked_until(self, until: DateTime<Utc>) -> Self {
        self.timelock(until)
    }
}

fn check_files(paths: &[PathBuf]) -> Result<Vec<LocalFile>, CliError> {
    paths
        .iter()
        .map(|path| {
            let meta = std::fs::metadata(path)
                .map_err(|e| CliError::usage(format!("cannot read {}: {}", path.display(), io_reason(&e))))?;
            if !meta.is_file() {
                let hint =
                    if meta.is_dir() { "; upload a directory with `pinarkive upload-dir`" } else { "" };
                return Err(CliError::usage(format!("{} is not a regular file{hint}", path.display())));
            }
            Ok(LocalFile { path: path.clone(), name: path.display().to_string(), length: meta.len() })
        })
        .collect()
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

/// Uploads the files one after another. On an error or Ctrl-C it stops and says which files
/// were uploaded (with their CIDs) and which were not.
pub async fn upload_files(ctx: &Context, args: UploadArgs) -> Result<(), CliError> {
    let files = check_files(&args.files)?;
    let timelock = args.placement.timelock.as_deref().map(parse_timelock).transpose()?;
    let client = ctx.client()?;
    let mut interrupt = Interrupt::listen();
    let total: u64 = files.iter().map(|f| f.length).sum();
    let bars = UploadBars::new(&ctx.out, files.len(), Some(total));

    let mut uploaded: Vec<Uploaded> = Vec::new();
    let mut done_bytes = 0;
    for (index, file) in files.iter().enumerate() {
        let bar = bars.file(&file.name, Some(file.length), done_bytes);
        let upload = client
            .upload_file(&file.path)
            .on_progress(bar.callback())
            .placed(args.placement.cluster.as_deref(), timelock);
        let outcome = interrupt.or_stop(upload.send()).await;
        bar.finish();
        // Clears the bars, prints the `--json` report of a stopped run and returns its summary.
        let stopped = |interrupted: bool| {
            bars.clear();
            let rest: Vec<&LocalFile> = files[index..].iter().collect();
            if ctx.out.json {
                let not_uploaded = rest.iter().map(|f| f.name.clone()).collect();
                ctx.out.json(&UploadReport { uploads: &uploaded, not_uploaded });
            }
            // Cut off after its last byte, a file may have been stored: say so.
            let in_flight = match interrupted {
                true if file.length > 0 && bar.sent() >= file.length => {
                    " (sent in full but not confirmed: see `pinarkive ls`)"
                }
                true => " (stopped while sending)",
                false => "",
            };
            summary(&uploaded, &rest, in_flight)
        };
        match outcome {
            None => {
                let summary = stopped(true);
                return Err(CliError::new(Exit::Interrupted, format!("interrupted; {summary}")));
            }
            Some(Err(error)) => {
                let summary = stopped(false);
                // A local file's fault names the file itself.
                let named = matches!(error, pinarkive::Error::LocalFile { .. });
                let error = CliError::from(error);
                let message = match named {
                    true => format!("{}; {summary}", error.message),
                    false => format!("{}: {}; {summary}", file.name, error.message),
                };
                return Err(CliError::new(error.exit, message));
            }
            Some(Ok(response)) => {
                let response = response.into_inner();
                let size = response.size.and_then(|s| u64::try_from(s).ok()).unwrap_or(file.length);
                bars.println(&ctx.out, &format!("{}  {}  {}", response.cid, file.name, human_size(size)));
                if let Ok(url) = pinarkive::gateway::content_url(ctx.gateway_base(), &response.cid) {
                    bars.println(&ctx.out, &format!("  {url}"));
                }
                uploaded.push(Uploaded {
                    file: file.name.clone(),
                    cid: response.cid,
                    size,
                    cluster: response.cluster_id,
                    expires_at: response.expires_at.as_ref().map(iso),
                });
                done_bytes += file.length;
            }
        }
    }
    bars.clear();
    if ctx.out.json {
        ctx.out.json(&UploadReport { uploads: &uploaded, not_uploaded: Vec::new() });
    }
    Ok(())
}

/// `uploaded a.txt (bafy…); not uploaded: b.txt (stopped while sending), c.txt`.
fn summary(uploaded: &[Uploaded], rest: &[&LocalFile], in_flight: &str) -> String {
    let done = if uploaded.is_empty() {
        "nothing was uploaded".to_string()
    } else {
        let list: Vec<String> = uploaded.iter().map(|u| format!("{} ({})", u.file, u.cid)).collect();
        format!("uploaded {}", list.join(", "))
    };
    if rest.is_empty() {
        return done;
    }
    let not_done: Vec<String> = rest
        .iter()
        .enumerate()
        .map(|(i, f)| if i == 0 { format!("{}{in_flight}", f.name) } else { f.name.clone() })
        .collect();
    format!("{done}; not uploaded: {}", not_done.join(", "))
}

/// Uploads every file under a directory as one DAG.
pub async fn upload_dir(ctx: &Context, args: UploadDirArgs) -> Result<(), CliError> {
    let dir = &args.dir;
    if !dir.is_dir() {
        return Err(CliError::usage(format!("{} is not a directory", dir.display())));
    }
    let Placement { cluster, timelock } = &args.placement;
    let timelock = timelock.as_deref().map(parse_timelock).transpose()?;
    let client = ctx.client()?;
    let mut interrupt = Interrupt::listen();
    let bars = UploadBars::new(&ctx.out, 1, None);
    let name = dir_name(dir);
    let bar = bars.file(&format!("{name}/"), None, 0);
    let upload = client
        .upload_directory(dir)
        .dir_name(name.clone())
        .on_progress(bar.callback())
        .placed(cluster.as_deref(), timelock);
    let outcome = interrupt.or_stop(upload.send()).await;
    bar.finish();
    bars.clear();
    let response = match outcome {
        None => {
            return Err(CliError::new(
                Exit::Interrupted,
                format!(
                    "interrupted; {} was not uploaded (a directory is stored whole or not at all)",
                    dir.display()
                ),
            ))
        }
        Some(result) => result.map_err(CliError::from)?.into_inner(),
    };
    let files: Vec<DagFile> = response
        .files
        .iter()
        .map(|f| DagFile {
            path: f.path.clone().or_else(|| f.filename.clone()).unwrap_or_default(),
            cid: f.cid.clone(),
            size: f.size.and_then(|s| u64::try_from(s).ok()),
        })
        .collect();
    let report = DirUploaded {
        dir: dir.display().to_string(),
        total_files: response.total_files.unwrap_or(files.len() as u64),
        total_size: response
            .total_size
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or_else(|| files.iter().filter_map(|f| f.size).sum()),
        cid: response.cid,
        cluster: response.cluster_id,
        expires_at: response.expires_at.as_ref().map(iso),
        files,
    };
    if ctx.out.json {
        ctx.out.json(&report);
        return Ok(());
    }
    ctx.out.line(format!(
        "{}  {}  {} files, {}",
        report.cid,
        report.dir,
        report.total_files,
        human_size(report.total_size)
    ));
    if let Ok(url) = pinarkive::gateway::content_url(ctx.gateway_base(), &report.cid) {
        ctx.out.line(format!("  {url}"));
    }
    Ok(())
}

/// The directory's own name, for `dirName` (`.` becomes the current directory's name).
fn dir_name(dir: &Path) -> String {
    let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "upload".into())
}
