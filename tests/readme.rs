//! The README's first example, run as written against a mock server.
//!
//! A test binary of its own: it sets environment variables and the working directory, which
//! would race with the tests in `tests/it`.

use httpmock::{Method, MockServer};
use serde_json::json;

/// The body of the README's `main`, which this test runs below; checked to be in the README.
const README_BODY: &str = r#"    let client = pinarkive::Client::from_env()?;      // PINARKIVE_API_KEY, optional PINARKIVE_API_BASE_URL, PINARKIVE_CLUSTER_ID
    let up = client.upload_file("photo.png").cluster("cl0-global").send().await?;
    let page = client.users_me_uploads_list().limit(50).send().await?;   // every operation of the spec
    println!("{} uploaded; {} uploads in all", up.cid, page.uploads.len());
    Ok(())"#;

async fn readme_main() -> pinarkive::Result<()> {
    let client = pinarkive::Client::from_env()?; // PINARKIVE_API_KEY, optional PINARKIVE_API_BASE_URL, PINARKIVE_CLUSTER_ID
    let up = client.upload_file("photo.png").cluster("cl0-global").send().await?;
    let page = client.users_me_uploads_list().limit(50).send().await?; // every operation of the spec
    println!("{} uploaded; {} uploads in all", up.cid, page.uploads.len());
    Ok(())
}

#[test]
fn the_readme_shows_this_example() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_screen: String = readme.lines().take(30).collect::<Vec<_>>().join("\n");
    assert!(first_screen.contains(README_BODY), "README.md's first example changed; update tests/readme.rs");
}

#[tokio::test]
async fn the_readme_example_works() {
    const CID: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
    let server = MockServer::start_async().await;
    let upload = server
        .mock_async(|when, then| {
            when.method(Method::POST)
                .path("/files")
                .header("x-api-key", "pk_readme")
                .body_includes(r#"name="file"; filename="photo.png""#)
                .body_includes("\r\n\r\ncl0-global\r\n");
            then.status(201).json_body(json!({"cid": CID}));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(Method::GET).path("/users/me/uploads").query_param("limit", "50");
            then.status(200).json_body(json!({"uploads": [{"cid": CID}], "total": 1}));
        })
        .await;

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("photo.png"), b"\x89PNG\r\n").unwrap();
    std::env::set_current_dir(dir.path()).unwrap();
    std::env::set_var("PINARKIVE_API_KEY", "pk_readme");
    std::env::set_var("PINARKIVE_API_BASE_URL", server.base_url());

    readme_main().await.unwrap();
    upload.assert_async().await;
    list.assert_async().await;
}

/// The README's emulator example (under "Testing your code"), checked to be there and run.
#[cfg(feature = "emulator")]
mod emulator_example {
    const README_SNIPPET: &str = r#"      let emu = pinarkive::emulator::Emulator::builder()
          .api_key("k1", ["files:read", "files:write"])   // "*" for every scope
          .start().await?;                                 // stops when dropped
      let client = pinarkive::Client::builder().base_url(emu.base_url()).api_key("k1").build()?;"#;

    #[test]
    fn the_readme_shows_it() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        assert!(
            readme.contains(README_SNIPPET),
            "README.md's emulator example changed; update tests/readme.rs"
        );
    }

    #[tokio::test]
    async fn it_works() -> Result<(), Box<dyn std::error::Error>> {
        let emu = pinarkive::emulator::Emulator::builder()
            .api_key("k1", ["files:read", "files:write"]) // "*" for every scope
            .start()
            .await?; // stops when dropped
        let client = pinarkive::Client::builder().base_url(emu.base_url()).api_key("k1").build()?;

        let up = client.upload("hello.txt", b"hello".to_vec()).send().await?;
        let page = client.users_me_uploads_list().send().await?;
        assert!(page.uploads.iter().any(|u| u.cid == up.cid), "{page:?}");
        // The key lacks user:read: the emulator answers what the real API documents.
        let refused = client.users_me_get().send().await.unwrap_err();
        assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
        assert_eq!(refused.api().and_then(|api| api.required_scope.as_deref()), Some("user:read"));
        Ok(())
    }
}
