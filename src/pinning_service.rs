//! The IPFS Pinning Service API (v1.0.0) in front of Pinarkive: a local bridge that lets kubo
//! (`ipfs pin remote`), IPFS Desktop, Helia and any other client of that API pin to Pinarkive.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use pinarkive::pinning_service::PinningService;
//!
//! // No key here: each request's `Authorization: Bearer <key>` is the Pinarkive API key it uses.
//! let client = pinarkive::Client::builder().cluster("cl0-global").build()?;
//! let bridge = PinningService::builder(client).bind(([127, 0, 0, 1], 5001).into()).start().await?;
//! println!("ipfs pin remote service add pinarkive {} <your key>", bridge.url());
//! # bridge.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Each request is answered with the crate's own [`Client`], given the bearer token the caller
//! sent as its API key ([`Client::with_credentials`]) for that request only: the bridge stores
//! no key and serves any number of users. A key is never logged, echoed or shown by `Debug`;
//! errors carry Pinarkive's answer with the key taken out. A request without a bearer token is
//! a `401` in the API's error shape.
//!
//! # The mapping, and its evidence
//!
//! (Pinarkive's side is `openapi/pinarkive-v3.yaml`; the PSA's is `openapi/ipfs-pinning-service.yaml`.)
//!
//! - **`POST /pins`** pins the CID with `files_pin` (`POST /files/pin/{cid}`), the `name` as
//!   `customName`, in the client's cluster (`--cluster`, sent as `X-Cluster`; Pinarkive's
//!   default `cl0-global` without it), then reads back Pinarkive's record of it
//!   (`users_me_uploads_list` with `cid`) and its status (`status_get`), and answers `202` with
//!   the `PinStatus`. Once the pin is made, a failure to read its record back (a `429`, a `5xx`)
//!   does not report it as failed: the answer is the pin as asked, `pinned`, with the CID alone
//!   as its `requestid` (which names the CID's record) and the reason in `status_details`.
//! - **`requestid`** is made from that record, so no database is needed and ids survive a
//!   restart: `<cid>.<tag>`, the tag being the record's `_id`, else `t<createdAt in Unix ms>`.
//!   An id that does not parse is `400`; one whose record is gone, `404`. Pinarkive keeps one
//!   record per CID (the emulator's reading: pinning a pinned CID again updates that record's
//!   name and keeps its `_id` and `createdAt`), so **two pin requests for one CID are one pin
//!   with one `requestid`**, where the PSA would give each request its own: telling them apart
//!   would take a database of requests, which the bridge does not keep. Removing either removes
//!   the CID. Replacing a pin with its own CID renames it and keeps its `requestid`.
//! - **`GET /pins`** walks the account's uploads (`users_me_uploads_list`, 100 a page, through
//!   [`crate::pagination`]: it stops on a repeated page, past the reported total and after
//!   [`PinningServiceBuilder::max_list_pages`] pages; the client waits out `Retry-After` on a
//!   `429` as its [`RetryPolicy`](crate::RetryPolicy) allows) and filters them here: `cid` (up
//!   to 10, each also asked of Pinarkive as its `cid` filter), `name` with `match` (`exact`,
//!   `iexact`, `partial`, `ipartial`; a pin without a name matches no name), `status`,
//!   `before`/`after` (strictly, on `created`), `limit` (1–1000, default 10), `meta`. `count`
//!   is every match; `results` the newest `limit` by `created`. Every upload is listed, whether
//!   pinned by CID or uploaded (an upload's file name is its `name`). **A limit of
//!   `before` paging:** a client pages on with `before` set to the oldest `created` it got, and
//!   pins whose `created` is equal to it (two pins in the same millisecond, or several records
//!   without a date, which all get the Unix epoch) are skipped; the PSA pages by time alone, so
//!   no page token can carry a tie-breaker.
//! - **`GET /pins/{requestid}`** is the record with its live status (`status_get`).
//! - **`POST /pins/{requestid}`** (replace) pins the new CID first, then removes the old one
//!   (`files_remove`), so that blocks common to both stay pinned, and answers `202` with the
//!   new pin's `PinStatus` (a new `requestid`). If the removal fails, the error says the new
//!   pin's `requestid`. The same CID is not removed (see `requestid`).
//! - **`DELETE /pins/{requestid}`** is `files_remove` of the record's CID: `202`, no body.
//! - **`status`** comes from `status_get`'s overall `status` (IPFS Cluster's names, which
//!   Pinarkive passes through per the spec's `CidStatus`): `pinned`, `sharded`, `remote` →
//!   `pinned`; **`partial` → `pinned`** (held by some of the cluster's peers and replicating to
//!   the rest; `status_details` says how many), `pinning` → `pinning`, `queued`/`pin_queued` →
//!   `queued`, `pin_error`, `cluster_error`, `unpinned`, `unpin*`, `unexpectedly_unpinned` →
//!   `failed`; **an unknown value → `queued`** (never claimed done; `status_details` names it);
//!   no overall status → the best of the peers' statuses; nothing at all → `pinned`. A listing
//!   does not ask `status_get` for every pin (one call per pin would spend Pinarkive's rate limit,
//!   100 a minute, on one page): a listed pin is `pinned`, because Pinarkive records a pin only
//!   once it has pinned it (`files_pin` answers `201` "The CID was pinned", backend reference).
//!   The same holds wherever `status_get` fails other than with a `404` (a key without
//!   `cluster:read`: `403`; an unreachable cluster: `503`; a `429` or another error): the
//!   record's `pinned`, with the reason in `status_details`, so that a pin or replace that was
//!   made is never reported as failed. A `404` from `status_get` (the CID not pinned in its
//!   cluster) is `failed`.
//! - **`delegates`** are `/p2p/<ipfs_peer_id>` of the status answer's `peers`: real libp2p
//!   peer ids only (a base58btc identity or sha2-256 multihash, `12D3KooW…`/`Qm…`, or a CIDv1
//!   with the `libp2p-key` codec; at most 128 characters), at most 20, no repeats, and none that
//!   the caller's key (or a piece of it) could be part of: they are remembered per cluster and
//!   shown to every caller. A listing gives each pin its cluster's
//!   delegates as last seen (IPFS Cluster replicates to every peer of a cluster), learning a
//!   cluster's with one status call when none are known. **When none are known** (no status
//!   answer, a key without `cluster:read`, or peers without ids), `delegates` is empty: the PSA
//!   document asks for at least one, but an invented address would be dialled by kubo; kubo and
//!   the PSA clients accept an empty list.
//! - **`meta` and `origins`** are accepted (and checked: 20 origins, 1000 meta entries at most)
//!   but not kept: Pinarkive stores neither. Every `PinStatus` says so in `info.not_stored`,
//!   answers carry no `meta`, and a `meta` filter with any entry matches nothing.
//! - **`info`** also carries `cluster` (the record's `clusterId`, when it is a plain token of
//!   at most 64 letters, digits, `.`, `_` or `-`) and `pinned_until` (its
//!   timelock, `expiresAt`, the PSA's suggested name).
//! - **`created`** is the record's `createdAt` (else `uploadedAt`, else the Unix epoch), to the
//!   millisecond.
//! - **Errors** have the PSA's body `{"error": {"reason", "details"}}`: no or malformed bearer
//!   token → `401 UNAUTHORIZED`; Pinarkive's `401` → `401 UNAUTHORIZED`; `403 missing_scope` →
//!   `403 MISSING_SCOPE` naming the scope (the bridge uses `files:read`, `files:write`,
//!   `files:delete` and `cluster:read`); another `403` → `403 FORBIDDEN`; `404` → `404
//!   NOT_FOUND`; `429` → `429 RATE_LIMITED` with `Retry-After` (whole seconds, at least 1);
//!   `400` → `400 BAD_REQUEST`; `503` → `503` with `Retry-After`; another `5xx`, an undecodable
//!   answer or a failed connection → `502`; a timeout → `504`. Pinarkive's other `4xx` → `400
//!   PINARKIVE_REFUSED` (passed through, a `409` would read as the PSA's `INSUFFICIENT_FUNDS`),
//!   except those about how the bridge asked (`405`, `406`, `408`, `411`, `414`, `415`, `426`)
//!   → `502`. A bearer token over 4 KiB → `401`. A request that takes longer than
//!   [`PinningServiceBuilder::request_timeout`] (120 s by default; retries and `Retry-After`
//!   waits included) → `504 BRIDGE_TIMEOUT`. Pinarkive's message is in `details`.
//! - **Pinarkive's texts** that reach an answer (names, ids, status texts, peer errors, error
//!   messages) have the caller's key, and any piece of it, replaced by `[redacted]` (the
//!   client's redactor), in success and error answers alike.
//!
//! # Serving
//!
//! [`PinningServiceBuilder::start`] serves plain HTTP/1.1 with the emulator's listener (a
//! header-read and write timeout, a cap on connections). A client that hangs up ends its
//! request: the bridge makes no more Pinarkive calls for it. Bearer tokens travel in clear, so it
//! listens on loopback only unless [`PinningServiceBuilder::allow_insecure_http`] says
//! otherwise (behind a TLS proxy, say). Request bodies are read up to 64 KiB. Browsers get CORS
//! as the emulator answers them (any origin, every `OPTIONS` a preflight), so that a web page
//! (Helia in a browser) can call it: the caller's key must still come in `Authorization`, which
//! no other page has.

