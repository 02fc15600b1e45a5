//! Multipart uploads, written by hand because progenitor cannot generate `multipart/form-data`.
//!
//! Bodies are streamed from their source in 256 KiB pieces, so memory stays flat whatever the
//! size, and are rebuilt for every attempt (a file is read again from its start, never
//! buffered). A local file is opened without blocking and checked as opened (a regular file)
//! before anything is sent, and again by every attempt, which must find the same file (device
//! and inode, on Unix): a name swapped for another file or a FIFO meanwhile is a local fault, not
//! something else sent. (Files are not held open between attempts: a directory of thousands
//! would run out of descriptors.) Uploads are
//! retried even after an ambiguous failure: the same bytes give the same CID. A source that
//! fails, or gives more or fewer bytes than its length, is a local fault ([`Error::LocalFile`]):
//! the attempt stops, and it is not retried.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use futures::{Stream, StreamExt, TryStreamExt};
use reqwest::multipart::{Form, Part};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::io::AsyncRead;
use tokio::time::Instant;
use tokio_util::io::ReaderStream;

use crate::error::{Captured, Error, LocalFileError, Result};
use crate::retry;
use crate::spec::OperationId;
use crate::{types, Client, ResponseValue};

/// The size of the pieces a body is sent in.
const CHUNK: usize = 256 * 1024;
/// How many pieces of a file may be read ahead of the connection (memory: `CHUNK` times this).
const READ_AHEAD: usize = 4;

/// Where the bytes of one file come from. Usually made by `From` (a path, bytes) or
/// [`Source::reader`]; more kinds of source may be added.
#[non_exhaustive]
pub enum Source {
    /// A local file, opened and checked when the upload is sent, and by every attempt.
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(Bytes),
    /// A reader, read once: an upload from a reader is not retried. Made by [`Source::reader`]
    /// and [`Source::reader_with_length`].
    Reader(OnceReader),
}

/// A reader that the first attempt of an upload takes.
pub struct OnceReader {
    reader: Mutex<Option<Box<dyn AsyncRead + Send + Unpin>>>,
    /// Sent as the part's length (so the body has a `Content-Length`) when known.
    length: Option<u64>,
}

impl Source {
    /// A reader of unknown length.
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static) -> Self {
        Source::Reader(OnceReader { reader: Mutex::new(Some(Box::new(reader))), length: None })
    }

    /// A reader that yields exactly `length` bytes.
    pub fn reader_with_length(reader: impl AsyncRead + Send + Unpin + 'static, length: u64) -> Self {
        Source::Reader(OnceReader { reader: Mutex::new(Some(Box::new(reader))), length: Some(length) })
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(path) => f.debug_tuple("Path").field(path).finish(),
            Source::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Source::Reader(once) => f.debug_struct("Reader").field("length", &once.length).finish(),
        }
    }
}

impl From<Bytes> for Source {
    fn from(bytes: Bytes) -> Self {
        Source::Bytes(bytes)
    }
}

impl From<Vec<u8>> for Source {
    fn from(bytes: Vec<u8>) -> Self {
        Source::Bytes(bytes.into())
    }
}

impl From<&'static [u8]> for Source {
    fn from(bytes: &'static [u8]) -> Self {
        Source::Bytes(Bytes::from_static(bytes))
    }
}

impl From<PathBuf> for Source {
    fn from(path: PathBuf) -> Self {
        Source::Path(path)
    }
}

impl From<&Path> for Source {
    fn from(path: &Path) -> Self {
        Source::Path(path.to_path_buf())
    }
}

/// How far an upload has got; passed to the callback of `on_progress`.
/// More fields may be added; [`Progress::new`] builds one (for a test of your callback, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Progress {
    /// Bytes of file content handed to the connection in this attempt.
    pub sent: u64,
    /// All file content, when every source's length is known.
    pub total: Option<u64>,
}

