//! Fixed data: the clusters and gateways the docs name, and a free and a premium plan.

use crate::types::{Cluster, Gateway, Plan as PlanBody};

use super::errors::ApiError;
use super::Plan;

/// A cluster of the docs (concepts/clusters.mdx) with its gateway host.
pub(crate) struct ClusterInfo {
    pub(crate) id: &'static str,
    pub(crate) label: &'static str,
    pub(crate) region: &'static str,
    pub(crate) country: &'static str,
    pub(crate) gateway: &'static str,
}

/// The default cluster, used when a request names none.
pub(crate) const DEFAULT_CLUSTER: &str = "cl0-global";

pub(crate) const CLUSTERS: &[ClusterInfo] = &[
    ClusterInfo {
        id: "cl0-global",
        label: "Global",
        region: "Global",
        country: "",
        gateway: "https://gateway.pinarkive.com/ipfs/",
    },
    ClusterInfo {
        id: "cl1-eu",
        label: "Europe",
        region: "Europe",
        country: "",
        gateway: "https://eu1.gateway.pinarkive.com/ipfs/",
    },
    ClusterInfo {
        id: "cl1-na",
        label: "North America",
        region: "North America",
        country: "",
        gateway: "https://na1.gateway.pinarkive.com/ipfs/",
    },
    ClusterInfo {
        id: "cl2-es",
        label: "Spain",
        region: "Europe",
        country: "ES",
        gateway: "https://eu1.gateway.pinarkive.com/ipfs/",
    },
    ClusterInfo {
        id: "cl2-us",
        label: "United States",
        region: "North America",
        country: "US",
        gateway: "https://us1.gateway.pinarkive.com/ipfs/",
    },
    ClusterInfo {
        id: "cl2-de",
        label: "Germany",
        region: "Europe",
        country: "DE",
        gateway: "https://de1.gateway.pinarkive.com/ipfs/",
    },
];

/// The gateways of a cluster: its own, then the public IPFS one as the docs' secondary.
pub(crate) fn gateways(cluster: &ClusterInfo) -> Vec<Gateway> {
    vec![
        Gateway {
            public_url: Some(cluster.gateway.to_owned()),
            url: Some(cluster.gateway.to_owned()),
            label: Some("Primary".to_owned()),
            order: Some(0),
        },
        Gateway {
            public_url: Some("https://ipfs.io/ipfs/".to_owned()),
            url: Some("https://ipfs.io/ipfs/".to_owned()),
            label: Some("Secondary".to_owned()),
            order: Some(1),
        },
    ]
}

pub(crate) fn cluster_body(cluster: &ClusterInfo) -> Cluster {
    Cluster {
        cluster_id: Some(cluster.id.to_owned()),
        id: Some(cluster.id.to_owned()),
        label: Some(cluster.label.to_owned()),
        region: Some(cluster.region.to_owned()),
        country: (!cluster.country.is_empty()).then(|| cluster.country.to_owned()),
        gateways: gateways(cluster),
    }
}

/// The clusters a plan allows.
pub(crate) fn allowed_clusters(plan: Plan) -> Vec<&'static ClusterInfo> {
    match plan {
        Plan::Free => CLUSTERS.iter().filter(|c| c.id == DEFAULT_CLUSTER).collect(),
        Plan::Premium => CLUSTERS.iter().collect(),
    }
}

/// The cluster `id` names if the plan allows it; 403 otherwise, an unknown cluster included.
pub(crate) fn allowed_cluster(plan: Plan, id: &str) -> Result<&'static ClusterInfo, ApiError> {
    allowed_clusters(plan)
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ApiError::forbidden(format!("Cluster not allowed for your plan: {id}")))
}

pub(crate) const FREE_PLAN_ID: &str = "656d7500000000000000f4ee";
pub(crate) const PREMIUM_PLAN_ID: &str = "656d750000000000000009e3";

impl Plan {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Plan::Free => FREE_PLAN_ID,
            Plan::Premium => PREMIUM_PLAN_ID,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Premium => "premium",
        }
    }

    /// A plan by its id or code, as `planId` may carry either.
    pub(crate) fn find(id: &str) -> Option<Plan> {
        [Plan::Free, Plan::Premium].into_iter().find(|p| p.id() == id || p.code().eq_ignore_ascii_case(id))
    }

    pub(crate) fn timelock_allowed(self) -> bool {
        self == Plan::Premium
    }

    pub(crate) fn body(self) -> PlanBody {
        let (name, storage_mb, price, file_max, descriptions) = match self {
            Plan::Free => (
                "Free",
                100.0,
                0.0,
                100 * 1024 * 1024_i64,
                [
                    ("en", "Free plan: 100 MB on the global cluster"),
                    ("es", "Plan gratuito: 100 MB en el cluster global"),
                ],
            ),
            Plan::Premium => (
                "Premium",
                102_400.0,
                9.0,
                5 * 1024 * 1024 * 1024_i64,
                [
                    ("en", "Premium plan: 100 GB, every cluster, timelocks"),
                    ("es", "Plan premium: 100 GB, todos los clusters, timelocks"),
                ],
            ),
        };
        PlanBody {
            id: Some(self.id().to_owned()),
            name: Some(name.to_owned()),
            code: Some(self.code().to_owned()),
            descriptions: descriptions.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            storage_limit: Some(storage_mb),
            price_per_month: Some(price),
            allowed_cluster_ids: allowed_clusters(self).iter().map(|c| c.id.to_owned()).collect(),
            timelock_allowed: Some(self.timelock_allowed()),
            max_file_size_bytes: Some(file_max),
            max_directory_size_bytes: Some(file_max),
            is_default: Some(self == Plan::Free),
        }
    }
}

/// Every plan, as the plan lists return them.
pub(crate) fn all_plans() -> Vec<PlanBody> {
    vec![Plan::Free.body(), Plan::Premium.body()]
}
