//! Lists every upload of the account, page after page, as one stream.
//!
//! ```sh
//! cargo run --example list_all_uploads
//! ```
//!
//! Without `PINARKIVE_API_KEY` it lists an emulator's uploads, after uploading 25 small files to
//! it so that there are several pages (of 10) to walk.

mod common;

use futures::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, emulator) = common::client().await?;
    if emulator.is_some() {
        for i in 0..25 {
            client.upload(format!("note-{i:02}.txt"), format!("note {i}").into_bytes()).send().await?;
        }
    }

    // Pages of 10 are asked for one after the other as the stream is read; a server whose pages
    // would never end stops the stream with `Error::Paging`.
    let uploads = client.uploads().page_size(10).stream();
    futures::pin_mut!(uploads);
    let mut count = 0;
    while let Some(upload) = uploads.try_next().await? {
        count += 1;
        let size = upload.size.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
        println!("{}  {:>10}  {}", upload.cid, size, upload.name.as_deref().unwrap_or("-"));
    }
    println!("{count} uploads");
    Ok(())
}