impl Progress {
    /// `sent` bytes of `total`.
    pub fn new(sent: u64, total: Option<u64>) -> Self {
        Progress { sent, total }
    }
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// What both upload builders share: cluster, timelock, progress.
#[derive(Clone, Default)]
struct Options {
    cluster: Option<String>,
    timelock: Option<DateTime<Utc>>,
    progress: Option<ProgressFn>,
}

/// A file ready to stream: its name in the form and a source whose length is known up front
/// where it can be.
struct Entry {
    name: String,
    source: Source,
    length: Option<u64>,
    /// A [`Source::Path`]'s file as first opened: how to open it again, and which file it was.
    opened: Option<(Links, Identity)>,
}

/// Whether a local file's path may be a symbolic link.
#[derive(Clone, Copy, Debug)]
enum Links {
    /// A path the caller named: followed, as any tool follows a link it is given.
    Follow,
    /// A path a directory walk found as a regular file: if it has become a link since, it
    /// is refused rather than followed (it could point outside the directory).
    Refuse,
}

impl Client {
    /// Uploads a local file (`POST /files`). The file name becomes the upload's name.
    ///
    /// ```no_run
    /// # async fn run(client: pinarkive::Client) -> pinarkive::Result<()> {
    /// let up = client.upload_file("photo.png").cluster("cl0-global").send().await?;
    /// println!("{}", up.cid);
    /// # Ok(()) }
    /// ```
    pub fn upload_file(&self, path: impl AsRef<Path>) -> FileUpload<'_> {
        let path = path.as_ref().to_path_buf();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        FileUpload { client: self, name, source: Source::Path(path), options: Options::default() }
    }

    /// Uploads bytes, or a reader (see [`Source`]), under `filename` (`POST /files`).
    pub fn upload(&self, filename: impl Into<String>, source: impl Into<Source>) -> FileUpload<'_> {
        FileUpload { client: self, name: filename.into(), source: source.into(), options: Options::default() }
    }

    /// Uploads several files as one directory DAG with one root CID
    /// (`POST /files/directory-dag`); add files with [`DagUpload::file`].
    pub fn upload_dag(&self) -> DagUpload<'_> {
        DagUpload {
            client: self,
            files: Vec::new(),
            directory: None,
            dir_name: None,
            options: Options::default(),
        }
    }

    /// Uploads every regular file under `dir` as one directory DAG, with paths relative to
    /// `dir`, read when the upload is sent. Symbolic links are refused (they could point
    /// outside the directory).
    pub fn upload_directory(&self, dir: impl AsRef<Path>) -> DagUpload<'_> {
        DagUpload { directory: Some(dir.as_ref().to_path_buf()), ..self.upload_dag() }
    }
}

/// `POST /files`: one file. Made by [`Client::upload_file`] or [`Client::upload`].
#[must_use = "nothing is sent until `send` is awaited"]
pub struct FileUpload<'a> {
    client: &'a Client,
    name: String,
    source: Source,
    options: Options,
}

/// `POST /files/directory-dag`: many files, one root CID. Made by [`Client::upload_dag`] or
/// [`Client::upload_directory`].
#[must_use = "nothing is sent until `send` is awaited"]
pub struct DagUpload<'a> {
    client: &'a Client,
    files: Vec<(String, Source)>,
    /// A local directory whose files are added when the upload is sent.
    directory: Option<PathBuf>,
    dir_name: Option<String>,
    options: Options,
}

macro_rules! common_options {
    () => {
        /// The cluster to store in (`cl`); defaults to the client's cluster.
        pub fn cluster(mut self, cluster: impl Into<String>) -> Self {
            self.options.cluster = Some(cluster.into());
            self
        }

        /// Keeps the pin until this time (`timelock`, sent as ISO 8601 UTC). Paid plans only.
        pub fn timelock(mut self, until: DateTime<Utc>) -> Self {
            self.options.timelock = Some(until);
            self
        }

        /// Calls `callback` as content is sent; it restarts from 0 if the upload is retried.
        pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
            self.options.progress = Some(Arc::new(callback));
            self
        }
    };
}

impl FileUpload<'_> {
    common_options!();

    /// Sends the upload.
    ///
    /// # Errors
    /// [`Error::LocalFile`] if the file cannot be read or changes while it is sent,
    /// [`Error::InvalidInput`] for a bad file name, and otherwise as any call.
    pub async fn send(self) -> Result<ResponseValue<types::UploadResponse>> {
        check_filename(&self.name)?;
        let entry = Entry::new(self.name, self.source, Links::Follow).await?;
        send_multipart(self.client, OperationId::FilesUpload, "file", vec![entry], None, self.options).await
    }
}

