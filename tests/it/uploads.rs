//! Multipart uploads: the bytes on the wire, path checks, streaming and retries.

use std::sync::{Arc, Mutex};

use chrono::TimeZone;
use pinarkive::upload::{Progress, Source};
use pinarkive::{Error, LocalFileError, RetryPolicy};
use serde_json::json;

use crate::support::{self, scripted_client as client, Reply, ScriptedServer, CID};

fn created() -> Reply {
    Reply::json(201, json!({"cid": CID, "filename": "hello.txt", "size": 11}))
}

/// The request as text, with the random multipart boundary replaced by `BOUNDARY`, the key
/// redacted (no secret goes into a snapshot, not even a test one), the version and the host
/// port left out.
fn normalised(request: &[u8]) -> String {
    let text = String::from_utf8_lossy(request).into_owned();
    let boundary = text
        .split("boundary=")
        .nth(1)
        .and_then(|rest| rest.split(['\r', ';']).next())
        .expect("a multipart boundary")
        .to_string();
    text.replace(&boundary, "BOUNDARY")
        .replace(support::KEY, "[redacted]")
        .split("\r\n")
        .filter(|line| !line.to_ascii_lowercase().starts_with("host:"))
        .map(|line| {
            if line.starts_with("user-agent: pinarkive-rs/") {
                "user-agent: pinarkive-rs/[version]"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn files_upload_sends_one_file_part_with_cluster_and_timelock() {
    let server = ScriptedServer::start(vec![created()]).await;
    let until = chrono::Utc.with_ymd_and_hms(2027, 1, 31, 12, 0, 0).unwrap();
    let up = client(&server.url, RetryPolicy::none())
        .upload("hello.txt", b"hello world".to_vec())
        .cluster("cl0-global")
        .timelock(until)
        .send()
        .await
        .unwrap();
    assert_eq!(up.cid, CID);
    assert_eq!(up.status().as_u16(), 201);
    let request = server.requests.lock().unwrap()[0].clone();
    insta::assert_snapshot!(normalised(&request));
}

#[tokio::test]
async fn files_directory_dag_upload_sends_a_files_part_per_path() {
    let server = ScriptedServer::start(vec![Reply::json(201, json!({"cid": CID}))]).await;
    let dag = client(&server.url, RetryPolicy::none())
        .upload_dag()
        .file("index.html", b"<h1>hi</h1>".to_vec())
        .file("css/site.css", b"h1{}".to_vec())
        .dir_name("site")
        .send()
        .await
        .unwrap();
    assert_eq!(dag.cid, CID);
    let request = server.requests.lock().unwrap()[0].clone();
    insta::assert_snapshot!(normalised(&request));
}

#[tokio::test]
async fn upload_directory_walks_a_local_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("css")).unwrap();
    std::fs::write(dir.path().join("index.html"), "<h1>hi</h1>").unwrap();
    std::fs::write(dir.path().join("css/site.css"), "h1{}").unwrap();
    let server = ScriptedServer::start(vec![Reply::json(201, json!({"cid": CID}))]).await;
    client(&server.url, RetryPolicy::none()).upload_directory(dir.path()).send().await.unwrap();
    let request = String::from_utf8_lossy(&server.requests.lock().unwrap()[0]).into_owned();
    assert!(request.contains(r#"name="files"; filename="css/site.css""#), "{request}");
    assert!(request.contains(r#"name="files"; filename="index.html""#), "{request}");
}

#[tokio::test]
async fn bad_dag_paths_are_refused_before_sending() {
    let server = ScriptedServer::start(vec![created()]).await;
    let client = client(&server.url, RetryPolicy::none());
    for bad in ["", "/abs.txt", "../up.txt", "a/../../b", "a\\b", "a//b"] {
        let error = client.upload_dag().file("ok.txt", b"x".to_vec()).file(bad, b"x".to_vec()).send().await;
        match error {
            Err(Error::InvalidInput(message)) => assert!(message.contains(&format!("{bad:?}")), "{message}"),
            other => panic!("{bad:?}: expected InvalidInput, got {other:?}"),
        }
    }
    let duplicate = client.upload_dag().file("a", b"x".to_vec()).file("a", b"y".to_vec()).send().await;
    assert!(matches!(duplicate, Err(Error::InvalidInput(m)) if m.contains("twice")));
    assert!(matches!(client.upload_dag().send().await, Err(Error::InvalidInput(_))));
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_missing_file_is_a_local_file_error_naming_it() {
    let server = ScriptedServer::start(vec![created()]).await;
    let error =
        client(&server.url, RetryPolicy::none()).upload_file("/no/such/file.bin").send().await.unwrap_err();
    assert!(
        matches!(&error, Error::LocalFile { path, problem: LocalFileError::Open(_) } if path.ends_with("file.bin")),
        "{error:?}"
    );
    assert!(error.to_string().contains("/no/such/file.bin"), "{error}");
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn a_file_is_streamed_whole_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    let content: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let server = ScriptedServer::start(vec![created()]).await;
    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let record = seen.clone();
    client(&server.url, RetryPolicy::none())
        .upload_file(&path)
        .on_progress(move |p| record.lock().unwrap().push(p))
        .send()
        .await
        .unwrap();
    let request = server.requests.lock().unwrap()[0].clone();
    assert!(request.windows(content.len()).any(|w| w == content.as_slice()), "the file arrived whole");
    let seen = seen.lock().unwrap();
    let last = seen.last().unwrap();
    assert_eq!(last.sent, content.len() as u64);
    assert_eq!(last.total, Some(content.len() as u64));
    assert!(seen.len() > 1 && seen.windows(2).all(|w| w[0].sent < w[1].sent));
}

#[tokio::test(start_paused = true)]
async fn a_connection_dropped_mid_upload_is_an_error_never_a_success() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.png");
    std::fs::write(&path, vec![7u8; 2 * 1024 * 1024]).unwrap();
    let server = ScriptedServer::start((0..10).map(|_| Reply::DropAfter(64 * 1024)).collect()).await;
    let error = client(&server.url, RetryPolicy::default()).upload_file(&path).send().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_) | Error::Timeout { .. }), "{error:?}");
    assert_eq!(server.request_count(), 4, "uploads are retried: the same bytes give the same CID");
}

#[tokio::test(start_paused = true)]
async fn a_retried_upload_reopens_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.png");
    let content = vec![9u8; 512 * 1024];
    std::fs::write(&path, &content).unwrap();
    let server = ScriptedServer::start(vec![Reply::DropAfter(32 * 1024), created()]).await;
    let up = client(&server.url, RetryPolicy::default()).upload_file(&path).send().await.unwrap();
    assert_eq!(up.cid, CID);
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].windows(content.len()).any(|w| w == content.as_slice()),
        "the retry sent the whole file"
    );
}