mod failure;
mod psa;
mod query;
mod request_id;
mod routes;
mod status;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use self::psa::{Failure, FailureReason, Pin, PinResults, PinStatus, Status};
use crate::serve::{self, ConnectionLimits, Server, MAX_TIMEOUT};
use crate::spec::OperationId;
use crate::Client;

/// The port this crate's CLI serves the bridge on by default. kubo's own RPC
/// API listens on 5001 too, so where kubo runs on the same machine pick another (`--port 5002`).
pub const DEFAULT_PORT: u16 = 5001;
/// The default time one request may take, Pinarkive's answers and the waits for them
/// (`Retry-After`, backoff) together: 120 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The default number of Pinarkive listing pages one request may read: 200 (20,000 uploads).
pub const DEFAULT_MAX_LIST_PAGES: u64 = 200;

/// The Pinarkive operations the bridge calls.
const OPERATIONS: [OperationId; 4] = [
    OperationId::UsersMeUploadsList,
    OperationId::FilesPin,
    OperationId::FilesRemove,
    OperationId::StatusGet,
];

/// The scopes a key needs for every route, from the spec: `files:read, files:write, …`.
pub fn scopes_used() -> String {
    let scopes: Vec<String> = OPERATIONS.iter().filter_map(|op| op.scope()).map(|s| s.to_string()).collect();
    scopes.join(", ")
}

