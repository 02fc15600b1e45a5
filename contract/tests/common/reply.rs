//! An HTTP answer read whole, shared by the contract crate's test binaries (the emulator's and
//! the pinning-service bridge's); each adds the readers its own answers need.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// An answer read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends `request` and reads the whole answer, whatever it is.
pub async fn fetch(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the server answers");
    Reply {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("a whole body").to_vec(),
    }
}