#[tokio::test(start_paused = true)]
async fn an_upload_from_a_reader_is_not_retried() {
    let server = ScriptedServer::start(vec![Reply::DropAfter(10), created()]).await;
    let reader = std::io::Cursor::new(vec![1u8; 100_000]);
    let error = client(&server.url, RetryPolicy::default())
        .upload("stream.bin", Source::reader(reader))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn an_undecodable_upload_response_keeps_status_and_body() {
    let server = ScriptedServer::start(vec![Reply::Respond(201, vec![], "<html>ok?</html>".into())]).await;
    let error =
        client(&server.url, RetryPolicy::none()).upload("a.txt", b"a".to_vec()).send().await.unwrap_err();
    assert!(
        matches!(&error, Error::Decode { status: Some(s), body, .. } if s.as_u16() == 201 && body.as_ref() == b"<html>ok?</html>"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_stalled_upload_times_out_but_a_slow_one_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("video.bin");
    std::fs::write(&path, vec![5u8; 40 * 1024 * 1024]).unwrap();
    let timeout = std::time::Duration::from_secs(2);
    let with_timeout = |url: &str| {
        pinarkive::Client::builder()
            .base_url(url)
            .api_key(support::KEY)
            .retry_policy(RetryPolicy::none())
            .read_timeout(timeout)
            .build()
            .unwrap()
    };

    let hung = ScriptedServer::start(vec![Reply::StallAfter(64 * 1024)]).await;
    let error = with_timeout(&hung.url).upload_file(&path).send().await.unwrap_err();
    assert!(matches!(&error, Error::Timeout { .. }), "{error:?}");
    assert!(error.to_string().contains("no progress for 2s"), "{error}");
    assert!(error.is_retryable());

    // The server takes 256 KiB every 20 ms: the upload lasts longer than the timeout but never
    // pauses that long (the kernel's socket buffers, a few MiB, drain well within it).
    let pause = std::time::Duration::from_millis(20);
    let slow = ScriptedServer::start(vec![Reply::Slowly(pause, 201, json!({"cid": CID}).to_string())]).await;
    let started = std::time::Instant::now();
    let up = with_timeout(&slow.url).upload_file(&path).send().await.unwrap();
    assert_eq!(up.cid, CID);
    assert!(started.elapsed() > timeout, "the upload took only {:?}", started.elapsed());
}
