//! The client against servers and files that cannot be trusted: redirects to another origin,
//! endless bodies, echoed keys, files that change while they are sent, pages that never end.
//! Every server is a scripted one on loopback; a second one is the other origin.

use std::time::Duration;

use futures::TryStreamExt;
use pinarkive::upload::Source;
use pinarkive::{Client, Error, LocalFileError, RetryPolicy};
use serde_json::json;

use crate::leak::leak;
use crate::support::{fake_cid, scripted_client as client, Gate, Reply, ScriptedServer, CID, KEY};

/// The calls a redirect is tried on: generated GET, DELETE and POST, and both upload paths.
async fn every_kind_of_call(client: &Client, file: &std::path::Path) -> Vec<(&'static str, Error)> {
    let pin =
        pinarkive::types::PinRequest { cl: None, custom_name: None, original_name: None, timelock: None };
    vec![
        ("users_me_get", client.users_me_get().send().await.map(drop).unwrap_err()),
        ("users_me_uploads_list", client.users_me_uploads_list().send().await.map(drop).unwrap_err()),
        ("files_remove", client.files_remove().cid(CID).send().await.map(drop).unwrap_err()),
        ("files_pin", client.files_pin().cid(CID).body(pin).send().await.map(drop).unwrap_err()),
        ("upload", client.upload("a.txt", b"a".to_vec()).send().await.map(drop).unwrap_err()),
        ("upload_file", client.upload_file(file).send().await.map(drop).unwrap_err()),
    ]
}

