//! Pins content by its CID under a name of your choice, then shows the pin in the uploads list.
//!
//! ```sh
//! cargo run --example pin_by_cid -- CID [NAME]
//! ```
//!
//! Without a CID it pins the CID of the text "hello world" (raw, CIDv1). Without
//! `PINARKIVE_API_KEY` it pins on an emulator started for the run.

mod common;

/// The CIDv1 (raw leaves, sha2-256) of `hello world`.
const HELLO_WORLD: &str = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let cid = args.next().unwrap_or_else(|| HELLO_WORLD.to_string());
    let name = args.next().unwrap_or_else(|| "hello.txt".to_string());
    // A bad CID is refused here, before anything is sent.
    pinarkive::validate_cid(&cid)?;

    let (client, _emulator) = common::client().await?;
    client.files_pin().cid(&cid).body_map(|body| body.custom_name(name.clone())).send().await?;
    println!("pinned {cid} as {name}");

    // The pin is listed with the uploads, under its name.
    let page = client.users_me_uploads_list().send().await?;
    if let Some(pin) = page.uploads.iter().find(|u| u.cid == cid) {
        println!("listed: {} {}", pin.cid, pin.custom_name.as_deref().or(pin.name.as_deref()).unwrap_or("-"));
    }
    Ok(())
}