impl DagUpload<'_> {
    common_options!();

    /// Adds a file at `path` inside the DAG (`/`-separated, relative).
    pub fn file(mut self, path: impl Into<String>, source: impl Into<Source>) -> Self {
        self.files.push((path.into(), source.into()));
        self
    }

    /// The DAG's directory name (`dirName`).
    pub fn dir_name(mut self, name: impl Into<String>) -> Self {
        self.dir_name = Some(name.into());
        self
    }

    /// Sends the upload. Every path is checked before any byte is sent.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the first empty, absolute, `..`, backslash or duplicate
    /// path; [`Error::LocalFile`] for a file that cannot be read or changes while it is sent;
    /// otherwise as any call.
    pub async fn send(mut self) -> Result<ResponseValue<types::DirectoryDagResponse>> {
        let named = self.files.len();
        if let Some(dir) = self.directory.take() {
            let walked = tokio::task::spawn_blocking(move || walk(&dir))
                .await
                .map_err(|source| Error::BlockingTask { task: "reading the directory", source })??;
            self.files.extend(walked.into_iter().map(|(rel, path)| (rel, Source::Path(path))));
        }
        if self.files.is_empty() {
            return Err(Error::InvalidInput("a directory upload needs at least one file".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for (path, _) in &self.files {
            check_dag_path(path)?;
            if !seen.insert(path.as_str()) {
                return Err(Error::InvalidInput(format!("DAG path {path:?} is given twice")));
            }
        }
        let mut entries = Vec::with_capacity(self.files.len());
        for (index, (path, source)) in self.files.into_iter().enumerate() {
            let links = if index < named { Links::Follow } else { Links::Refuse };
            entries.push(Entry::new(path, source, links).await?);
        }
        let dir_name = self.dir_name.map(|name| ("dirName", name));
        send_multipart(
            self.client,
            OperationId::FilesDirectoryDagUpload,
            "files",
            entries,
            dir_name,
            self.options,
        )
        .await
    }
}

impl Entry {
    async fn new(name: String, source: Source, links: Links) -> Result<Entry> {
        let (length, opened) = match &source {
            Source::Path(path) => {
                let opening = path.clone();
                let opened = tokio::task::spawn_blocking(move || open_regular(&opening, links)).await;
                let (_, length, identity) = opened
                    .map_err(|e| LocalFileError::Open(std::io::Error::other(e)))
                    .and_then(|opened| opened)
                    .map_err(|problem| Error::LocalFile { path: path.clone(), problem })?;
                (Some(length), Some((links, identity)))
            }
            Source::Bytes(bytes) => (Some(bytes.len() as u64), None),
            Source::Reader(once) => (once.length, None),
        };
        Ok(Entry { name, source, length, opened })
    }

    /// The part for one attempt, or `None` when the source cannot be read again.
    fn part(
        &self,
        activity: &Arc<Activity>,
        total: Option<u64>,
        progress: &Option<ProgressFn>,
    ) -> Option<Part> {
        let stream: Pieces = match (&self.source, self.opened) {
            (Source::Path(path), Some(opened)) => {
                checked(read_ahead(path.clone(), opened).boxed(), path.clone(), self.length, activity)
            }
            // Not reached: a path's entry holds its file.
            (Source::Path(_), None) => return None,
            (Source::Bytes(bytes), _) => {
                let chunks: Vec<_> = (0..bytes.len())
                    .step_by(CHUNK)
                    .map(|at| Ok(bytes.slice(at..(at + CHUNK).min(bytes.len()))))
                    .collect();
                futures::stream::iter(chunks).boxed()
            }
            (Source::Reader(once), _) => {
                let reader = once.reader.lock().ok()?.take()?;
                let pieces = ReaderStream::with_capacity(reader, CHUNK)
                    .map_err(|source| LocalFileError::Read { read: 0, source })
                    .boxed();
                checked(pieces, PathBuf::from(&self.name), self.length, activity)
            }
        };
        let activity = Arc::clone(activity);
        let progress = progress.clone();
        let counted = stream.inspect_ok(move |chunk| {
            let sent = activity.advance(chunk.len() as u64);
            if let Some(callback) = &progress {
                callback(Progress { sent, total });
            }
        });
        let body = reqwest::Body::wrap_stream(counted);
        let part = match self.length {
            Some(length) => Part::stream_with_length(body, length),
            None => Part::stream(body),
        };
        part.file_name(self.name.clone()).mime_str("application/octet-stream").ok()
    }
}

/// The pieces of one part's body, as the connection takes them.
type Pieces = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// What a local source gives, before it is checked.
type SourcePieces = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, LocalFileError>> + Send>>;

/// The pieces of a local source, with its faults made the attempt's: a read that fails, or a
/// source that gives more or fewer bytes than `expected` (a file that changed while it was
/// sent). The fault goes to `activity`, for the attempt to return it as [`Error::LocalFile`];
/// the connection sees only that the body failed, which stops the request.
fn checked(pieces: SourcePieces, path: PathBuf, expected: Option<u64>, activity: &Arc<Activity>) -> Pieces {
    let check = Check { pieces, read: 0, expected, path, activity: Arc::clone(activity) };
    futures::stream::unfold(Some(check), |state| async move {
        let mut check = state?;
        match check.pieces.next().await {
            Some(Ok(piece)) => {
                check.read += piece.len() as u64;
                match check.expected {
                    Some(expected) if check.read > expected => {
                        check.fault(LocalFileError::Changed { expected, read: expected + 1 })
                    }
                    _ => Some((Ok(piece), Some(check))),
                }
            }
            // The source cannot count what came before its failure; this can.
            Some(Err(LocalFileError::Read { source, .. })) => {
                let read = check.read;
                check.fault(LocalFileError::Read { read, source })
            }
            Some(Err(problem)) => check.fault(problem),
            None => match check.expected {
                Some(expected) if check.read < expected => {
                    let read = check.read;
                    check.fault(LocalFileError::Changed { expected, read })
                }
                _ => None,
            },
        }
    })
    .boxed()
}

/// What [`checked`] keeps between pieces.
struct Check {
    pieces: SourcePieces,
    read: u64,
    expected: Option<u64>,
    path: PathBuf,
    activity: Arc<Activity>,
}

impl Check {
    /// Records the fault and ends the body with an error.
    fn fault(self, problem: LocalFileError) -> Option<(std::io::Result<Bytes>, Option<Check>)> {
        self.activity.fail(Error::LocalFile { path: self.path, problem });
        Some((Err(std::io::Error::other("the upload's source failed")), None))
    }
}

/// Which file a path named: its device and inode on Unix (nothing to compare elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Identity(Option<(u64, u64)>);

impl Identity {
    fn of(meta: &std::fs::Metadata) -> Identity {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Identity(Some((meta.dev(), meta.ino())))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            Identity(None)
        }
    }
}

/// Opens a local file to upload, without waiting (a FIFO would wait for a writer), and checks
/// what was opened: a regular file, whose size and identity it returns.
fn open_regular(
    path: &Path,
    links: Links,
) -> std::result::Result<(std::fs::File, u64, Identity), LocalFileError> {
    let file = open_options(links).open(path).map_err(LocalFileError::Open)?;
    let meta = file.metadata().map_err(LocalFileError::Open)?;
    if !meta.is_file() {
        return Err(LocalFileError::NotRegular(file_kind(&meta.file_type())));
    }
    Ok((file, meta.len(), Identity::of(&meta)))
}

#[cfg(unix)]
fn open_options(links: Links) -> std::fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let nofollow = match links {
        Links::Follow => 0,
        Links::Refuse => libc::O_NOFOLLOW,
    };
    let mut options = std::fs::OpenOptions::new();
    // O_NONBLOCK changes nothing for the regular file that passes the check.
    options.read(true).custom_flags(libc::O_NONBLOCK | nofollow);
    options
}

