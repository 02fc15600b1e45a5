//! `doctor`: is the API reachable, is the key accepted, which scopes it has, are there
//! clusters, does the gateway answer. Read-only: it changes nothing, so only the scopes a read
//! can show are probed; the others are listed as not checked.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use pinarkive::gateway::Gateways;
use pinarkive::{types, Client, ErrorCode, OperationId, Scope};

use super::Context;
use crate::config::Source;
use crate::errors::{root_cause, CliError, Exit};
use crate::json::doctor::{Check, Report, Status};

/// What one read-only call says about a scope.
enum Probe<T> {
    Granted(T),
    /// 403 `missing_scope`: the key is valid but lacks the scope.
    Missing,
    /// 401: the key itself was refused.
    Refused(String),
    Failed(String),
}

impl<T> Probe<T> {
    /// The same outcome without the value.
    fn outcome(&self) -> Probe<()> {
        match self {
            Probe::Granted(_) => Probe::Granted(()),
            Probe::Missing => Probe::Missing,
            Probe::Refused(why) => Probe::Refused(why.clone()),
            Probe::Failed(why) => Probe::Failed(why.clone()),
        }
    }
}

fn probe<T>(result: pinarkive::Result<T>) -> Probe<T> {
    match result {
        Ok(value) => Probe::Granted(value),
        Err(error) if error.code() == Some(&ErrorCode::MissingScope) => Probe::Missing,
        Err(error)
            if error.status().is_some_and(|s| s.as_u16() == 401)
                || matches!(error.code(), Some(ErrorCode::InvalidApiKey | ErrorCode::Unauthorized)) =>
        {
            Probe::Refused(error.to_string())
        }
        Err(error) => Probe::Failed(CliError::from(error).message),
    }
}

/// How long one check may wait for an answer.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

type Call = for<'a> fn(&'a Client) -> Pin<Box<dyn Future<Output = pinarkive::Result<()>> + Send + 'a>>;

/// One read per scope that a read can show: the first GET of the spec that needs the scope and
/// takes no path parameter (a test keeps this list in step with the spec). The scope each shows
/// is the operation's own.
const PROBES: [(OperationId, Call); 7] = [
    (OperationId::UsersMeGet, |c| Box::pin(async move { c.users_me_get().send().await.map(drop) })),
    (OperationId::UsersMeUploadsList, |c| {
        Box::pin(async move { c.users_me_uploads_list().limit(1u64).send().await.map(drop) })
    }),
    (OperationId::UsersMeClustersList, |c| {
        Box::pin(async move { c.users_me_clusters_list().send().await.map(drop) })
    }),
    (OperationId::UsersMePlansList, |c| {
        Box::pin(async move { c.users_me_plans_list().send().await.map(drop) })
    }),
    (OperationId::UsersMeReferralsGet, |c| {
        Box::pin(async move { c.users_me_referrals_get().send().await.map(drop) })
    }),
    (OperationId::UsersMeLogsList, |c| {
        Box::pin(async move { c.users_me_logs_list().limit(1u64).send().await.map(drop) })
    }),
    (OperationId::TokensList, |c| Box::pin(async move { c.tokens_list().send().await.map(drop) })),
];

/// The scope an operation of [`PROBES`] shows.
fn shown(op: OperationId) -> Scope {
    op.scope().expect("every probe needs a scope (checked by a test)")
}

/// The scopes no read shows: they would have to change data to be checked.
fn unchecked_scopes() -> Vec<&'static str> {
    let probed: Vec<Scope> = PROBES.iter().map(|(op, _)| shown(*op)).collect();
    Scope::ALL.iter().filter(|scope| !probed.contains(scope)).map(|scope| scope.as_str()).collect()
}

