//! Where a spec comes from: a file, a git revision (the spec file at that revision), or an
//! `http(s)` URL (the vendor's served document). Every read is bounded by the spec size limit.

use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::codegen::SPEC_PATH;
use spec_model::MAX_SPEC_BYTES;

/// A spec's text and how reports name it.
#[derive(Debug, Clone)]
pub struct Source {
    pub label: String,
    pub text: String,
}

/// The variable whose API key is sent to a URL given as BASE or HEAD.
pub const API_KEY_VAR: &str = "PINARKIVE_API_KEY";

/// Reads `arg`: an `http(s)` URL, else a file (relative to the workspace root), else a git
/// revision of the workspace (`REV` for the spec file at REV, or `REV:PATH`).
pub fn load(arg: &str, root: &Path) -> Result<Source, String> {
    if arg.starts_with("http://") || arg.starts_with("https://") {
        let key = std::env::var(API_KEY_VAR).ok().filter(|k| !k.is_empty());
        return fetch(arg, key.as_deref());
    }
    let path = root.join(arg);
    if path.exists() {
        return Ok(Source { label: arg.to_string(), text: read_file(&path)? });
    }
    let (revision, file) = match arg.split_once(':') {
        Some((revision, file)) if !file.is_empty() => (revision, file),
        _ => (arg, SPEC_PATH),
    };
    match at_revision(root, revision, file) {
        Ok(text) => Ok(Source { label: format!("{file} at {revision}"), text }),
        Err(why) => Err(format!("{arg:?} is neither a file, an http(s) URL nor a git revision ({why})")),
    }
}

/// The working copy of the spec.
pub fn working_copy(root: &Path) -> Result<Source, String> {
    Ok(Source { label: format!("{SPEC_PATH} (working copy)"), text: read_file(&root.join(SPEC_PATH))? })
}

/// A regular file of at most the spec size limit, as UTF-8.
pub fn read_file(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let bytes = read_bounded(file).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8", path.display()))
}

fn read_bounded(reader: impl Read) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader.take(MAX_SPEC_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(format!("more than the {} MiB a spec may have", MAX_SPEC_BYTES >> 20));
    }
    Ok(bytes)
}

/// Runs git in `root` and returns its output; the error is git's own message.
pub fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(if message.is_empty() { format!("git {} failed", args.join(" ")) } else { message });
    }
    Ok(output.stdout)
}

/// The commit a revision names (never an option: a revision starting with `-` is refused).
pub fn commit(root: &Path, revision: &str) -> Result<String, String> {
    if revision.starts_with('-') || revision.is_empty() {
        return Err(format!("{revision:?} is not a revision"));
    }
    let spec = format!("{revision}^{{commit}}");
    let out = git(root, &["rev-parse", "--verify", "--quiet", "--end-of-options", &spec])
        .map_err(|_| format!("git knows no revision {revision:?}"))?;
    Ok(String::from_utf8_lossy(&out).trim().to_string())
}