#[cfg(not(unix))]
fn open_options(_links: Links) -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    options
}

fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        } else if kind.is_socket() {
            return "a socket";
        } else if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "neither a file nor a directory"
    }
}

/// Reads a file on a blocking thread, up to [`READ_AHEAD`] pieces ahead of the connection.
///
/// A `tokio::fs::File` hands each read to the blocking pool and waits for it, so reading and
/// sending took turns: 0.44 times curl's throughput, against 1.15 with this (BENCHMARKS.md).
/// The file is opened when the body is first polled, so every attempt opens it, and it must
/// be the file first checked.
fn read_ahead(
    path: PathBuf,
    (links, identity): (Links, Identity),
) -> impl Stream<Item = std::result::Result<Bytes, LocalFileError>> + Send + 'static {
    let (pieces, received) = tokio::sync::mpsc::channel(READ_AHEAD);
    let started = futures::stream::once(async move {
        tokio::task::spawn_blocking(move || {
            let mut file = match open_regular(&path, links) {
                Ok((_, _, now)) if now != identity => {
                    return drop(pieces.blocking_send(Err(LocalFileError::Replaced)));
                }
                Ok((file, ..)) => file,
                Err(problem) => return drop(pieces.blocking_send(Err(problem))),
            };
            loop {
                let mut piece = Vec::with_capacity(CHUNK);
                let item = match file.by_ref().take(CHUNK as u64).read_to_end(&mut piece) {
                    Ok(0) => return,
                    Ok(_) => Ok(Bytes::from(piece)),
                    Err(source) => Err(LocalFileError::Read { read: 0, source }),
                };
                let failed = item.is_err();
                // A closed channel means the request was dropped: stop reading.
                if pieces.blocking_send(item).is_err() || failed {
                    return;
                }
            }
        });
        received
    });
    started.flat_map(|received| {
        futures::stream::unfold(received, |mut r| async move { Some((r.recv().await?, r)) })
    })
}