/// Configures a [`PinningService`]; made by [`PinningService::builder`].
#[derive(Debug)]
pub struct PinningServiceBuilder {
    client: Client,
    bind: SocketAddr,
    allow_insecure_http: bool,
    max_list_pages: u64,
    request_timeout: Duration,
    limits: ConnectionLimits,
}

impl PinningServiceBuilder {
    /// The address to listen on (default `127.0.0.1:5001`).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Allows listening on an address other than loopback, where callers' keys would travel
    /// in clear text over plain HTTP (off by default).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The most pages of Pinarkive's listing one request reads (default
    /// [`DEFAULT_MAX_LIST_PAGES`], at least 1); an account with more uploads gets a `502`
    /// saying so rather than a partial count.
    pub fn max_list_pages(mut self, pages: u64) -> Self {
        self.max_list_pages = pages.max(1);
        self
    }

    /// The longest one request may take, every Pinarkive call and every wait between them
    /// (a `Retry-After`, a backoff) included (default [`DEFAULT_REQUEST_TIMEOUT`], between 1 ms
    /// and 24 h). Past it the request ends with a `504` (`BRIDGE_TIMEOUT`), so that no request
    /// holds one of the connection slots for long.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout.clamp(Duration::from_millis(1), MAX_TIMEOUT);
        self
    }

    /// How long a client may take to send a request's headers, or to read an answer, and how
    /// long an idle connection lives (default 30 s, between 1 ms and 24 h).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout.clamp(Duration::from_millis(1), MAX_TIMEOUT);
        self
    }

    /// Serves at most this many connections at once (default 512, at least 1).
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// The bridge as an axum router, to serve yourself (paths at the root: `/pins`).
    pub fn into_router(self) -> axum::Router {
        routes::router(Arc::new(routes::Shared {
            client: self.client,
            max_list_pages: self.max_list_pages,
            request_timeout: self.request_timeout,
            delegates: status::Delegates::default(),
        }))
    }

    /// Binds the address and serves until [`PinningService::shutdown`] or drop.
    ///
    /// # Errors
    ///
    /// A non-loopback address without [`PinningServiceBuilder::allow_insecure_http`]
    /// (`InvalidInput`), or the error of binding it.
    pub async fn start(self) -> std::io::Result<PinningService> {
        if !self.bind.ip().is_loopback() && !self.allow_insecure_http {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} is not a loopback address: callers' API keys would cross the network in clear text over plain http; serve on 127.0.0.1 (or behind a TLS proxy and allow it explicitly)",
                    self.bind.ip()
                ),
            ));
        }
        let (bind, limits) = (self.bind, self.limits);
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let server = Server::spawn(listener, self.into_router(), limits);
        Ok(PinningService { addr, server })
    }
}

/// A running bridge; dropping it stops the server.
pub struct PinningService {
    addr: SocketAddr,
    server: Server,
}

impl fmt::Debug for PinningService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinningService").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl PinningService {
    /// Starts configuring a bridge that answers with `client`: its base URL, cluster, retry
    /// policy and limits apply; its credentials, if any, are never used (each request brings
    /// its own).
    pub fn builder(client: Client) -> PinningServiceBuilder {
        PinningServiceBuilder {
            client,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            allow_insecure_http: false,
            max_list_pages: DEFAULT_MAX_LIST_PAGES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            limits: ConnectionLimits {
                half_close: false,
                header_read_timeout: serve::DEFAULT_HEADER_READ_TIMEOUT,
                max_connections: serve::DEFAULT_MAX_CONNECTIONS,
            },
        }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The service URL to give a client: `http://127.0.0.1:5001`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits (at most 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        self.server.shutdown().await;
    }
}