/// `file` as committed at `revision`.
pub fn at_revision(root: &Path, revision: &str, file: &str) -> Result<String, String> {
    let commit = commit(root, revision)?;
    let bytes = git(root, &["show", &format!("{commit}:{file}")])?;
    if bytes.len() > MAX_SPEC_BYTES {
        return Err(format!(
            "{file} at {revision} is more than the {} MiB a spec may have",
            MAX_SPEC_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{file} at {revision} is not UTF-8"))
}

/// GETs a served document. The key goes only to the URL's own origin, and only over https or
/// to loopback; redirects are not followed (the error names where it pointed).
pub fn fetch(url: &str, api_key: Option<&str>) -> Result<Source, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("{url} is not a URL: {e}"))?;
    let send_key = api_key.filter(|_| may_get_the_key(&parsed));
    if api_key.is_some() && send_key.is_none() {
        eprintln!("spec-diff: not sending {API_KEY_VAR} to {url}: only https URLs and loopback get it");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start an HTTP runtime: {e}"))?;
    let text = runtime.block_on(async {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = reqwest::Client::builder()
            .user_agent(concat!("pinarkive-spec-diff/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let mut request =
            client.get(parsed.clone()).header("accept", "application/json, application/yaml;q=0.9");
        if let Some(key) = send_key {
            let mut value = reqwest::header::HeaderValue::from_str(key)
                .map_err(|_| format!("{API_KEY_VAR} is not a valid header value"))?;
            value.set_sensitive(true);
            request = request.header("x-api-key", value);
        }
        let mut response =
            request.send().await.map_err(|e| format!("GET {url} failed: {}", innermost(&e)))?;
        let status = response.status();
        if status.is_redirection() {
            let to = response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("?");
            return Err(format!("GET {url} answered {status}, pointing at {to}; give that URL instead"));
        }
        if !status.is_success() {
            return Err(format!("GET {url} answered {status}"));
        }
        let mut body = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|e| format!("GET {url} failed: {}", innermost(&e)))?
        {
            if body.len() + chunk.len() > MAX_SPEC_BYTES {
                return Err(format!(
                    "GET {url}: the document is more than the {} MiB a spec may have",
                    MAX_SPEC_BYTES >> 20
                ));
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| format!("GET {url}: the document is not UTF-8"))
    })?;
    Ok(Source { label: url.to_string(), text })
}

/// An API key travels only encrypted, or to this machine.
fn may_get_the_key(url: &reqwest::Url) -> bool {
    url.scheme() == "https" || matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

fn innermost(error: &reqwest::Error) -> String {
    let mut cause = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        cause = e.to_string();
        source = e.source();
    }
    cause
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use super::*;

    /// A one-request HTTP server on loopback that answers `response` and hands back the request
    /// head it got.
    fn serve_once(response: Vec<u8>) -> (String, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/api/v3/docs/openapi.json", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            while reader.read_line(&mut head).unwrap() > 2 && !head.ends_with("\r\n\r\n") {}
            let mut stream = stream;
            let _ = stream.write_all(&response);
            head
        });
        (url, server)
    }

    fn answer(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {status}\r\ncontent-length: {}\r\n{headers}connection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn a_served_document_is_fetched_with_the_key_on_loopback() {
        let (url, server) =
            serve_once(answer("200 OK", "content-type: application/json\r\n", b"{\"openapi\":\"3.1.0\"}"));
        let source = fetch(&url, Some("pk_test_secret")).unwrap();
        assert_eq!(source.text, "{\"openapi\":\"3.1.0\"}");
        let head = server.join().unwrap().to_lowercase();
        assert!(head.contains("x-api-key: pk_test_secret"), "{head}");
    }

    #[test]
    fn redirects_errors_and_huge_documents_are_refused_and_the_key_never_shows() {
        let (url, server) =
            serve_once(answer("302 Found", "location: https://elsewhere.example/spec\r\n", b""));
        let e = fetch(&url, Some("pk_test_secret")).unwrap_err();
        assert!(e.contains("answered 302 Found, pointing at https://elsewhere.example/spec"), "{e}");
        assert!(!e.contains("pk_test_secret"));
        server.join().unwrap();

        let (url, server) =
            serve_once(answer("401 Unauthorized", "", b"{\"error\":\"pk_test_secret is wrong\"}"));
        let e = fetch(&url, Some("pk_test_secret")).unwrap_err();
        assert!(e.ends_with("answered 401 Unauthorized"), "{e}");
        server.join().unwrap();

        let huge = vec![b' '; MAX_SPEC_BYTES + 1];
        let (url, server) = serve_once(answer("200 OK", "", &huge));
        let e = fetch(&url, None).unwrap_err();
        assert!(e.contains("more than the 16 MiB a spec may have"), "{e}");
        let _ = server.join();
    }

    #[test]
    fn the_key_goes_only_to_https_or_loopback() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        assert!(may_get_the_key(&url("https://api.pinarkive.com/api/v3/docs/openapi.json")));
        assert!(may_get_the_key(&url("http://127.0.0.1:8787/api/v3/docs/openapi.json")));
        assert!(may_get_the_key(&url("http://localhost/openapi.json")));
        assert!(!may_get_the_key(&url("http://api.pinarkive.com/api/v3/docs/openapi.json")));
    }

    #[test]
    fn a_revision_that_looks_like_an_option_is_refused() {
        let root = crate::workspace_root();
        assert!(commit(root, "--output=/tmp/x").unwrap_err().contains("is not a revision"));
        let e = load("no-such-revision-or-file", root).unwrap_err();
        assert!(e.contains("is neither a file, an http(s) URL nor a git revision"), "{e}");
    }
}