pub async fn doctor(ctx: &Context) -> Result<(), CliError> {
    let client = ctx
        .builder(0)
        .read_timeout(CHECK_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .map_err(CliError::from)?;
    let base_url = ctx.settings.base_url.value.clone().unwrap_or_default();
    let mut checks = Vec::new();

    let api_up = match client.health_get().send().await {
        Ok(health) => {
            let status = health.into_inner().status.map(|s| format!(" (status {s})")).unwrap_or_default();
            checks.push(pass("api", format!("{base_url} answers{status}")));
            true
        }
        Err(error) => {
            checks.push(fail("api", CliError::from(error).message));
            false
        }
    };

    let mut clusters: Option<Vec<types::Cluster>> = None;
    if !api_up {
        for name in ["key", "scopes", "clusters"] {
            checks.push(skip(name, "the API did not answer"));
        }
    } else if ctx.settings.api_key.value.is_none() {
        checks.push(fail("key", CliError::no_key().message));
        checks.push(skip("scopes", "no key"));
        checks.push(skip("clusters", "no key"));
    } else {
        // One read per scope it shows; the clusters' own answer is kept for the clusters check.
        let cluster_list = probe(client.users_me_clusters_list().send().await.map(|r| r.into_inner().0));
        let mut probes = Vec::with_capacity(PROBES.len());
        for (op, call) in PROBES {
            let outcome = match op {
                OperationId::UsersMeClustersList => cluster_list.outcome(),
                _ => probe(call(&client).await),
            };
            probes.push((shown(op).as_str(), outcome));
        }
        let mut granted = Vec::new();
        let mut missing = Vec::new();
        let mut refused = None;
        let mut failed = Vec::new();
        for (scope, outcome) in probes {
            match outcome {
                Probe::Granted(()) => granted.push(scope),
                Probe::Missing => missing.push(scope),
                Probe::Refused(why) => refused = Some(why),
                Probe::Failed(why) => failed.push(format!("{scope}: {why}")),
            }
        }

        match refused {
            Some(why) => {
                checks.push(fail("key", format!("refused ({why}); log in again with `pinarkive login`")));
                checks.push(skip("scopes", "the key was refused"));
            }
            None if granted.is_empty() && missing.is_empty() => {
                checks.push(fail("key", format!("could not tell: {}", failed.join("; "))));
                checks.push(skip("scopes", "no call succeeded"));
            }
            None => {
                checks.push(pass("key", "accepted".to_string()));
                let mut detail = format!("has {}", list_or_none(&granted));
                if !missing.is_empty() {
                    detail.push_str(&format!("; lacks {}", missing.join(", ")));
                }
                if !failed.is_empty() {
                    detail.push_str(&format!("; unknown ({})", failed.join("; ")));
                }
                let unchecked = unchecked_scopes().join(", ");
                detail.push_str(&format!("; not checked (would change data): {unchecked}"));
                checks.push(pass("scopes", detail));
            }
        }
        checks.push(match cluster_list {
            Probe::Granted(list) if list.is_empty() => fail("clusters", "the plan allows no cluster".into()),
            Probe::Granted(list) => {
                let ids: Vec<String> =
                    list.iter().filter_map(|c| c.cluster_id.clone().or_else(|| c.id.clone())).collect();
                let detail = format!("{} allowed: {}", list.len(), list_or_none(&ids));
                clusters = Some(list);
                pass("clusters", detail)
            }
            Probe::Missing => skip("clusters", "the key lacks cluster:read"),
            Probe::Refused(_) => skip("clusters", "the key was refused"),
            Probe::Failed(why) => fail("clusters", why),
        });
    }

    checks.push(check_gateway(ctx, &client, clusters.as_deref()).await);

    let ok = !checks.iter().any(|c| c.status == Status::Fail);
    if ctx.out.json {
        ctx.out.json(&Report { ok, checks: &checks });
    } else {
        let rows: Vec<Vec<String>> = checks
            .iter()
            .map(|c| {
                let mark = match c.status {
                    Status::Pass => "ok",
                    Status::Fail => "FAIL",
                    Status::Skip => "skip",
                };
                vec![mark.to_string(), c.name.to_string(), c.detail.clone()]
            })
            .collect();
        ctx.out.line(crate::output::render_table(&["", "CHECK", "RESULT"], &rows));
    }
    if ok {
        return Ok(());
    }
    let failed: Vec<&str> = checks.iter().filter(|c| c.status == Status::Fail).map(|c| c.name).collect();
    Err(CliError::new(Exit::Api, format!("{} check(s) failed: {}", failed.len(), failed.join(", "))))
}

/// Any HTTP answer from the gateway counts: its root may well be a 404.
async fn check_gateway(
    ctx: &Context,
    client: &pinarkive::Client,
    clusters: Option<&[types::Cluster]>,
) -> Check {
    let configured = ctx.settings.gateway.value.clone().unwrap_or_default();
    let base = match (ctx.settings.gateway.source, clusters) {
        (Source::File, _) | (_, None) => configured,
        (_, Some(list)) => Gateways::from_clusters(list, client.default_cluster())
            .bases()
            .next()
            .map(str::to_string)
            .unwrap_or(configured),
    };
    pinarkive::tls::install_default_provider();
    let http = reqwest::Client::builder().timeout(CHECK_TIMEOUT).build();
    let answer = match http {
        Ok(http) => http.get(&base).send().await.map_err(|e| root_cause(&e)),
        Err(e) => Err(e.to_string()),
    };
    match answer {
        Ok(response) => pass("gateway", format!("{base} answers (HTTP {})", response.status().as_u16())),
        Err(why) => fail("gateway", format!("{base}: {why}")),
    }
}

fn list_or_none<T: AsRef<str>>(items: &[T]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ")
    }
}

fn pass(name: &'static str, detail: String) -> Check {
    Check { name, status: Status::Pass, detail }
}

fn fail(name: &'static str, detail: String) -> Check {
    Check { name, status: Status::Fail, detail }
}

fn skip(name: &'static str, detail: &str) -> Check {
    Check { name, status: Status::Skip, detail: detail.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each scope a read can show has one probe, the first such read of the spec; a scope the
    /// spec gives a new read to, or a probe the spec changes, fails here.
    #[test]
    fn the_probes_are_the_first_read_of_each_scope_that_has_one() {
        let mut expected: Vec<OperationId> = Vec::new();
        for scope in Scope::ALL {
            let read = OperationId::ALL
                .iter()
                .copied()
                .find(|op| op.scope() == Some(*scope) && op.method() == "GET" && !op.path().contains('{'));
            expected.extend(read);
        }
        let mut probes: Vec<OperationId> = PROBES.iter().map(|(op, _)| *op).collect();
        probes.sort();
        expected.sort();
        assert_eq!(probes, expected);
        assert_eq!(
            unchecked_scopes(),
            [
                "files:write",
                "files:delete",
                "files:rename",
                "user:write",
                "tokens:write",
                "tokens:delete",
                "plans:write"
            ]
        );
    }
}
