//! The command line: every command, flag and argument, with the help text users read.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Upload, pin and list files on Pinarkive (IPFS pinning) from the terminal.
///
/// Settings come from flags, then the environment (PINARKIVE_API_KEY, PINARKIVE_API_BASE_URL,
/// PINARKIVE_CLUSTER_ID), then ~/.pinarkive/config.json (written by `pinarkive login`, the same
/// file the official Node CLI uses).
#[derive(Debug, Parser)]
#[command(name = "pinarkive", version, propagate_version = true, max_term_width = 100)]
#[command(after_help = EXIT_CODES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Printed under every `--help`, so scripts know what to test for.
const EXIT_CODES: &str = "\
Exit codes: 0 ok, 1 API error, 2 usage or a local problem (a file, the config file), 3 refused \
(any 401 or 403: authentication, scope, permission), 4 rate limited after retries, 5 network, \
130 interrupted (Ctrl-C).";

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// API base URL, including /api/v3 [env: PINARKIVE_API_BASE_URL]
    #[arg(long, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub base_url: Option<String>,

    /// API key; prefer `pinarkive login` or PINARKIVE_API_KEY, which other users of this machine
    /// cannot read from the process list [env: PINARKIVE_API_KEY]
    #[arg(long, global = true, value_name = "KEY", help_heading = GLOBAL)]
    pub api_key: Option<String>,

    /// Print one JSON document instead of tables and messages
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// How many times to resend a request that failed for a passing reason (429, 503, a lost
    /// connection)
    #[arg(long, global = true, value_name = "N", default_value_t = 3, help_heading = GLOBAL)]
    pub retries: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store an API key in ~/.pinarkive/config.json (asks without echo, reads stdin, or takes
    /// --api-key)
    Login(LoginArgs),
    /// Remove the stored API key
    Logout,
    /// Upload files, one CID each, with a progress bar on a terminal
    Upload(UploadArgs),
    /// Upload a directory as one DAG (one root CID), paths relative to DIR
    UploadDir(UploadDirArgs),
    /// Pin a CID that is already on IPFS
    Pin(PinArgs),
    /// Remove pins
    Rm(RmArgs),
    /// List your uploads
    Ls(LsArgs),
    /// Rename an upload (its CID stays the same)
    Rename(RenameArgs),
    /// List the clusters your plan allows, with their gateways
    Clusters,
    /// Print the gateway URL of a CID (no network needed without --cluster)
    Gateway(GatewayArgs),
    /// Show the pin status of a CID on each peer of a cluster
    Status(StatusArgs),
    /// Show the account the key belongs to
    Whoami,
    /// Create, list and revoke API tokens
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Check the API, the key, its scopes, clusters and gateway (exit 0 when all pass)
    Doctor,
    /// Show the settings in effect and where each comes from (the key masked)
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run a local Pinarkive emulator in the foreground, to try the tool without an account
    Emulator(EmulatorArgs),
    /// Print the JSON Schema of a command's --json output (without COMMAND: list them)
    Schema(SchemaArgs),
    /// Serve the IPFS Pinning Service API in front of Pinarkive, so that kubo (`ipfs pin
    /// remote`), IPFS Desktop and Helia can pin to it
    #[command(long_about = PINNING_SERVICE_ABOUT)]
    PinningService(PinningServiceArgs),
}

/// The long help of `pinning-service`: what carries over and what does not.
const PINNING_SERVICE_ABOUT: &str = "\
Serve the IPFS Pinning Service API (v1.0.0) at the root of http://HOST:PORT, backed by Pinarkive.

Each request's `Authorization: Bearer <key>` is used as the Pinarkive API key for that request \
only: nothing is stored, and several users can share one bridge. The key needs files:read, \
files:write, files:delete and cluster:read (for live status; without it a pin's status is that \
of Pinarkive's record). The API key of the settings (--api-key, PINARKIVE_API_KEY, the config \
file) is not used.

  ipfs pin remote service add pinarkive http://127.0.0.1:5001 <key>
  ipfs pin remote add --service=pinarkive --name=photos <cid>

