//! `pinning-service`: the IPFS Pinning Service API in front of Pinarkive, in the foreground
//! until Ctrl-C. The bridge is the library's (`pinarkive::pinning_service`); this command gives
//! it the settings' base URL, cluster and retries, and no key (each request brings its own).

use std::net::SocketAddr;

use pinarkive::pinning_service::PinningService;

use super::Context;
use crate::args::PinningServiceArgs;
use crate::errors::CliError;
use crate::json::pinning_service::Started;

pub async fn run(ctx: &Context, args: PinningServiceArgs) -> Result<(), CliError> {
    let mut builder = ctx.builder_without_key(ctx.retries);
    if let Some(cluster) = &args.cluster {
        builder = builder.cluster(cluster.clone());
    }
    let client = builder.build().map_err(CliError::from)?;
    let bind = SocketAddr::new(args.host, args.port);
    let service = PinningService::builder(client.clone())
        .bind(bind)
        .allow_insecure_http(args.allow_insecure_http)
        .start()
        .await
        .map_err(|e| {
            let hint = match e.kind() {
                std::io::ErrorKind::AddrInUse => {
                    " (kubo's RPC API listens on 5001 by default: try --port 5002)"
                }
                _ => "",
            };
            CliError::usage(format!("cannot serve the pinning service on {bind}: {e}{hint}"))
        })?;
    let url = service.url();
    // A user and password in the base URL stay out of the output, as in the client's errors.
    let api = pinarkive::redact::without_userinfo(
        ctx.settings.base_url.value.as_deref().unwrap_or(pinarkive::DEFAULT_BASE_URL),
    );
    if ctx.out.json {
        ctx.out.json(&Started { url: &url, api_base_url: &api, cluster: client.default_cluster() });
    } else {
        ctx.out.line(format!("IPFS Pinning Service API on {url}, backed by {api}"));
        if let Some(cluster) = client.default_cluster() {
            ctx.out.line(format!("new pins go to cluster {cluster}"));
        }
        ctx.out.line(format!("kubo:  ipfs pin remote service add pinarkive {url} <your Pinarkive API key>"));
        ctx.out.line(format!("the key needs {}; Ctrl-C stops", pinarkive::pinning_service::scopes_used()));
    }
    let _ = tokio::signal::ctrl_c().await;
    ctx.out.note("stopping the pinning service");
    service.shutdown().await;
    Ok(())
}