#[tokio::test]
async fn no_redirect_of_any_kind_reaches_another_origin() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("photo.png");
    std::fs::write(&file, vec![1u8; 300 * 1024]).unwrap();
    for status in [301, 302, 303, 307, 308] {
        let other = ScriptedServer::every(Reply::json(200, json!({"cid": CID}))).await;
        let location = format!("{}/api/v3/collect?key=stolen#x", other.url);
        let redirect = Reply::Respond(status, vec![("location", location)], String::new());
        let origin = ScriptedServer::every(redirect).await;
        for credentials in [
            pinarkive::Credentials::api_key(KEY),
            pinarkive::Credentials::api_key_as_bearer(KEY),
            pinarkive::Credentials::web_session(KEY),
        ] {
            let client = Client::builder().base_url(&origin.url).credentials(credentials).build().unwrap();
            for (call, error) in every_kind_of_call(&client, &file).await {
                let expected = format!("{}/api/v3/collect", other.url);
                assert!(
                    matches!(&error, Error::Redirect { status: s, location: Some(l) } if s.as_u16() == status && *l == expected),
                    "{status} on {call}: {error:?}"
                );
                assert!(!error.to_string().contains("stolen"), "{error}");
                assert!(!error.is_retryable());
            }
        }
        assert_eq!(other.connection_count(), 0, "HTTP {status}: the other origin was contacted");
        assert_eq!(origin.request_count(), 18, "HTTP {status}: one request per call, never retried");
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_even_to_the_same_origin_or_when_reqwest_is_told_to() {
    let origin = ScriptedServer::every(Reply::Respond(
        307,
        vec![("location", "/api/v3/users/me?again=1".into())],
        String::new(),
    ))
    .await;
    let client = Client::builder()
        .base_url(format!("{}/api/v3", origin.url))
        .api_key(KEY)
        .configure_http(|http| http.redirect(reqwest::redirect::Policy::limited(10)))
        .build()
        .unwrap();
    let error = client.users_me_get().send().await.unwrap_err();
    let same = format!("{}/api/v3/users/me", origin.url);
    assert!(matches!(&error, Error::Redirect { location: Some(l), .. } if *l == same), "{error:?}");
    assert!(error.to_string().contains("set the base URL to its new address"), "{error}");
    assert_eq!(origin.request_count(), 1);

    let no_location = ScriptedServer::every(Reply::Respond(302, vec![], String::new())).await;
    let error = client_for(&no_location.url).users_me_get().send().await.unwrap_err();
    assert!(matches!(&error, Error::Redirect { location: None, .. }), "{error:?}");
}

/// A client with retries on and a small body limit, so that endless bodies end quickly.
fn client_for(url: &str) -> Client {
    Client::builder().base_url(url).api_key(KEY).max_response_body(64 * 1024).build().unwrap()
}

#[tokio::test]
async fn an_endless_body_ends_the_call_with_its_status_and_is_never_retried() {
    let json = || vec![("content-type", "application/json".into())];
    for status in [200, 401, 503] {
        let server = ScriptedServer::every(Reply::Endless(status, json())).await;
        let error = client_for(&server.url).users_me_get().send().await.unwrap_err();
        assert!(
            matches!(&error, Error::BodyTooLarge { status: s, limit: 65536 } if s.as_u16() == status),
            "{error:?}"
        );
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(!error.is_retryable());
        assert_eq!(server.connection_count(), 1, "HTTP {status} with an endless body was retried");
    }
    let server = ScriptedServer::every(Reply::Endless(201, json())).await;
    let error = client_for(&server.url).upload("a.txt", b"a".to_vec()).send().await.unwrap_err();
    assert!(matches!(&error, Error::BodyTooLarge { status, .. } if status.as_u16() == 201), "{error:?}");
    assert_eq!(server.connection_count(), 1);
}

#[tokio::test]
async fn bodies_over_their_limit_are_refused_and_under_it_read() {
    let big = format!("{{\"email\":\"{}@example.com\"}}", "a".repeat(100 * 1024));
    let server = ScriptedServer::every(Reply::Respond(200, vec![], big.clone())).await;
    let error = client_for(&server.url).users_me_get().send().await.unwrap_err();
    assert!(matches!(&error, Error::BodyTooLarge { limit: 65536, .. }), "{error:?}");
    let roomy =
        Client::builder().base_url(&server.url).api_key(KEY).max_response_body(200 * 1024).build().unwrap();
    assert!(roomy.users_me_get().send().await.unwrap().into_inner().email.unwrap().ends_with("@example.com"));

    // Error bodies are read up to 64 KiB whatever the limit for successes.
    let huge_error = ScriptedServer::every(Reply::Respond(500, vec![], "e".repeat(70 * 1024))).await;
    let error = client(&huge_error.url, RetryPolicy::none()).users_me_get().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::BodyTooLarge { status, limit } if status.as_u16() == 500 && *limit == pinarkive::body::MAX_ERROR_BODY),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_server_that_hangs_mid_answer_is_timed_out() {
    let quick = Duration::from_millis(300);
    let server = ScriptedServer::every(Reply::HoldAfter(201, "{\"cid\":".into())).await;
    let client = Client::builder()
        .base_url(&server.url)
        .api_key(KEY)
        .read_timeout(quick)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = client.upload("a.txt", b"a".to_vec()).send().await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    let error = client.users_me_get().send().await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_timeout() && error.is_retryable(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn durations_saturate() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, json!({"email": "a@example.com"})),
        Reply::json(201, json!({"cid": CID})),
    ])
    .await;
    let client = Client::builder()
        .base_url(&server.url)
        .api_key(KEY)
        .read_timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .retry_policy(
            RetryPolicy::default()
                .max_retries(u32::MAX)
                .base_delay(Duration::MAX)
                .max_delay(Duration::MAX)
                .max_retry_after(Duration::MAX),
        )
        .build()
        .unwrap();
    client.users_me_get().send().await.unwrap();
    assert_eq!(client.upload("a.txt", b"a".to_vec()).send().await.unwrap().cid, CID);
}