What carries over: pin by CID with its name (Pinarkive's customName), in --cluster; list with \
cid, name (exact, iexact, partial, ipartial), status, before, after and limit; get, replace (pin \
the new CID, then remove the old) and remove by requestid. requestids are made from Pinarkive's \
record (no database), so they survive restarts.

What does not: Pinarkive stores no meta and no origins (accepted, not kept; info.not_stored says \
so, and a meta filter matches nothing). A listed pin's status is `pinned` (Pinarkive records a \
pin once pinned; live status costs one request per pin); delegates are the cluster's IPFS peers \
when Pinarkive's status answer names them, else empty. A listing reads the whole account, 100 \
uploads a request, within Pinarkive's rate limits. Plain http: loopback only unless \
--allow-insecure-http.";

#[derive(Debug, Args)]
pub struct PinningServiceArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1", value_name = "HOST")]
    pub host: std::net::IpAddr,
    /// Port to listen on
    #[arg(long, default_value_t = pinarkive::pinning_service::DEFAULT_PORT, value_name = "PORT")]
    pub port: u16,
    /// Cluster new pins go to (cl0-global, cl1-eu, ...) [default: the settings' cluster, else
    /// Pinarkive's default]
    #[arg(long, value_name = "ID")]
    pub cluster: Option<String>,
    /// Listen on a non-loopback address over plain http, where callers' keys cross the network
    /// in clear text (put a TLS proxy in front)
    #[arg(long)]
    pub allow_insecure_http: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Read the key from standard input instead of asking (also the default when stdin is not
    /// a terminal)
    #[arg(long)]
    pub stdin: bool,
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Files to upload
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub placement: Placement,
}

#[derive(Debug, Args)]
pub struct UploadDirArgs {
    /// Directory whose files become one DAG
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub placement: Placement,
}

/// Where content is stored and for how long: shared by upload, upload-dir and pin.
#[derive(Debug, Args)]
pub struct Placement {
    /// Cluster to store in (default: PINARKIVE_CLUSTER_ID, the config file, or the account's)
    #[arg(long, value_name = "CLUSTER")]
    pub cluster: Option<String>,
    /// Keep the pin until this date (2026-12-31) or RFC 3339 time (2026-12-31T23:59:59Z); paid
    /// plans only
    #[arg(long, value_name = "WHEN")]
    pub timelock: Option<String>,
}

#[derive(Debug, Args)]
pub struct PinArgs {
    /// The CID to pin
    pub cid: String,
    /// A name for the pin
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub placement: Placement,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// CIDs to unpin
    #[arg(required = true, value_name = "CID")]
    pub cids: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// List every upload, following pages
    #[arg(long, conflicts_with_all = ["limit", "page"])]
    pub all: bool,
    /// Uploads per page
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    /// Page to show, from 1
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub page: u64,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    /// The CID of the upload
    pub cid: String,
    /// Its new name
    pub new_name: String,
    /// The upload's id, when the upload list does not give one
    #[arg(long, value_name = "UPLOAD_ID")]
    pub id: Option<String>,
}

#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// The CID
    pub cid: String,
    /// Use this cluster's gateway (asks the API for it)
    #[arg(long)]
    pub cluster: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The CID
    pub cid: String,
    /// The cluster to ask (default: the account's default cluster)
    #[arg(long)]
    pub cluster: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token; its key is shown once
    Create(TokenCreateArgs),
    /// List your tokens
    Ls,
    /// Revoke a token by name
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// A name for the token, unique in your account
    pub name: String,
    /// A scope to grant (repeat the flag or separate with commas), e.g. files:read, files:write,
    /// files:delete, cluster:read; without it the server grants user:read and files:read
    #[arg(long = "scope", value_name = "SCOPE", value_delimiter = ',')]
    pub scopes: Vec<String>,
    /// Days until the token expires
    #[arg(long, value_name = "N")]
    pub expires_in_days: Option<u64>,
    /// A label for the token
    #[arg(long)]
    pub label: Option<String>,
    #[command(flatten)]
    pub two_factor: TwoFactorArgs,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    /// The token's name
    pub name: String,
    #[command(flatten)]
    pub two_factor: TwoFactorArgs,
}

#[derive(Debug, Args)]
pub struct TwoFactorArgs {
    /// The current two-factor (TOTP) code, when the account has 2FA; asked for on a terminal
    /// when needed
    #[arg(long, value_name = "CODE")]
    pub totp: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Show the base URL, key (masked), cluster and gateway in effect, and their sources
    Show,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The command, such as `ls` or `tokens create`; `stderr` for what stderr carries in --json
    /// mode
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    // The flags `cargo xtask emulator` takes too, defined and parsed by the library.
    #[command(flatten)]
    pub options: pinarkive::emulator::EmulatorOptions,
}
