//! What every example starts with: a client for the live API when `PINARKIVE_API_KEY` is set,
//! otherwise for an emulator started on loopback for the run (no account needed).

use pinarkive::emulator::Emulator;
use pinarkive::Client;

/// The key the emulator of an example accepts, with every scope.
const EMULATOR_KEY: &str = "example-key";

/// The client, and the emulator it talks to when there is one (keep it alive while you use the
/// client; dropping it stops the server).
pub async fn client() -> Result<(Client, Option<Emulator>), Box<dyn std::error::Error>> {
    if std::env::var_os("PINARKIVE_API_KEY").is_some() {
        eprintln!("using the API at {} (PINARKIVE_API_KEY is set)", api_url());
        return Ok((Client::from_env()?, None));
    }
    let emulator = Emulator::builder().api_key(EMULATOR_KEY, ["*"]).start().await?;
    eprintln!("PINARKIVE_API_KEY is not set: using an emulator at {}", emulator.base_url());
    let client = Client::builder().base_url(emulator.base_url()).api_key(EMULATOR_KEY).build()?;
    Ok((client, Some(emulator)))
}

fn api_url() -> String {
    std::env::var("PINARKIVE_API_BASE_URL").unwrap_or_else(|_| pinarkive::DEFAULT_BASE_URL.to_string())
}