/// Builds, sends (with retries) and decodes one multipart upload.
async fn send_multipart<T: DeserializeOwned + Serialize>(
    client: &Client,
    operation: OperationId,
    part_name: &'static str,
    entries: Vec<Entry>,
    extra_field: Option<(&'static str, String)>,
    options: Options,
) -> Result<ResponseValue<T>> {
    let cluster = options.cluster.clone().or_else(|| client.default_cluster().map(str::to_string));
    let timelock = options.timelock.map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true));
    let total = entries.iter().map(|e| e.length).sum::<Option<u64>>();
    let url = format!("{}{}", client.baseurl, operation.path());

    let activity = Arc::new(Activity::default());
    let build = || -> Option<Result<reqwest::Request>> {
        let mut form = Form::new();
        for entry in &entries {
            form = form.part(part_name, entry.part(&activity, total, &options.progress)?);
        }
        for (name, value) in [("cl", cluster.clone()), ("timelock", timelock.clone())]
            .into_iter()
            .chain(extra_field.clone().map(|(name, value)| (name, Some(value))))
        {
            if let Some(value) = value {
                form = form.text(name, value);
            }
        }
        let request = client
            .client
            .post(&url)
            .header(reqwest::header::ACCEPT, "application/json")
            .multipart(form)
            .build()
            .map_err(Error::from);
        Some(request.and_then(|mut request| {
            // The cluster this upload names goes in the header too, so the default cannot
            // contradict it there.
            if let Some(cluster) = &cluster {
                request.headers_mut().insert("x-cluster", crate::client::cluster_header(cluster)?);
            }
            client.prepare(&mut request, operation)?;
            Ok(request)
        }))
    };
    let first =
        build().ok_or_else(|| Error::InvalidInput("the upload source was already consumed".into()))??;
    let rebuild = || build().and_then(|request| request.ok());
    let attempt = |request| stall_watchdog(client, &activity, request);
    let result = match retry::send(client, operation, true, first, rebuild, attempt).await {
        Ok(response) => decode(response).await,
        Err(error) => Err(error),
    };
    result.map_err(|error| client.redact(error))
}

/// Bytes sent in the current attempt, when the last of them went, and a local source's fault.
#[derive(Debug)]
struct Activity {
    sent: AtomicU64,
    last: Mutex<Instant>,
    fault: Mutex<Option<Error>>,
}