/// The key as servers echo it: raw, JSON-escaped, percent-encoded, HTML-escaped.
fn echoes(key: &str) -> Vec<String> {
    vec![
        key.to_string(),
        crate::leak::json_escaped(key),
        percent_encode(key),
        key.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;"),
    ]
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A client for `url` with `key` and no retries.
fn keyed(url: &str, key: &str) -> Client {
    Client::builder().base_url(url).api_key(key).retry_policy(RetryPolicy::none()).build().unwrap()
}

#[tokio::test]
async fn an_echoed_key_never_shows_in_errors_or_logs() {
    let (_guard, log) = crate::support::capture_tracing();
    let key = "pk_\"nasty\\key%20é/ü<&>_0123456789";
    for echo in echoes(key) {
        let replies = vec![
            Reply::json(
                401,
                json!({"error": "Unauthorized", "message": format!("bad key {echo}"), "code": echo}),
            ),
            Reply::Respond(502, vec![("content-type", "text/html".into())], format!("<p>{echo}</p>")),
            Reply::Respond(200, vec![], format!("not json {echo}")),
            Reply::json(200, json!({"uploads": [{"cid": echo}]})),
            Reply::Respond(
                302,
                vec![("location", format!("https://elsewhere.example/{}", percent_encode(key)))],
                String::new(),
            ),
            Reply::json(201, json!({"cid": format!("{echo}{echo}")})),
        ];
        let server = ScriptedServer::start(replies).await;
        let client = keyed(&server.url, key);
        let errors = vec![
            client.users_me_get().send().await.map(drop).unwrap_err(),
            client.users_me_get().send().await.map(drop).unwrap_err(),
            client.users_me_get().send().await.map(drop).unwrap_err(),
            client.users_me_uploads_list().send().await.map(drop).unwrap_err(),
            client.users_me_get().send().await.map(drop).unwrap_err(),
            client.upload("a.txt", b"a".to_vec()).send().await.map(drop).unwrap_err(),
        ];
        for error in errors {
            let shown = format!("{error}\n{error:?}");
            assert_eq!(leak(&shown, key), None, "echo {echo:?} leaked in:\n{shown}");
        }
    }
    let log = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert_eq!(leak(&log, key), None, "{log}");
}

#[tokio::test]
async fn a_key_at_any_offset_of_a_body_is_redacted_before_the_excerpt_is_cut() {
    let key = "pk_offset_0123456789abcdef";
    let replies: Vec<Reply> = (0..=100)
        .map(|offset| Reply::Respond(502, vec![], format!("{}{key}{}", "x".repeat(offset), "y".repeat(50))))
        .collect();
    let server = ScriptedServer::start(replies).await;
    let client = keyed(&server.url, key);
    for offset in 0..=100 {
        let error = client.users_me_get().send().await.unwrap_err();
        let shown = format!("{error}\n{error:?}");
        assert_eq!(leak(&shown, key), None, "offset {offset}:\n{shown}");
    }
}

/// A sparse file of `size` bytes.
fn sparse(dir: &std::path::Path, size: u64) -> std::path::PathBuf {
    let path = dir.join("video.bin");
    std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    path
}

/// Starts an upload of `path` to a server that stops reading after 64 KiB, runs `change` on
/// the file while it waits, and returns the upload's outcome and the server.
async fn upload_changed_midway(
    path: &std::path::Path,
    change: impl FnOnce(),
) -> (pinarkive::Result<()>, ScriptedServer) {
    let gate = std::sync::Arc::new(Gate::default());
    let answer = Reply::json(201, json!({"cid": CID}));
    let server =
        ScriptedServer::start(vec![Reply::Gated(64 * 1024, gate.clone(), Box::new(answer.clone())), answer])
            .await;
    let client = client(&server.url, RetryPolicy::default());
    let upload = tokio::spawn({
        let path = path.to_path_buf();
        async move { client.upload_file(&path).send().await.map(drop) }
    });
    gate.reached.notified().await;
    // Let the reader fill the socket buffers and its read-ahead before the file changes.
    tokio::time::sleep(Duration::from_millis(100)).await;
    change();
    gate.open.notify_one();
    (upload.await.unwrap(), server)
}

#[tokio::test]
async fn a_file_that_shrinks_while_it_is_sent_is_a_local_fault_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let size = 32 * 1024 * 1024;
    let path = sparse(dir.path(), size);
    let (result, server) = upload_changed_midway(&path, || {
        std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(1024).unwrap()
    })
    .await;
    let error = result.unwrap_err();
    match &error {
        Error::LocalFile { path: named, problem: LocalFileError::Changed { expected, read } } => {
            assert_eq!(named, &path);
            assert_eq!(*expected, size);
            assert!(*read < size, "{read}");
        }
        other => panic!("expected a local fault, got {other:?}"),
    }
    assert!(error.to_string().contains("changed while uploading: 33,554,432 bytes expected, "), "{error}");
    assert!(!error.is_retryable());
    assert_eq!(server.connection_count(), 1, "a local fault was retried");
}

