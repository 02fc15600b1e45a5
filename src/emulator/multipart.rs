//! Multipart upload bodies, read part by part as they stream: file parts are hashed and never
//! kept, and what a client may make the emulator hold is bounded.
//!
//! Bounds, each a JSON 400 that names it, as busboy (the parser under the backend's multer) has
//! them: a part's headers at most [`MAX_PART_HEADER_BYTES`] (busboy's 16 KiB), a file name and
//! a text field at most [`MAX_NAME_BYTES`] (every string the emulator keeps), at most
//! [`MAX_FILES`] files. Every byte of the body, part headers and names included, counts toward
//! the upload limit (413).
//!
//! multer buffers a part's headers until their blank line with no limit of its own, so
//! [`PartHeaderGuard`] watches the raw stream and fails it before a header grows past its limit.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use memchr::memmem::Finder;
use sha2::{Digest, Sha256};

use super::body::{BodyError, RequestBody};
use super::errors::ApiError;
use super::request::MAX_NAME_BYTES;

/// The longest a part's headers may be, from the end of its boundary to its blank line.
pub const MAX_PART_HEADER_BYTES: usize = 16 * 1024;
/// The longest file name (a DAG file's path) kept.
#[deprecated(note = "use MAX_NAME_BYTES, the one limit on every string the emulator keeps")]
pub const MAX_FILE_NAME_BYTES: usize = MAX_NAME_BYTES;
/// The most files one upload may hold; each is metadata kept in memory.
pub const MAX_FILES: usize = 10_000;

/// One file read from a multipart body: its name and the sha2-256 of its bytes.
pub(crate) struct ReceivedFile {
    pub(crate) name: String,
    pub(crate) sha256: [u8; 32],
    pub(crate) size: u64,
}

/// The form fields besides files.
#[derive(Default)]
pub(crate) struct Form {
    pub(crate) cl: Option<String>,
    pub(crate) timelock: Option<String>,
    pub(crate) dir_name: Option<String>,
    pub(crate) files: Vec<ReceivedFile>,
}

/// Reads a multipart body, hashing the parts named `file_part` as they stream; the body's error
/// (413 past the limit, 400 for a header too long) as soon as it happens, without reading further.
pub(crate) async fn read_form(
    content_type: Option<&str>,
    body: RequestBody,
    file_part: &str,
) -> Result<Form, ApiError> {
    let boundary = content_type
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| ApiError::bad_request("Expected a multipart/form-data body"))?;
    let guarded = PartHeaderGuard::new(body, &boundary);
    let mut multipart = multer::Multipart::new(guarded, boundary);
    let mut form = Form::default();
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "cl" => form.cl = Some(read_text(field).await?),
            "timelock" => form.timelock = Some(read_text(field).await?),
            "dirName" => form.dir_name = Some(read_text(field).await?),
            _ if name == file_part => {
                if form.files.len() == MAX_FILES {
                    return Err(ApiError::bad_request(format!("Too many files: the limit is {MAX_FILES}")));
                }
                let file_name = field.file_name().unwrap_or_default().to_owned();
                if file_name.len() > MAX_NAME_BYTES {
                    return Err(ApiError::bad_request(format!(
                        "File name too long: the limit is {MAX_NAME_BYTES} bytes"
                    )));
                }
                let mut hasher = Sha256::new();
                let mut size: u64 = 0;
                while let Some(chunk) = field.chunk().await.map_err(malformed)? {
                    size += chunk.len() as u64;
                    hasher.update(&chunk);
                }
                form.files.push(ReceivedFile { name: file_name, sha256: hasher.finalize().into(), size });
            }
            // Parts the API does not know are read past, not kept; their bytes still count.
            _ => while field.chunk().await.map_err(malformed)?.is_some() {},
        }
    }
    Ok(form)
}

/// The body's own error where multer passes one on (413, a header too long), else a 400.
fn malformed(error: multer::Error) -> ApiError {
    if let multer::Error::StreamReadFailed(source) = &error {
        if let Some(body_error) = source.downcast_ref::<BodyError>() {
            return body_error.clone().into_api_error();
        }
    }
    ApiError::bad_request("Malformed multipart/form-data body")
}

