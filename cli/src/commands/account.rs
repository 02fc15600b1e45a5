//! `clusters`, `gateway`, `status` and `whoami`.

use pinarkive::types;
use serde::Deserialize;
use serde_json::Value;

use super::{check_cids, Context};
use crate::args::{GatewayArgs, StatusArgs};
use crate::errors::CliError;
use crate::json::account::{ClusterItem, ClusterListing, GatewayUrl, PeerItem, StatusReport, Whoami};
use crate::output::{or_none, NONE};

impl From<&types::Cluster> for ClusterItem {
    fn from(cluster: &types::Cluster) -> Self {
        let mut gateways: Vec<&types::Gateway> = cluster.gateways.iter().collect();
        gateways.sort_by_key(|g| g.order.unwrap_or(i64::MAX));
        ClusterItem {
            id: cluster.cluster_id.clone().or_else(|| cluster.id.clone()),
            label: cluster.label.clone(),
            region: cluster.region.clone(),
            country: cluster.country.clone(),
            gateways: gateways
                .iter()
                .filter_map(|g| g.public_url.clone().or_else(|| g.url.clone()))
                .collect(),
        }
    }
}

pub async fn clusters(ctx: &Context) -> Result<(), CliError> {
    let client = ctx.client()?;
    let clusters = client.users_me_clusters_list().send().await?.into_inner();
    let listing = ClusterListing { clusters: clusters.0.iter().map(ClusterItem::from).collect() };
    if ctx.out.json {
        ctx.out.json(&listing);
        return Ok(());
    }
    if listing.clusters.is_empty() {
        ctx.out.line("No clusters: the plan allows none.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = listing
        .clusters
        .iter()
        .map(|c| {
            let place = match (&c.region, &c.country) {
                (Some(region), Some(country)) => format!("{region}, {country}"),
                (Some(one), None) | (None, Some(one)) => one.clone(),
                (None, None) => NONE.to_string(),
            };
            let gateways = if c.gateways.is_empty() { NONE.to_string() } else { c.gateways.join(" ") };
            vec![or_none(c.id.as_ref()), or_none(c.label.as_ref()), place, gateways]
        })
        .collect();
    ctx.out.table(&["ID", "LABEL", "WHERE", "GATEWAYS"], &rows);
    Ok(())
}

/// Without `--cluster`: the configured (or the primary) gateway, no network. With it: that
/// cluster's gateway, from the API.
pub async fn gateway(ctx: &Context, args: GatewayArgs) -> Result<(), CliError> {
    check_cids([&args.cid])?;
    let url = match &args.cluster {
        None => pinarkive::gateway::content_url(ctx.gateway_base(), &args.cid)?,
        Some(cluster) => {
            let gateways = ctx.client()?.gateways().await?;
            gateways.url_in(cluster, &args.cid)?.ok_or_else(|| {
                CliError::usage(format!(
                    "cluster {cluster} has no public gateway in this account (see `pinarkive clusters`)"
                ))
            })?
        }
    };
    if ctx.out.json {
        ctx.out.json(&GatewayUrl { cid: args.cid, url, cluster: args.cluster });
    } else {
        ctx.out.line(url);
    }
    Ok(())
}

pub async fn status(ctx: &Context, args: StatusArgs) -> Result<(), CliError> {
    check_cids([&args.cid])?;
    let client = ctx.client()?;
    let mut request = client.status_get().cid(args.cid.clone());
    let cluster = args.cluster.clone().or_else(|| client.default_cluster().map(str::to_string));
    if let Some(cluster) = &cluster {
        request = request.cl(cluster.clone());
    }
    let status = request.send().await?.into_inner();
    let report = StatusReport {
        cid: status.cid.unwrap_or(args.cid),
        cluster,
        status: status.status,
        replication_factor: status.replication_factor,
        peers: status
            .peers
            .into_iter()
            .map(|p| PeerItem {
                peer: p.peername.or(p.id).or(p.ipfs_peer_id),
                status: p.status,
                error: p.error.filter(|e| !e.is_empty()),
            })
            .collect(),
    };
    if ctx.out.json {
        ctx.out.json(&report);
        return Ok(());
    }
    let cluster = report.cluster.as_ref().map(|c| format!(" in {c}")).unwrap_or_default();
    ctx.out.line(format!("{}{cluster}: {}", report.cid, or_none(report.status.as_ref())));
    if !report.peers.is_empty() {
        let rows: Vec<Vec<String>> = report
            .peers
            .iter()
            .map(|p| vec![or_none(p.peer.as_ref()), or_none(p.status.as_ref()), or_none(p.error.as_ref())])
            .collect();
        ctx.out.table(&["PEER", "STATUS", "ERROR"], &rows);
    }
    Ok(())
}

pub async fn whoami(ctx: &Context) -> Result<(), CliError> {
    let client = ctx.client()?;
    let me = client.users_me_get().send().await?.into_inner();
    let name = match (me.name, me.lastname) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        (first, last) => first.or(last),
    };
    let whoami = Whoami {
        email: me.email,
        username: me.username,
        name,
        plan: me.plan.as_ref().and_then(plan_name),
        clusters: me.clusters.as_ref().and_then(cluster_count),
    };
    if ctx.out.json {
        ctx.out.json(&whoami);
        return Ok(());
    }
    ctx.out.pairs(&[
        ("user", or_none(whoami.email.as_ref().or(whoami.username.as_ref()))),
        ("name", or_none(whoami.name.as_ref())),
        ("plan", or_none(whoami.plan.as_ref())),
        ("clusters", or_none(whoami.clusters)),
    ]);
    Ok(())
}

/// The plan as a name: `/users/me` sends a name or a `Plan` object (sources disagree).
fn plan_name(plan: &Value) -> Option<String> {
    match plan {
        Value::String(name) => Some(name.clone()),
        Value::Object(_) => {
            let plan = types::Plan::deserialize(plan).ok()?;
            plan.name.or(plan.code).or(plan.id)
        }
        _ => None,
    }
}

/// The clusters as a count: the API sends a number or a list (sources disagree).
fn cluster_count(clusters: &Value) -> Option<u64> {
    match clusters {
        Value::Number(n) => n.as_u64(),
        Value::Array(items) => Some(items.len() as u64),
        _ => None,
    }
}