impl Default for Activity {
    fn default() -> Self {
        Activity { sent: AtomicU64::new(0), last: Mutex::new(Instant::now()), fault: Mutex::new(None) }
    }
}

impl Activity {
    fn restart(&self) {
        self.sent.store(0, Ordering::Relaxed);
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.fault.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    /// Records the attempt's local fault (the first one counts).
    fn fail(&self, error: Error) {
        self.fault.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(error);
    }

    fn take_fault(&self) -> Option<Error> {
        self.fault.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Records `bytes` more sent; returns the total so far.
    fn advance(&self, bytes: u64) -> u64 {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        self.sent.fetch_add(bytes, Ordering::Relaxed) + bytes
    }

    fn idle_since(&self) -> Instant {
        *self.last.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sends one attempt, failing when nothing moves for the read timeout: no body bytes taken by
/// the connection, or no answer after the last of them; and when the answer's body takes
/// longer than that. A total timeout would cut off large uploads; this only cuts off stalled
/// ones. A local source's fault wins over whatever the connection made of it.
async fn stall_watchdog(
    client: &Client,
    activity: &Activity,
    request: reqwest::Request,
) -> Result<reqwest::Response> {
    let idle: Duration = client.read_timeout();
    activity.restart();
    let send = client.client.execute(request);
    tokio::pin!(send);
    let result = loop {
        tokio::select! {
            result = &mut send => break result.map_err(Error::from),
            () = tokio::time::sleep_until(deadline(activity.idle_since(), idle)) => {
                if deadline(activity.idle_since(), idle) <= Instant::now() {
                    let sent = activity.sent.load(Ordering::Relaxed);
                    let message = format!("upload made no progress for {}s ({sent} bytes sent)", idle.as_secs_f32());
                    return Err(Error::Timeout { message, source: None });
                }
            }
        }
    };
    if let Some(fault) = activity.take_fault() {
        return Err(fault);
    }
    result.map(|response| answer_within(response, idle))
}

/// `from + wait`, or a time too far off to matter when that overflows (`Duration::MAX`).
fn deadline(from: Instant, wait: Duration) -> Instant {
    from.checked_add(wait).unwrap_or_else(|| from + Duration::from_secs(30 * 365 * 24 * 3600))
}

/// The response, with a deadline on its body: `wait` from now. The answer to an upload is
/// small; a server that trickles it must not hold the call forever. (For a JSON call, reqwest's
/// own timeout covers the body.)
fn answer_within(response: reqwest::Response, wait: Duration) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    type BoxError = Box<dyn std::error::Error + Send + Sync>;
    let until = deadline(Instant::now(), wait);
    let mut head = http::Response::builder().status(response.status()).version(response.version());
    if let Some(headers) = head.headers_mut() {
        *headers = response.headers().clone();
    }
    let head = head.url(response.url().clone());
    let body = futures::stream::unfold(Some(response.bytes_stream()), move |stream| async move {
        let mut stream = stream?;
        match tokio::time::timeout_at(until, stream.next()).await {
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(stream))),
            Ok(Some(Err(error))) => Some((Err(BoxError::from(error)), None)),
            Ok(None) => None,
            Err(_) => {
                let late =
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "the answer's body took too long");
                Some((Err(BoxError::from(late)), None))
            }
        }
    });
    match head.body(reqwest::Body::wrap_stream(body)) {
        Ok(rebuilt) => reqwest::Response::from(rebuilt),
        // Not reached: the parts come from a response that was valid.
        Err(_) => reqwest::Response::from(http::Response::new(reqwest::Body::from(Vec::new()))),
    }
}

/// Turns a response from `retry::send` into the typed body or this crate's error.
async fn decode<T: DeserializeOwned + Serialize>(response: reqwest::Response) -> Result<ResponseValue<T>> {
    match Captured::from_envelope(&response) {
        Some(captured) => Err(captured.clone().into_error()),
        None => crate::decode::upload(response).await,
    }
}

/// A file name goes into a `Content-Disposition` header unescaped, so it must be plain.
fn check_filename(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::InvalidInput("the file name is empty".into()));
    }
    if let Some(c) = name.chars().find(|c| c.is_control() || *c == '"') {
        return Err(Error::InvalidInput(format!("file name {name:?} contains {c:?}, which cannot be sent")));
    }
    Ok(())
}