#[tokio::test]
async fn a_file_that_grows_while_it_is_sent_is_a_local_fault_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let size = 32 * 1024 * 1024;
    let path = sparse(dir.path(), size);
    let grow = || std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(size + 4096).unwrap();
    let (result, server) = upload_changed_midway(&path, grow).await;
    let error = result.unwrap_err();
    assert!(
        matches!(&error, Error::LocalFile { problem: LocalFileError::Changed { expected, read }, .. } if *expected == size && *read == size + 1),
        "{error:?}"
    );
    assert!(
        error.to_string().ends_with("changed while uploading: 33,554,432 bytes expected, more read"),
        "{error}"
    );
    assert_eq!(server.connection_count(), 1);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_file_that_fails_to_read_is_a_local_fault_not_retried() {
    // /proc/self/mem is a regular file whose first read fails (EIO), even for root.
    let server = ScriptedServer::start(vec![Reply::json(201, json!({"cid": CID})); 4]).await;
    let error =
        client(&server.url, RetryPolicy::default()).upload_file("/proc/self/mem").send().await.unwrap_err();
    assert!(
        matches!(&error, Error::LocalFile { problem: LocalFileError::Read { read: 0, .. }, .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("/proc/self/mem: reading it failed after 0 bytes"), "{error}");
    assert!(server.connection_count() <= 1, "a local fault was retried");
}

#[cfg(unix)]
#[tokio::test]
async fn a_file_that_cannot_be_opened_is_a_local_fault() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        eprintln!("SKIPPED: running as root, which can read a file of mode 0000");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.bin");
    std::fs::write(&path, b"x").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let server = ScriptedServer::start(vec![Reply::json(201, json!({"cid": CID})); 4]).await;
    let error = client(&server.url, RetryPolicy::default()).upload_file(&path).send().await.unwrap_err();
    assert!(matches!(&error, Error::LocalFile { problem: LocalFileError::Open(_), .. }), "{error:?}");
    assert!(server.connection_count() <= 1);
}

#[cfg(unix)]
fn is_root() -> bool {
    std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0).unwrap_or(false)
}

#[tokio::test]
async fn a_reader_shorter_than_its_length_is_a_local_fault() {
    let server = ScriptedServer::start(vec![Reply::json(201, json!({"cid": CID}))]).await;
    let reader = std::io::Cursor::new(vec![1u8; 10]);
    let error = client(&server.url, RetryPolicy::none())
        .upload("stream.bin", Source::reader_with_length(reader, 20))
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "stream.bin: changed while uploading: 20 bytes expected, 10 read");
}

/// A full page of `size` fresh uploads, numbered from `first`.
fn full_page(first: u64, size: u64, total: Option<u64>) -> serde_json::Value {
    let uploads: Vec<_> = (first..first + size).map(|i| json!({"cid": fake_cid(i)})).collect();
    match total {
        Some(total) => json!({"uploads": uploads, "total": total}),
        None => json!({"uploads": uploads}),
    }
}

fn page_number(request: &crate::support::Request) -> u64 {
    request.query("page").and_then(|p| p.parse().ok()).unwrap_or(1)
}

#[tokio::test]
async fn pages_that_alternate_are_caught_on_the_first_repeat() {
    let server = ScriptedServer::every(Reply::answer(|request| {
        let first = if page_number(request) % 2 == 1 { 0 } else { 10 };
        Reply::json(200, full_page(first, 2, None))
    }))
    .await;
    let client = client(&server.url, RetryPolicy::none());
    let error = client.uploads().page_size(2).stream().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(matches!(&error, Error::Paging { page: 3, .. }), "{error:?}");
    assert!(
        error.to_string().starts_with("the server's paging is inconsistent: page 3 repeats an earlier page"),
        "{error}"
    );
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn a_total_that_keeps_growing_is_caught_by_the_first_pages_budget() {
    // Every page is full and fresh, and claims two more pages are to come.
    let server = ScriptedServer::every(Reply::answer(|request| {
        let page = page_number(request);
        Reply::json(200, full_page(page * 100, 10, Some((page + 2) * 10)))
    }))
    .await;
    let client = client(&server.url, RetryPolicy::none());
    let error = client.uploads().page_size(10).stream().try_collect::<Vec<_>>().await.unwrap_err();
    // A total of 30 at 10 a page is 3 pages, with a margin of 2: page 6 is one too many.
    assert!(matches!(&error, Error::Paging { page: 6, .. }), "{error:?}");
    assert!(error.to_string().contains("allows only 5 pages"), "{error}");
    assert_eq!(server.request_count(), 6);
}

#[tokio::test]
async fn fresh_full_pages_without_a_total_stop_at_max_pages() {
    let server = ScriptedServer::every(Reply::answer(|request| {
        Reply::json(200, full_page(page_number(request) * 100, 5, None))
    }))
    .await;
    let client = client(&server.url, RetryPolicy::none());
    let error =
        client.uploads().page_size(5).max_pages(20).stream().try_collect::<Vec<_>>().await.unwrap_err();
    assert!(matches!(&error, Error::Paging { page: 20, .. }), "{error:?}");
    assert!(error.to_string().contains("20 pages received and still no end (100 uploads)"), "{error}");
    assert_eq!(server.request_count(), 20);

    // The same walk, ending on its own within the limit, is fine.
    let ending = ScriptedServer::every(Reply::answer(|request| {
        let page = page_number(request);
        let size = if page == 20 { 3 } else { 5 };
        Reply::json(200, full_page(page * 100, size, None))
    }))
    .await;
    let uploads: Vec<_> =
        client_at(&ending.url).uploads().page_size(5).max_pages(20).stream().try_collect().await.unwrap();
    assert_eq!(uploads.len(), 19 * 5 + 3);
}

fn client_at(url: &str) -> Client {
    client(url, RetryPolicy::none())
}

#[tokio::test]
async fn an_invalid_cid_in_a_success_body_is_a_decode_error() {
    let server = ScriptedServer::start(vec![
        Reply::json(200, json!({"uploads": [{"cid": CID}, {"cid": "../../etc/passwd"}]})),
        Reply::json(201, json!({"cid": "not a cid"})),
        Reply::json(201, json!({"cid": CID, "files": [{"path": "a", "cid": ""}]})),
        Reply::json(201, json!({"message": "ok", "cid": CID, "files": [{"path": "a", "cid": CID}]})),
    ])
    .await;
    let client = client_at(&server.url);
    let error = client.users_me_uploads_list().send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { status: Some(s), reason, .. } if s.as_u16() == 200 && reason.contains("field `cid` holds `../../etc/passwd`, which is not a valid CID")),
        "{error:?}"
    );
    let error = client.upload("a.txt", b"a".to_vec()).send().await.unwrap_err();
    assert!(matches!(&error, Error::Decode { status: Some(s), .. } if s.as_u16() == 201), "{error:?}");
    let error = client.upload_dag().file("a", b"a".to_vec()).send().await.unwrap_err();
    assert!(
        error.to_string().contains("field `cid` holds ``, which is not a valid CID (it is empty)"),
        "{error}"
    );
    assert_eq!(client.upload_dag().file("a", b"a".to_vec()).send().await.unwrap().cid, CID);
}

