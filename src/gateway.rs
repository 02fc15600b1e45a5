//! Content URLs on the IPFS gateways of the user's clusters.

use crate::error::{Error, Result};
use crate::{types, validate_cid, Client};

/// The documented primary gateway, used when the API lists none.
pub const PRIMARY_GATEWAY: &str = "https://gateway.pinarkive.com/ipfs/";

/// The gateway bases of the user's clusters, best first; made by [`Client::gateways`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateways {
    /// `(cluster id, base URL ending in /)`, in preference order.
    bases: Vec<(Option<String>, String)>,
}

impl Client {
    /// The gateways of the user's clusters (`GET /users/me/clusters`), the client's default
    /// cluster first, then in the API's order (by `order` within a cluster).
    pub async fn gateways(&self) -> Result<Gateways> {
        let clusters = self.users_me_clusters_list().send().await?.into_inner();
        Ok(Gateways::from_clusters(&clusters.0, self.default_cluster()))
    }
}

impl Gateways {
    /// Orders the gateways of `clusters`, `preferred` cluster first; each gateway contributes
    /// its `publicUrl`, else its `url`.
    pub fn from_clusters(clusters: &[types::Cluster], preferred: Option<&str>) -> Self {
        let mut ranked: Vec<(bool, usize, i64, Option<String>, String)> = Vec::new();
        for (position, cluster) in clusters.iter().enumerate() {
            let id = cluster.cluster_id.clone().or_else(|| cluster.id.clone());
            let is_preferred = preferred.is_some() && id.as_deref() == preferred;
            for gateway in &cluster.gateways {
                let base = gateway.public_url.as_deref().or(gateway.url.as_deref()).map(str::trim);
                if let Some(base) = base.filter(|b| b.starts_with("https://") || b.starts_with("http://")) {
                    let base = if base.ends_with('/') { base.to_string() } else { format!("{base}/") };
                    ranked.push((
                        !is_preferred,
                        position,
                        gateway.order.unwrap_or(i64::MAX),
                        id.clone(),
                        base,
                    ));
                }
            }
        }
        ranked.sort_by_key(|(not_preferred, position, order, _, _)| (*not_preferred, *position, *order));
        Gateways { bases: ranked.into_iter().map(|(_, _, _, id, base)| (id, base)).collect() }
    }

    /// The URL of `cid` on the best gateway, or on [`PRIMARY_GATEWAY`] when none is listed.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `cid` is not a CID.
    pub fn url(&self, cid: &str) -> Result<String> {
        let base = self.bases.first().map_or(PRIMARY_GATEWAY, |(_, base)| base.as_str());
        content_url(base, cid)
    }

    /// The URL of `cid` on the first gateway of `cluster`, if it has one.
    pub fn url_in(&self, cluster: &str, cid: &str) -> Result<Option<String>> {
        match self.bases.iter().find(|(id, _)| id.as_deref() == Some(cluster)) {
            Some((_, base)) => content_url(base, cid).map(Some),
            None => Ok(None),
        }
    }

    /// Every gateway base, best first.
    pub fn bases(&self) -> impl Iterator<Item = &str> {
        self.bases.iter().map(|(_, base)| base.as_str())
    }
}

/// `base` + `cid`, with the CID checked; `base` is a gateway URL such as [`PRIMARY_GATEWAY`].
pub fn content_url(base: &str, cid: &str) -> Result<String> {
    validate_cid(cid)?;
    if !base.starts_with("https://") && !base.starts_with("http://") {
        return Err(Error::InvalidInput(format!("gateway base {base:?} is not an http(s) URL")));
    }
    let separator = if base.ends_with('/') { "" } else { "/" };
    Ok(format!("{base}{separator}{cid}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CID: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    fn clusters() -> Vec<types::Cluster> {
        serde_json::from_value(serde_json::json!([
            {"clusterId": "cl0-global", "gateways": [
                {"url": "https://slow.example/ipfs/", "order": 2},
                {"publicUrl": "https://gateway.pinarkive.com/ipfs", "url": "https://internal/ipfs/", "order": 1}
            ]},
            {"id": "cl1-eu", "gateways": [{"url": "https://eu1.gateway.pinarkive.com/ipfs/"}]},
            {"clusterId": "empty"}
        ]))
        .unwrap()
    }

    #[test]
    fn prefers_public_url_and_order() {
        let gateways = Gateways::from_clusters(&clusters(), None);
        assert_eq!(gateways.url(CID).unwrap(), format!("https://gateway.pinarkive.com/ipfs/{CID}"));
        assert_eq!(
            gateways.bases().collect::<Vec<_>>(),
            [
                "https://gateway.pinarkive.com/ipfs/",
                "https://slow.example/ipfs/",
                "https://eu1.gateway.pinarkive.com/ipfs/"
            ]
        );
    }

    #[test]
    fn prefers_the_default_cluster() {
        let gateways = Gateways::from_clusters(&clusters(), Some("cl1-eu"));
        assert_eq!(gateways.url(CID).unwrap(), format!("https://eu1.gateway.pinarkive.com/ipfs/{CID}"));
        assert_eq!(gateways.url_in("empty", CID).unwrap(), None);
    }

    #[test]
    fn falls_back_to_the_primary_gateway_and_checks_the_cid() {
        let gateways = Gateways::from_clusters(&[], None);
        assert_eq!(gateways.url(CID).unwrap(), format!("{PRIMARY_GATEWAY}{CID}"));
        assert!(gateways.url("../../etc").is_err());
    }
}