async fn read_text(mut field: multer::Field<'_>) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if bytes.len() + chunk.len() > MAX_NAME_BYTES {
            return Err(ApiError::bad_request(format!(
                "Form field too long: the limit is {MAX_NAME_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::bad_request("Form field is not UTF-8"))
}

/// Where the guard is in the multipart framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// In a part's content (or the preamble), looking for the next delimiter.
    Content,
    /// After a delimiter: `len` bytes of its part's headers so far, `blank` bytes of the
    /// `\r\n\r\n` that ends them matched, and the first two bytes (`--` ends the body).
    Header { len: usize, blank: usize, first: [u8; 2] },
    /// After the closing delimiter: nothing more is parsed.
    Epilogue,
}

/// A stream adapter that fails a multipart body once a part's headers pass
/// [`MAX_PART_HEADER_BYTES`]; it only looks, and passes every byte on unchanged.
///
/// It finds delimiters (`\r\n--BOUNDARY`, the first one possibly at the very start) with memchr's
/// substring search over content, and walks headers byte by byte, which the limit keeps short:
/// linear in the body, whatever its chunking.
pub(crate) struct PartHeaderGuard<S> {
    inner: S,
    delimiter: Finder<'static>,
    /// The last bytes of content seen, shorter than the delimiter, for one split across chunks.
    tail: Vec<u8>,
    /// `tail` followed by the start of the next chunk.
    window: Vec<u8>,
    scan: Scan,
    failed: bool,
}

impl<S> PartHeaderGuard<S> {
    pub(crate) fn new(inner: S, boundary: &str) -> PartHeaderGuard<S> {
        let delimiter = [b"\r\n--".as_slice(), boundary.as_bytes()].concat();
        PartHeaderGuard {
            inner,
            delimiter: Finder::new(&delimiter).into_owned(),
            // The body may open with the first delimiter, without the CRLF before it.
            tail: b"\r\n".to_vec(),
            window: Vec::new(),
            scan: Scan::Content,
            failed: false,
        }
    }

    /// Follows the framing through `chunk`: an error once a part's headers are too long.
    fn follow(&mut self, chunk: &[u8]) -> Result<(), BodyError> {
        let needle_len = self.delimiter.needle().len();
        let mut at = 0;
        while at < chunk.len() {
            match self.scan {
                Scan::Epilogue => return Ok(()),
                Scan::Content => {
                    let rest = &chunk[at..];
                    // A delimiter that starts in the tail ends within the chunk's first bytes.
                    self.window.clear();
                    self.window.extend_from_slice(&self.tail);
                    self.window.extend_from_slice(&rest[..rest.len().min(needle_len - 1)]);
                    let found = match self.delimiter.find(&self.window) {
                        Some(start) => Some(start + needle_len - self.tail.len()),
                        None => self.delimiter.find(rest).map(|start| start + needle_len),
                    };
                    self.tail.clear();
                    match found {
                        Some(end) => {
                            at += end;
                            self.scan = Scan::Header { len: 0, blank: 0, first: [0; 2] };
                        }
                        None => {
                            let keep = needle_len - 1;
                            if rest.len() >= keep {
                                self.tail.extend_from_slice(&rest[rest.len() - keep..]);
                            } else {
                                // The window is the old tail and all of this short rest.
                                let from = self.window.len().saturating_sub(keep);
                                self.tail.extend_from_slice(&self.window[from..]);
                            }
                            at = chunk.len();
                        }
                    }
                }
                Scan::Header { mut len, mut blank, mut first } => {
                    let byte = chunk[at];
                    at += 1;
                    if len < 2 {
                        first[len] = byte;
                    }
                    len += 1;
                    blank = match (blank, byte) {
                        (0 | 2, b'\r') => blank + 1,
                        (1 | 3, b'\n') => blank + 1,
                        (_, b'\r') => 1,
                        _ => 0,
                    };
                    self.scan = if len == 2 && first == *b"--" {
                        Scan::Epilogue
                    } else if blank == 4 {
                        Scan::Content
                    } else if len > MAX_PART_HEADER_BYTES {
                        return Err(BodyError::PartHeaderTooLong(MAX_PART_HEADER_BYTES));
                    } else {
                        Scan::Header { len, blank, first }
                    };
                }
            }
        }
        Ok(())
    }
}

impl<S> Stream for PartHeaderGuard<S>
where
    S: Stream<Item = Result<Bytes, BodyError>> + Unpin,
{
    type Item = Result<Bytes, BodyError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        let polled = this.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            if let Err(e) = this.follow(chunk) {
                this.failed = true;
                return Poll::Ready(Some(Err(e)));
            }
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the guard over `body` cut into pieces of `piece` bytes; the error if it fails.
    fn guard(body: &[u8], piece: usize) -> Result<(), BodyError> {
        let mut guard = PartHeaderGuard::new(futures::stream::empty::<Result<Bytes, BodyError>>(), "XyZ");
        body.chunks(piece).try_for_each(|chunk| guard.follow(chunk))
    }

    fn part(headers: &str, content: &str) -> String {
        format!("--XyZ\r\n{headers}\r\n\r\n{content}\r\n")
    }

    #[test]
    fn short_headers_pass_in_any_chunking() {
        let body = format!(
            "preamble{}{}--XyZ--\r\nepilogue",
            part("Content-Disposition: form-data; name=\"a\"", "x\r\n--XyX not a delimiter"),
            part("Content-Disposition: form-data; name=\"b\"", "")
        );
        for piece in [1, 2, 3, 7, 64, body.len()] {
            assert_eq!(guard(body.as_bytes(), piece), Ok(()), "pieces of {piece}");
        }
    }

    #[test]
    fn a_long_header_fails_in_any_chunking_and_long_content_does_not() {
        let name = "n".repeat(MAX_PART_HEADER_BYTES);
        let long_header =
            part(&format!("Content-Disposition: form-data; name=\"f\"; filename=\"{name}\""), "x");
        let long_content = part("Content-Disposition: form-data; name=\"f\"", &"c".repeat(200_000));
        for piece in [1, 5, 4096, 1 << 20] {
            assert_eq!(
                guard(long_header.as_bytes(), piece),
                Err(BodyError::PartHeaderTooLong(MAX_PART_HEADER_BYTES)),
                "pieces of {piece}"
            );
            assert_eq!(guard(long_content.as_bytes(), piece), Ok(()), "pieces of {piece}");
        }
    }

    #[test]
    fn the_epilogue_after_the_closing_delimiter_is_not_a_header() {
        let body = format!(
            "{}--XyZ--{}",
            part("Content-Disposition: form-data; name=\"a\"", "x"),
            "e".repeat(100_000)
        );
        assert_eq!(guard(body.as_bytes(), 999), Ok(()));
    }
}