#[tokio::test]
async fn an_undecodable_body_is_kept_up_to_64_kib_with_its_length() {
    let big = "x".repeat(1024 * 1024);
    let text = vec![("content-type", "text/plain".to_string())];
    let server = ScriptedServer::start(vec![
        Reply::Respond(200, text.clone(), big.clone()),
        Reply::Respond(201, text, big),
    ])
    .await;
    let client = client_at(&server.url);
    let errors = [
        client.users_me_get().send().await.map(drop).unwrap_err(),
        client.upload("a.txt", b"a".to_vec()).send().await.map(drop).unwrap_err(),
    ];
    for error in errors {
        match &error {
            Error::Decode { body, length, .. } => {
                assert_eq!(body.len() as u64, pinarkive::body::MAX_ERROR_BODY);
                assert_eq!(*length, 1024 * 1024);
            }
            other => panic!("expected Decode, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_redirect_with_an_endless_body_is_a_redirect_and_its_body_is_not_read() {
    let location = vec![("location", "https://elsewhere.example/api/v3".to_string())];
    let server = ScriptedServer::every(Reply::Endless(302, location)).await;
    let client = client_for(&server.url);
    let errors = [
        client.users_me_get().send().await.map(drop).unwrap_err(),
        client.upload("a.txt", b"a".to_vec()).send().await.map(drop).unwrap_err(),
    ];
    for error in errors {
        assert!(
            matches!(&error, Error::Redirect { status, location: Some(l) } if status.as_u16() == 302 && l == "https://elsewhere.example/api/v3"),
            "{error:?}"
        );
    }
    assert_eq!(server.connection_count(), 2, "a redirect was retried");
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_to_upload_is_a_local_fault_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipe");
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let server = ScriptedServer::start(vec![Reply::json(201, json!({"cid": CID}))]).await;
    let client = client_at(&server.url);
    let upload = client.upload_file(&path).send();
    let error = tokio::time::timeout(Duration::from_secs(10), upload).await.expect("no hang").unwrap_err();
    assert!(
        matches!(&error, Error::LocalFile { problem: LocalFileError::NotRegular("a FIFO"), .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), format!("{}: it is not a regular file (it is a FIFO)", path.display()));
    assert_eq!(server.connection_count(), 0);
}

/// Every attempt must find the file first checked: another file renamed over its name after
/// the upload started is a local fault on the retry, not something else sent.
#[cfg(unix)]
#[tokio::test]
async fn a_retry_never_sends_another_file_put_under_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.png");
    let size = 1024 * 1024;
    std::fs::write(&path, vec![b'A'; size]).unwrap();
    let swapped = dir.path().join("other.png");
    std::fs::write(&swapped, vec![b'B'; size]).unwrap();
    let gate = std::sync::Arc::new(Gate::default());
    let server = ScriptedServer::start(vec![
        Reply::Gated(64 * 1024, gate.clone(), Box::new(Reply::DropAfter(0))),
        Reply::json(201, json!({"cid": CID})),
    ])
    .await;
    let client = Client::builder()
        .base_url(&server.url)
        .api_key(KEY)
        .retry_policy(RetryPolicy::default().base_delay(Duration::from_millis(10)))
        .build()
        .unwrap();
    let upload = tokio::spawn({
        let path = path.clone();
        async move { client.upload_file(&path).send().await.map(drop) }
    });
    gate.reached.notified().await;
    std::fs::rename(&swapped, &path).unwrap();
    gate.open.notify_one();
    let error = upload.await.unwrap().unwrap_err();
    assert!(matches!(&error, Error::LocalFile { problem: LocalFileError::Replaced, .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("{}: it was replaced by another file while uploading", path.display())
    );
    let requests = server.requests.lock().unwrap();
    for sent in requests.iter() {
        assert!(sent.iter().filter(|b| **b == b'B').count() < 100, "the swapped-in file was sent");
    }
}

/// A password sent in a request's body and echoed in the error is left out of it, as the key is.
#[tokio::test]
async fn a_password_echoed_in_an_error_never_shows() {
    let password = "correct \"horse\" battery-staple";
    let new_password = "Tr0ub4dor&3-is-the-new-one";
    let echo = |text: &str| format!("bad password {text}, {}", crate::leak::json_escaped(text));
    let server = ScriptedServer::start(vec![
        Reply::json(401, json!({"error": "Unauthorized", "message": echo(password)})),
        Reply::Respond(400, vec![("content-type", "text/html".into())], format!("<p>{}</p>", echo(password))),
        Reply::json(400, json!({"error": "Weak", "message": echo(new_password)})),
    ])
    .await;
    let client = client_at(&server.url);
    let login =
        || pinarkive::types::LoginRequest { email: "a@example.com".into(), password: password.into() };
    let change = pinarkive::types::PasswordChangeRequest {
        current_password: password.into(),
        new_password: new_password.into(),
    };
    let errors = [
        client.auth_login().body(login()).send().await.map(drop).unwrap_err(),
        client.auth_login().body(login()).send().await.map(drop).unwrap_err(),
        client.users_me_password_update().body(change).send().await.map(drop).unwrap_err(),
    ];
    for error in errors {
        let shown = format!("{error}\n{error:?}");
        assert!(error.status().is_some(), "{error:?}");
        for secret in [password, new_password] {
            assert_eq!(leak(&shown, secret), None, "{shown}");
        }
    }
}

/// A proxy from the environment is never used for a loopback base URL (it would see the key of
/// a plain-http request). The variables are process-wide, so each client is built in a process
/// of its own: [`proxy_probe`], this test binary run again.
#[tokio::test]
async fn a_proxy_from_the_environment_is_never_used_for_loopback() {
    let me = Reply::json(200, json!({"email": "a@example.com"}));
    let origin = ScriptedServer::every(me.clone()).await;
    let proxy = ScriptedServer::every(me).await;
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let mut probe = std::process::Command::new(std::env::current_exe().unwrap());
        probe.args(["--exact", "hostile::proxy_probe", "--ignored", "--nocapture", "--test-threads=1"]);
        for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"] {
            probe.env_remove(name);
        }
        probe.env("PROXY_PROBE_URL", &origin.url).env(variable, &proxy.url);
        let output = tokio::task::spawn_blocking(move || probe.output()).await.unwrap().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && stdout.contains("probe-email a@example.com"), "{stdout}");
    }
    assert_eq!(proxy.connection_count(), 0, "the proxy was sent a request");
    assert_eq!(origin.request_count(), 3);
}

/// Not a test: the process [`a_proxy_from_the_environment_is_never_used_for_loopback`] starts,
/// with a proxy in its environment.
#[tokio::test]
#[ignore = "a helper that a_proxy_from_the_environment_is_never_used_for_loopback runs in a process of its own"]
async fn proxy_probe() {
    let Ok(url) = std::env::var("PROXY_PROBE_URL") else { return };
    let me = client_at(&url).users_me_get().send().await.unwrap().into_inner();
    println!("\nprobe-email {}", me.email.unwrap_or_default());
}