/// Checks a path inside a DAG: relative, `/`-separated, no `.`/`..`/empty segments.
fn check_dag_path(path: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::InvalidInput(format!("DAG path {path:?} {why}")));
    if path.is_empty() {
        return bad("is empty");
    }
    check_filename(path).or_else(|_| bad("contains a control character or a quote"))?;
    if path.contains('\\') {
        return bad("contains a backslash; use / to separate directories");
    }
    if path.starts_with('/') || path.as_bytes().get(1) == Some(&b':') {
        return bad("is absolute; it must be relative to the DAG root");
    }
    for segment in path.split('/') {
        match segment {
            "" => return bad("has an empty segment"),
            "." | ".." => return bad("contains . or .., which could escape the DAG root"),
            _ => {}
        }
    }
    Ok(())
}

/// Every regular file under `root`, sorted, as (DAG path, local path).
fn walk(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::LocalFile { path, problem: LocalFileError::Open(source) }
    };
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
            let entry = entry.map_err(io(&dir))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(io(&path))?;
            if kind.is_symlink() {
                return Err(Error::InvalidInput(format!(
                    "{} is a symbolic link; directory uploads take regular files only",
                    path.display()
                )));
            } else if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let relative = path.strip_prefix(root).expect("walked from root");
                let parts: Option<Vec<&str>> = relative
                    .components()
                    .map(|c| match c {
                        Component::Normal(part) => part.to_str(),
                        _ => None,
                    })
                    .collect();
                let dag_path = parts
                    .map(|p| p.join("/"))
                    .ok_or_else(|| Error::InvalidInput(format!("{} is not a UTF-8 path", path.display())))?;
                files.push((dag_path, path));
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dag_paths_that_escape_are_refused() {
        for ok in ["a.txt", "site/css/a.css", "x y/ü.txt"] {
            assert!(check_dag_path(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "is empty"),
            ("/etc/passwd", "is absolute"),
            ("C:/x", "is absolute"),
            ("a/../../b", "could escape"),
            ("./a", "could escape"),
            ("a\\..\\b", "backslash"),
            ("a//b", "empty segment"),
            ("a/", "empty segment"),
            ("a\"b", "quote"),
            ("a\nb", "control"),
        ] {
            let err = check_dag_path(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("{bad:?}")) && err.contains(why), "{bad:?}: {err}");
        }
    }

    /// Every operation progenitor cannot generate (multipart bodies) has its method here.
    #[test]
    fn the_hand_written_operations_match_the_spec() {
        const IMPLEMENTED_OPERATIONS: [OperationId; 2] =
            [OperationId::FilesUpload, OperationId::FilesDirectoryDagUpload];
        let from_spec: Vec<OperationId> =
            OperationId::ALL.iter().copied().filter(|op| op.handwritten()).collect();
        assert_eq!(
            from_spec, IMPLEMENTED_OPERATIONS,
            "an operation progenitor cannot generate has no hand-written method in upload.rs"
        );
    }

    #[test]
    fn walk_lists_files_relative_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("css/deep")).unwrap();
        std::fs::write(dir.path().join("index.html"), "i").unwrap();
        std::fs::write(dir.path().join("css/deep/a.css"), "a").unwrap();
        let files: Vec<_> = walk(dir.path()).unwrap().into_iter().map(|(rel, _)| rel).collect();
        assert_eq!(files, ["css/deep/a.css", "index.html"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_walked_file_that_became_a_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        std::fs::write(&target, "t").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(open_regular(&link, Links::Follow).unwrap().1, 1);
        let error = open_regular(&link, Links::Refuse).unwrap_err();
        assert!(matches!(&error, LocalFileError::Open(_)), "{error:?}");
        let error = open_regular(dir.path(), Links::Follow).unwrap_err();
        assert_eq!(error.to_string(), "it is not a regular file (it is a directory)");
    }

    #[cfg(unix)]
    #[test]
    fn walk_refuses_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/etc", dir.path().join("etc")).unwrap();
        let err = walk(dir.path()).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
    }
}
