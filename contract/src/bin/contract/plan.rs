//! The runner and the plan: every operation of the spec, in an order where each finds what it
//! needs (an uploaded CID, an upload id, a session), each sent the same way whatever the server.
//!
//! For each operation the plan gives a *main* request (the one that should succeed), optionally
//! an *alt* request (a second request for the Bearer and scope checks, where sending the main
//! one twice would not work, such as removing a CID) and a *negative* request (one that must
//! fail with a documented 4xx). A request is *harmless* when it cannot change anything even if
//! the server wrongly accepted it (an unknown CID, a malformed body, no credentials); harmless
//! requests are sent even where the policy forbids the main one.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use pinarkive::{OperationId as Op, Scope};
use serde_json::{json, Value};

use super::checks::{self, Check, Outcome};
use super::http::{Auth, Body, Http, Req, Resp};
use super::report::Report;
use super::safety::Policy;

/// Where e-mailed tokens can be read, when the server offers a way (the emulator does).
pub trait Mailbox: Send + Sync {
    /// The last e-mail verification token sent to `email`.
    fn verification_token(&self, email: &str) -> Option<String>;
    /// The last password-reset token sent to `email`.
    fn password_reset_token(&self, email: &str) -> Option<String>;
}

/// The server a run talks to.
pub struct Target {
    /// The API base URL, such as `https://api.pinarkive.com/api/v3`.
    pub base_url: String,
    pub api_key: String,
    /// E-mail and password for `/auth/login`.
    pub login: Option<(String, String)>,
    pub policy: Policy,
    pub mailbox: Option<Arc<dyn Mailbox>>,
}

/// Limits of a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Requests the suite may send (cleanup gets a few more).
    pub max_requests: u32,
    /// Most requests of the rate-limit burst.
    pub burst: u32,
    /// Longest `Retry-After` waited out.
    pub max_wait: Duration,
}

/// Requests kept back for cleanup when the budget is spent.
const CLEANUP_RESERVE: u32 = 64;
/// Requests in flight at once during the rate-limit burst.
const BURST_WAVE: u32 = 25;

/// Runs every check against `target` and cleans up after itself, whatever failed.
pub async fn run(target: &Target, options: &Options) -> Report {
    let mut report = Report::default();
    report.add_secret(&target.api_key);
    if let Some((_, password)) = &target.login {
        report.add_secret(password);
    }
    let budget = options.max_requests;
    let http = match Http::new(&target.base_url, budget, options.max_wait) {
        Ok(http) => Arc::new(http),
        Err(e) => {
            report.note(&e, true);
            return report;
        }
    };
    let mut suite = Suite::new(target, http, options.clone(), report);
    // Neither a bug in the plan nor Ctrl-C may skip the cleanup of a live server.
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let finished = tokio::select! {
        planned = AssertUnwindSafe(suite.plan()).catch_unwind() => {
            if let Err(panic) = &planned {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                suite.report.note(&format!("the suite stopped early: {}", what.unwrap_or_default()), true);
            }
            planned.is_ok()
        }
        () = interrupt => {
            eprintln!("contract: interrupted; cleaning up (Ctrl-C again to leave without cleaning up)");
            tokio::spawn(async {
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            });
            suite.report.note("interrupted by Ctrl-C: the remaining checks did not run", true);
            false
        }
    };
    suite.http.allow_more(CLEANUP_RESERVE);
    suite.cleanup().await;
    if finished {
        suite.coverage();
    }
    for line in suite.report.observed.lines() {
        suite.report.note(&line, false);
    }
    suite.report.requests = suite.http.sent();
    suite.report
}

/// One operation's requests.
struct Case {
    id: Op,
    main: Req,
    /// Why the main request cannot be sent (a missing fixture or credentials).
    blocked: Option<String>,
    alt: Option<(Req, bool)>,
    negative: Option<(Req, bool)>,
    /// The credential of the x-api-key and bearer checks, instead of the API key.
    key: Option<String>,
    bearer_key: Option<String>,
}

impl Case {
    fn new(id: Op, main: Req) -> Case {
        Case { id, main, blocked: None, alt: None, negative: None, key: None, bearer_key: None }
    }

    fn get(id: Op) -> Case {
        Case::new(id, Req::new("GET", id.path()))
    }

    fn blocked_unless(mut self, ready: bool, reason: &str) -> Case {
        if !ready && self.blocked.is_none() {
            self.blocked = Some(reason.to_string());
        }
        self
    }

    fn alt(mut self, req: Req, harmless: bool) -> Case {
        self.alt = Some((req, harmless));
        self
    }

    fn negative(mut self, req: Req, harmless: bool) -> Case {
        self.negative = Some((req, harmless));
        self
    }

    /// The request of the scope and Bearer checks: the alt one when it may be sent (it is
    /// harmless, or the main one may be sent), else the main one when it may be sent.
    fn second_request(&self, main_sendable: bool) -> Option<&Req> {
        match &self.alt {
            Some((alt, harmless)) if *harmless || main_sendable => Some(alt),
            _ if main_sendable => Some(&self.main),
            _ => None,
        }
    }
}

/// The main and Bearer answers of a case (when they were sent and the transport worked).
#[derive(Default)]
struct Answers {
    main: Option<Resp>,
    bearer: Option<Resp>,
}

impl Answers {
    /// Whether the main request was sent and succeeded.
    fn main_succeeded(&self) -> bool {
        self.main.as_ref().is_some_and(Resp::is_success)
    }

    /// The JSON of the main answer, when it was a success.
    fn main_json(&self) -> Option<Value> {
        self.main.as_ref().filter(|r| r.is_success()).and_then(Resp::json)
    }

    /// The JSON of the last successful answer (Bearer, else main).
    fn last_json(&self) -> Option<Value> {
        let bearer = self.bearer.as_ref().filter(|r| r.is_success()).and_then(Resp::json);
        bearer.or_else(|| self.main_json())
    }
}

struct Suite<'t> {
    target: &'t Target,
    http: Arc<Http>,
    options: Options,
    report: Report,
    /// Unique per run: names of keys, files and accounts the run creates.
    run_id: String,
    /// A key that is certainly not valid.
    bad_key: String,
    /// Keys minted without one scope, by that scope (or why there is none).
    scope_keys: HashMap<Scope, Result<String, String>>,
    /// Why no key can be minted, once that is known.
    cannot_mint: Option<String>,
    /// Names of keys the run created and has not revoked.
    minted: Vec<String>,
    /// The run's own uploaded file, while it is on the server.
    file_cid: Option<String>,
    /// The run's own directory DAG.
    dag_cid: Option<String>,
    /// Some CID the account already has (read-only runs), and a DAG one.
    known_cid: Option<String>,
    known_dag: Option<String>,
    /// The account's plan before the run, and another plan to change to.
    plan_now: Option<String>,
    plan_other: Option<String>,
    /// The login password as it is now (the run changes it and changes it back).
    password: Option<String>,
    /// The TOTP secret while the run has 2FA switched on.
    totp_secret: Option<String>,
    two_factor_on: bool,
}

impl<'t> Suite<'t> {
    fn new(target: &'t Target, http: Arc<Http>, options: Options, report: Report) -> Suite<'t> {
        let run_id = run_id();
        Suite {
            target,
            http,
            options,
            report,
            bad_key: format!("pk_contract_not_a_key_{run_id}"),
            run_id,
            scope_keys: HashMap::new(),
            cannot_mint: None,
            minted: Vec::new(),
            file_cid: None,
            dag_cid: None,
            known_cid: None,
            known_dag: None,
            plan_now: None,
            plan_other: None,
            password: target.login.as_ref().map(|(_, p)| p.clone()),
            totp_secret: None,
            two_factor_on: false,
        }
    }

    fn record(&mut self, id: Op, check: Check, outcome: Outcome) {
        self.report.record(id, check, outcome);
    }

    /// Sends `req` and judges the answer; a transport failure is a failed check.
    async fn judge(
        &mut self,
        op: Op,
        check: Check,
        req: &Req,
        auth: Auth<'_>,
        judge: impl FnOnce(Op, &Resp) -> Outcome,
    ) -> Option<Resp> {
        match self.http.send(req, auth).await {
            Ok(resp) => {
                self.report.observed.observe(op, resp.status, &resp.body);
                let outcome = judge(op, &resp);
                self.record(op, check, outcome);
                Some(resp)
            }
            Err(e) => {
                self.record(op, check, Outcome::Fail(e));
                None
            }
        }
    }

    /// Runs every check of one operation.
    async fn run_case(&mut self, case: Case) -> Answers {
        let op = case.id;
        let permitted = self.target.policy.permits(op);
        let main_skip: Option<String> = permitted.clone().err().or(case.blocked.clone());
        let mut answers = Answers::default();

        if !op.authenticated() {
            match &main_skip {
                None => {
                    answers.main =
                        self.judge(op, Check::Success, &case.main, Auth::None, checks::success).await
                }
                Some(why) => self.record(op, Check::Success, Outcome::Skip(why.clone())),
            }
            self.negative(op, &case, permitted.err().or(case.blocked.clone()), Auth::None).await;
            return answers;
        }

        // Without a valid credential nothing can change, so these are always sent.
        let probe = case.alt.as_ref().map_or(&case.main, |(alt, _)| alt);
        self.judge(op, Check::NoKey, probe, Auth::None, checks::unauthorized).await;
        let bad_key = self.bad_key.clone();
        self.judge(op, Check::BadKey, probe, Auth::ApiKey(&bad_key), checks::unauthorized).await;

        match op.scope() {
            None => {
                let why = "no source documents a scope for this route (x-scope: none-documented)";
                self.record(op, Check::Scope, Outcome::Skip(why.into()));
            }
            Some(scope) => match case.second_request(main_skip.is_none()) {
                None => self.record(op, Check::Scope, Outcome::Skip(main_skip.clone().unwrap_or_default())),
                Some(req) => match self.key_without(scope).await {
                    Ok(key) => {
                        let judge = |op: Op, resp: &Resp| checks::missing_scope(op, scope, resp);
                        self.judge(op, Check::Scope, req, Auth::ApiKey(&key), judge).await;
                    }
                    Err(why) => self.record(op, Check::Scope, Outcome::Skip(why)),
                },
            },
        }

        let key = case.key.clone().unwrap_or_else(|| self.target.api_key.clone());
        match &main_skip {
            None => {
                let resp =
                    self.judge(op, Check::ApiKey, &case.main, Auth::ApiKey(&key), checks::accepted).await;
                if let Some(resp) = &resp {
                    let outcome = checks::success(op, resp);
                    self.record(op, Check::Success, outcome);
                } else {
                    self.record(
                        op,
                        Check::Success,
                        Outcome::Skip("the request failed (see x-api-key)".into()),
                    );
                }
                answers.main = resp;
            }
            Some(why) => {
                self.record(op, Check::Success, Outcome::Skip(why.clone()));
                match &case.alt {
                    Some((alt, true)) => {
                        self.judge(op, Check::ApiKey, alt, Auth::ApiKey(&key), checks::accepted).await;
                    }
                    _ => self.record(op, Check::ApiKey, Outcome::Skip(why.clone())),
                }
            }
        }

        let bearer_key = case.bearer_key.clone().unwrap_or_else(|| self.target.api_key.clone());
        match case.second_request(main_skip.is_none()) {
            Some(req) => {
                answers.bearer =
                    self.judge(op, Check::Bearer, req, Auth::Bearer(&bearer_key), checks::accepted).await;
            }
            None => self.record(op, Check::Bearer, Outcome::Skip(main_skip.clone().unwrap_or_default())),
        }

        self.negative(op, &case, main_skip, Auth::ApiKey(&key)).await;
        answers
    }

    /// The error-body check with the case's negative request.
    async fn negative(&mut self, op: Op, case: &Case, main_skip: Option<String>, auth: Auth<'_>) {
        match &case.negative {
            None => {}
            Some((req, harmless)) if *harmless || main_skip.is_none() => {
                self.judge(op, Check::ErrorBody, req, auth, checks::error_body).await;
            }
            Some(_) => self.record(op, Check::ErrorBody, Outcome::Skip(main_skip.unwrap_or_default())),
        }
    }

    /// A request that is not a check (fixtures, cleanup), with the API key.
    async fn call(&self, req: &Req) -> Result<Resp, String> {
        self.http.send(req, Auth::ApiKey(&self.target.api_key)).await
    }

    /// A key holding every scope but `scope`, minted once per scope and revoked at cleanup.
    async fn key_without(&mut self, scope: Scope) -> Result<String, String> {
        if let Some(result) = self.scope_keys.get(&scope) {
            return result.clone();
        }
        let result = self.mint_without(scope).await;
        self.scope_keys.insert(scope, result.clone());
        result
    }

    async fn mint_without(&mut self, scope: Scope) -> Result<String, String> {
        if let Err(why) = self.target.policy.permits(Op::TokensGenerate) {
            return Err(format!("minting a key without the scope: {why}"));
        }
        if let Some(why) = &self.cannot_mint {
            return Err(why.clone());
        }
        let scopes: Vec<&str> = Scope::ALL.iter().filter(|s| **s != scope).map(|s| s.as_str()).collect();
        let name = format!("contract-{}-no-{}", self.run_id, scope.as_str().replace(':', "-"));
        let body = self.with_totp(json!({ "name": name, "scopes": scopes, "expiresInDays": 1 }));
        // Revoked at cleanup even if the answer is lost or wrong (a 404 there means it never was).
        self.minted.push(name);
        let op = Op::TokensGenerate;
        let resp = self.call(&Req::new("POST", op.path()).json(body)).await?;
        match resp.json() {
            Some(json) if resp.is_success() => match json.get("token").and_then(Value::as_str) {
                Some(token) => {
                    self.report.add_secret(token);
                    Ok(token.to_string())
                }
                None => Err(format!("{op} answered {} without a token", resp.status)),
            },
            _ if checks::lacks_scope(op, &resp).is_some() => {
                let why = "key cannot mint keys (it lacks tokens:write)".to_string();
                self.cannot_mint = Some(why.clone());
                Err(why)
            }
            _ => Err(format!(
                "minting a key without {scope} failed: {} {}",
                resp.status,
                checks::excerpt(&resp.body)
            )),
        }
    }

    /// Adds the current TOTP code to a token request while the run has 2FA on.
    fn with_totp(&self, mut body: Value) -> Value {
        if let (true, Some(secret)) = (self.two_factor_on, &self.totp_secret) {
            if let Some(code) = pinarkive::emulator::totp_code(secret) {
                body["totpCode"] = json!(code);
            }
        }
        body
    }

    async fn plan(&mut self) {
        self.public().await;
        self.reads().await;
        self.login().await;
        self.files().await;
        self.tokens().await;
        self.account_changes().await;
        self.account_flows().await;
        self.two_factor().await;
        self.logout().await;
        self.rate_limit().await;
    }

    async fn public(&mut self) {
        for id in
            [Op::HealthGet, Op::ApiInfoGet, Op::PeersList, Op::LocalesLanguagesList, Op::LocalesCountriesList]
        {
            self.run_case(Case::get(id)).await;
        }
        self.run_case(Case::get(Op::DocsOpenapiGet)).await;
        self.run_case(Case::get(Op::PlansList)).await;
    }

    /// The account's reads; they also find what read-only runs need.
    async fn reads(&mut self) {
        for id in [
            Op::UsersMeGet,
            Op::UsersMePreferencesGet,
            Op::UsersMeClustersList,
            Op::UsersMeReferralsGet,
            Op::TokensList,
            Op::ClusterGatewaysList,
            Op::Auth2faStatusGet,
            Op::PlansMyPlanGet,
            Op::PlansAllList,
        ] {
            self.run_case(Case::get(id)).await;
        }
        let plans = self.run_case(Case::get(Op::UsersMePlansList)).await.main_json();
        let current = self.run_case(Case::get(Op::UsersMePlanGet)).await.main_json();
        self.plan_now = current.as_ref().and_then(plan_id);
        self.plan_other = plans.as_ref().and_then(|plans| {
            plan_items(plans).into_iter().filter_map(plan_id).find(|id| Some(id) != self.plan_now.as_ref())
        });

        let logs = Case::new(Op::UsersMeLogsList, Req::new("GET", "/users/me/logs?page=1&limit=5"))
            .negative(Req::new("GET", "/users/me/logs?limit=many"), true);
        self.run_case(logs).await;
        let uploads = Case::new(Op::UsersMeUploadsList, Req::new("GET", "/users/me/uploads?page=1&limit=50"))
            .negative(Req::new("GET", "/users/me/uploads?limit=many"), true);
        if let Some(list) = self.run_case(uploads).await.main_json() {
            let items = list.get("uploads").and_then(Value::as_array).cloned().unwrap_or_default();
            let cid = |u: &Value| u.get("cid").and_then(Value::as_str).map(str::to_string);
            self.known_cid = items.iter().find_map(cid);
            self.known_dag = items
                .iter()
                .filter(|u| u.get("type").and_then(Value::as_str) == Some("directory"))
                .find_map(cid);
        }
    }

    async fn login(&mut self) {
        let (email, ready) = match &self.target.login {
            Some((email, _)) => (email.clone(), true),
            None => ("nobody@example.invalid".to_string(), false),
        };
        let password = self.password.clone().unwrap_or_default();
        let case = Case::new(Op::AuthLogin, login_req(&email, &password))
            .blocked_unless(ready, "no account to log in with: set PINARKIVE_EMAIL and PINARKIVE_PASSWORD")
            .negative(login_req(&email, &format!("wrong-{}", self.run_id)), true);
        if let Some(token) = self.run_case(case).await.main_json().as_ref().and_then(|j| j.get("token")) {
            self.report.add_secret(token.as_str().unwrap_or_default());
        }
    }

    /// A fresh session from `/auth/login` (not a check).
    async fn session(&mut self) -> Option<String> {
        self.login_answer_field("token").await
    }

    /// Logs in with the account (not a check) and returns `field` of the answer, a credential,
    /// which from then on is redacted from the report.
    async fn login_answer_field(&mut self, field: &str) -> Option<String> {
        let (email, _) = self.target.login.as_ref()?;
        let req = login_req(email, self.password.as_deref()?);
        let json = self.http.send(&req, Auth::None).await.ok()?.json()?;
        let token = json.get(field)?.as_str()?.to_string();
        self.report.add_secret(&token);
        Some(token)
    }

    async fn files(&mut self) {
        let unknown = unknown_cid(&self.run_id);
        let content = format!("pinarkive contract suite, run {}\n", self.run_id).into_bytes();
        let upload = multipart(vec![("file", "pinarkive-contract.txt", content)], vec![]);
        let case = Case::new(Op::FilesUpload, Req::new("POST", "/files").body(upload))
            .negative(Req::new("POST", "/files").body(multipart(vec![], vec![("cl", "cl0-global")])), true);
        let answers = self.run_case(case).await;
        if let Some(cid) = answers.last_json().as_ref().and_then(|j| j.get("cid")).and_then(Value::as_str) {
            self.file_cid = Some(cid.to_string());
        }
        let upload_id = answers
            .last_json()
            .as_ref()
            .and_then(|j| j.get("uploadId"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let cid = self.file_cid.clone();
        let have_file = cid.is_some();
        let cid_or_unknown = cid.clone().unwrap_or_else(|| unknown.clone());
        let no_file = "no uploaded file to work on (see files_upload)";

        let pin = Case::new(
            Op::FilesPin,
            Req::new("POST", fill("/files/pin/{cid}", &cid_or_unknown))
                .json(json!({"customName": "pinarkive-contract"})),
        )
        .blocked_unless(have_file, no_file)
        .negative(Req::new("POST", "/files/pin/not-a-cid").json(json!({})), true);
        self.run_case(pin).await;

        let upload_id = match (upload_id, &cid) {
            (Some(id), _) => Some(id),
            (None, Some(cid)) => self.upload_id(cid).await,
            (None, None) => None,
        };
        let rename_path =
            fill("/files/rename/{uploadId}", upload_id.as_deref().unwrap_or("000000000000000000000000"));
        let rename = Case::new(
            Op::FilesRename,
            Req::new("PUT", &rename_path).json(json!({"newName": "pinarkive-contract-renamed.txt"})),
        )
        .blocked_unless(upload_id.is_some(), "no upload id for the uploaded file")
        .negative(Req::new("PUT", &rename_path).json(json!({})), true);
        self.run_case(rename).await;

        let files = vec![
            ("files", "index.html", format!("<h1>{}</h1>\n", self.run_id).into_bytes()),
            ("files", "assets/notes.txt", b"contract suite\n".to_vec()),
        ];
        let dag = Case::new(
            Op::FilesDirectoryDagUpload,
            Req::new("POST", "/files/directory-dag")
                .body(multipart(files, vec![("dirName", "pinarkive-contract")])),
        )
        .negative(
            Req::new("POST", "/files/directory-dag").body(multipart(vec![], vec![("dirName", "empty")])),
            true,
        );
        if let Some(cid) =
            self.run_case(dag).await.last_json().as_ref().and_then(|j| j.get("cid")).and_then(Value::as_str)
        {
            self.dag_cid = Some(cid.to_string());
        }

        let directory = Case::new(
            Op::FilesDirectoryUpload,
            Req::new("POST", "/files/directory").json(json!({"dirPath": "/srv/pinarkive-contract"})),
        )
        .negative(Req::new("POST", "/files/directory").json(json!({})), true);
        self.run_case(directory).await;

        let dag_cid = self.dag_cid.clone().or_else(|| self.known_dag.clone());
        let dag_get = Case::new(
            Op::UsersMeUploadsDagGet,
            Req::new("GET", fill("/users/me/uploads/dag/{cidDag}", dag_cid.as_deref().unwrap_or(&unknown))),
        )
        .blocked_unless(dag_cid.is_some(), "no directory upload to read")
        .alt(Req::new("GET", fill("/users/me/uploads/dag/{cidDag}", &unknown)), true)
        .negative(Req::new("GET", fill("/users/me/uploads/dag/{cidDag}", &unknown)), true);
        self.run_case(dag_get).await;

        let status_cid = cid.clone().or_else(|| self.known_cid.clone());
        for (id, template) in [
            (Op::StatusGet, "/status/{cid}"),
            (Op::StatusAllocationsGet, "/status/allocations/{cid}"),
            (Op::AllocationsGet, "/allocations/{cid}"),
        ] {
            let case =
                Case::new(id, Req::new("GET", fill(template, status_cid.as_deref().unwrap_or(&unknown))))
                    .blocked_unless(status_cid.is_some(), "the account has no pinned CID to ask about")
                    .alt(Req::new("GET", fill(template, &unknown)), true)
                    .negative(Req::new("GET", fill(template, "not-a-cid")), true);
            self.run_case(case).await;
        }

        let remove =
            Case::new(Op::FilesRemove, Req::new("DELETE", fill("/files/remove/{cid}", &cid_or_unknown)))
                .blocked_unless(have_file, no_file)
                .alt(Req::new("DELETE", fill("/files/remove/{cid}", &unknown)), true)
                .negative(Req::new("DELETE", fill("/files/remove/{cid}", &unknown)), true);
        let answers = self.run_case(remove).await;
        if answers.main_succeeded() {
            self.file_cid = None;
        }

        let own_dag = self.dag_cid.clone();
        let delete = Case::new(
            Op::UsersMeUploadsDelete,
            Req::new("DELETE", fill("/users/me/uploads/{cid}", own_dag.as_deref().unwrap_or(&unknown))),
        )
        .blocked_unless(own_dag.is_some(), "no directory upload of this run to delete")
        .alt(Req::new("DELETE", fill("/users/me/uploads/{cid}", &unknown)), true)
        .negative(Req::new("DELETE", fill("/users/me/uploads/{cid}", &unknown)), true);
        self.run_case(delete).await;
    }

    /// The `_id` of the upload of `cid`, from the uploads list.
    async fn upload_id(&self, cid: &str) -> Option<String> {
        let list = self.call(&Req::new("GET", "/users/me/uploads?page=1&limit=100")).await.ok()?.json()?;
        let uploads = list.get("uploads")?.as_array()?;
        let upload = uploads.iter().find(|u| u.get("cid").and_then(Value::as_str) == Some(cid))?;
        upload.get("_id").and_then(Value::as_str).map(str::to_string)
    }

    async fn tokens(&mut self) {
        let name = format!("contract-{}-probe", self.run_id);
        let second = format!("contract-{}-probe-bearer", self.run_id);
        let generate = |name: &str| json!({"name": name, "scopes": ["user:read"], "expiresInDays": 1});
        let case = Case::new(
            Op::TokensGenerate,
            Req::new("POST", "/tokens/generate").json(self.with_totp(generate(&name))),
        )
        .alt(Req::new("POST", "/tokens/generate").json(self.with_totp(generate(&second))), false)
        .negative(Req::new("POST", "/tokens/generate").json(json!({"scopes": ["user:read"]})), true);
        if self.target.policy.permits(Op::TokensGenerate).is_ok() {
            // Revoked at cleanup whatever happens (a 404 there means it never was created).
            self.minted.extend([name.clone(), second.clone()]);
        }
        let answers = self.run_case(case).await;
        for resp in [&answers.main, &answers.bearer] {
            let json = resp.as_ref().filter(|r| r.is_success()).and_then(Resp::json);
            if let Some(token) = json.as_ref().and_then(|j| j.get("token")).and_then(Value::as_str) {
                self.report.add_secret(token);
            }
        }
        let minted = answers.main_succeeded();
        let unknown = format!("contract-{}-never-minted", self.run_id);
        let case = Case::new(Op::TokensRevoke, Req::new("DELETE", fill("/tokens/revoke/{name}", &name)))
            .blocked_unless(minted, "no key was minted to revoke (see tokens_generate)")
            .alt(Req::new("DELETE", fill("/tokens/revoke/{name}", &unknown)), true)
            .negative(Req::new("DELETE", fill("/tokens/revoke/{name}", &unknown)), true);
        let answers = self.run_case(case).await;
        if answers.main_succeeded() {
            self.minted.retain(|n| n != &name);
        }
    }

    /// Changes to the account, each undone by the Bearer request where it can be.
    async fn account_changes(&mut self) {
        let malformed = || Body::Raw("application/json", b"{\"name\": ".to_vec());
        let update =
            Case::new(Op::UsersMeUpdate, Req::new("PUT", "/users/me").json(json!({"name": "Contract"})))
                .negative(Req::new("PUT", "/users/me").body(malformed()), true);
        self.run_case(update).await;
        let prefs = json!({"language": "en", "country": "ES"});
        let update =
            Case::new(Op::UsersMePreferencesUpdate, Req::new("PUT", "/users/me/preferences").json(prefs))
                .negative(Req::new("PUT", "/users/me/preferences").body(malformed()), true);
        self.run_case(update).await;

        let old = self.password.clone();
        let new = format!("Contract-{}-Pw1!", self.run_id);
        let change = |from: &str, to: &str| {
            Req::new("PUT", "/users/me/password").json(json!({"currentPassword": from, "newPassword": to}))
        };
        self.report.add_secret(&new);
        let case = Case::new(Op::UsersMePasswordUpdate, change(old.as_deref().unwrap_or(""), &new))
            .blocked_unless(
                old.is_some(),
                "the account's password is not known: set PINARKIVE_EMAIL and PINARKIVE_PASSWORD",
            )
            .alt(change(&new, old.as_deref().unwrap_or("")), false)
            .negative(change(&format!("wrong-{}", self.run_id), &new), true);
        let answers = self.run_case(case).await;
        let changed_back = answers.bearer.as_ref().is_some_and(Resp::is_success);
        if answers.main_succeeded() && !changed_back {
            self.password = Some(new);
        }

        let plan = |id: &str| json!({"planId": id});
        let (now, other) = (self.plan_now.clone(), self.plan_other.clone());
        for (id, path) in [(Op::UsersMePlanUpdate, "/users/me/plan"), (Op::PlansChange, "/plans/change")] {
            let case = Case::new(id, Req::new("PUT", path).json(plan(other.as_deref().unwrap_or("unknown"))))
                .blocked_unless(
                    now.is_some() && other.is_some(),
                    "no second plan to change to (see users_me_plans_list)",
                )
                .alt(Req::new("PUT", path).json(plan(now.as_deref().unwrap_or("unknown"))), false)
                .negative(Req::new("PUT", path).json(plan(&format!("no-such-plan-{}", self.run_id))), true);
            self.run_case(case).await;
        }
    }

    /// Signup, verification and password reset, on an account the run creates.
    async fn account_flows(&mut self) {
        let email = format!("contract-{}@example.com", self.run_id);
        let password = format!("Contract-{}-Pw2!", self.run_id);
        self.report.add_secret(&password);
        let signup = json!({"email": email, "password": password, "name": "Contract", "lastname": "Suite", "language": "en"});
        let case = Case::new(Op::AuthSignup, Req::new("POST", "/auth/signup").json(signup.clone()))
            .negative(Req::new("POST", "/auth/signup").json(signup), false);
        self.run_case(case).await;

        let by_email = json!({"email": email});
        let case = Case::new(
            Op::AuthResendVerification,
            Req::new("POST", "/auth/resend-verification").json(by_email.clone()),
        )
        .negative(Req::new("POST", "/auth/resend-verification").json(json!({})), true);
        self.run_case(case).await;

        let no_mailbox = "needs the token from the e-mail, and this server offers no mailbox";
        let token = self.target.mailbox.as_ref().and_then(|m| m.verification_token(&email));
        let case = Case::new(
            Op::AuthVerifyEmail,
            Req::new("POST", "/auth/verify-email").json(json!({"token": token.as_deref().unwrap_or("")})),
        )
        .blocked_unless(token.is_some(), no_mailbox)
        .negative(
            Req::new("POST", "/auth/verify-email").json(json!({"token": format!("bogus-{}", self.run_id)})),
            true,
        );
        self.run_case(case).await;

        let case =
            Case::new(Op::AuthForgotPassword, Req::new("POST", "/auth/forgot-password").json(by_email))
                .negative(Req::new("POST", "/auth/forgot-password").json(json!({})), true);
        self.run_case(case).await;

        let token = self.target.mailbox.as_ref().and_then(|m| m.password_reset_token(&email));
        let reset =
            |token: &str| json!({"token": token, "newPassword": format!("Contract-{}-Pw3!", self.run_id)});
        let case = Case::new(
            Op::AuthResetPassword,
            Req::new("POST", "/auth/reset-password").json(reset(token.as_deref().unwrap_or(""))),
        )
        .blocked_unless(token.is_some(), no_mailbox)
        .negative(
            Req::new("POST", "/auth/reset-password").json(reset(&format!("bogus-{}", self.run_id))),
            true,
        );
        self.run_case(case).await;
    }

    /// Setup, enable, a 2FA login, disable: the account ends as it started.
    async fn two_factor(&mut self) {
        let wrong = json!({"code": "000000"});
        let case = Case::new(Op::Auth2faSetup, Req::new("POST", "/auth/2fa/setup"));
        let answers = self.run_case(case).await;
        self.totp_secret = answers
            .last_json()
            .as_ref()
            .and_then(|j| j.get("secret"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(secret) = &self.totp_secret {
            self.report.add_secret(secret);
        }
        let code = self.totp_secret.as_deref().and_then(pinarkive::emulator::totp_code);

        let enable =
            Req::new("POST", "/auth/2fa/enable").json(json!({"code": code.as_deref().unwrap_or("")}));
        let case = Case::new(Op::Auth2faEnable, enable)
            .blocked_unless(code.is_some(), "no TOTP secret from auth_2fa_setup")
            .alt(Req::new("POST", "/auth/2fa/enable").json(wrong.clone()), true)
            .negative(Req::new("POST", "/auth/2fa/enable").json(wrong.clone()), true);
        let answers = self.run_case(case).await;
        self.two_factor_on = answers.main_succeeded();

        let temporary = self.temporary_token().await;
        let code = self.totp_secret.as_deref().and_then(pinarkive::emulator::totp_code);
        let verify = |token: &str, code: &str| {
            Req::new("POST", "/auth/2fa/verify-login").json(json!({"temporaryToken": token, "code": code}))
        };
        let case = Case::new(
            Op::Auth2faVerifyLogin,
            verify(temporary.as_deref().unwrap_or(""), code.as_deref().unwrap_or("")),
        )
        .blocked_unless(
            temporary.is_some() && code.is_some(),
            "no login that asks for a second factor (see auth_2fa_enable)",
        )
        .negative(verify(&format!("bogus-{}", self.run_id), "000000"), true);
        if let Some(token) = self
            .run_case(case)
            .await
            .main_json()
            .as_ref()
            .and_then(|j| j.get("token"))
            .and_then(Value::as_str)
        {
            self.report.add_secret(token);
        }

        let password = self.password.clone().unwrap_or_default();
        let code = self.totp_secret.as_deref().and_then(pinarkive::emulator::totp_code);
        let disable = |code: &str| {
            Req::new("POST", "/auth/2fa/disable").json(json!({"password": password, "code": code}))
        };
        let case = Case::new(Op::Auth2faDisable, disable(code.as_deref().unwrap_or("")))
            .blocked_unless(self.two_factor_on && self.password.is_some(), "2FA was not enabled by this run")
            .alt(disable("000000"), true)
            .negative(disable("000000"), true);
        let answers = self.run_case(case).await;
        if answers.main_succeeded() {
            self.two_factor_on = false;
        }
    }

    /// The `temporaryToken` of a login that asks for the second factor.
    async fn temporary_token(&mut self) -> Option<String> {
        if !self.two_factor_on {
            return None;
        }
        self.login_answer_field("temporaryToken").await
    }

    /// Logout ends two fresh sessions, one sent as `X-API-Key`, one as Bearer.
    async fn logout(&mut self) {
        let (first, second) = match self.target.policy.permits(Op::AuthLogout) {
            Ok(()) => (self.session().await, self.session().await),
            Err(_) => (None, None),
        };
        let mut case = Case::new(Op::AuthLogout, Req::new("POST", "/auth/logout")).blocked_unless(
            first.is_some() && second.is_some(),
            "no session to end: log in needs PINARKIVE_EMAIL and PINARKIVE_PASSWORD",
        );
        case.key = first;
        case.bearer_key = second;
        self.run_case(case).await;
    }

    /// A bounded burst of `users_me_get` until the first 429, which must carry `Retry-After`.
    async fn rate_limit(&mut self) {
        let op = Op::UsersMeGet;
        let req = Req::new("GET", op.path());
        let mut sent = 0;
        let mut limited = None;
        let mut failure = None;
        while sent < self.options.burst && limited.is_none() && failure.is_none() {
            let wave = BURST_WAVE.min(self.options.burst - sent);
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..wave {
                let (http, req, key) = (self.http.clone(), req.clone(), self.target.api_key.clone());
                set.spawn(async move { http.send_once(&req, Auth::ApiKey(&key)).await });
            }
            while let Some(joined) = set.join_next().await {
                match joined {
                    Ok(Ok(resp)) if resp.status == 429 && limited.is_none() => limited = Some(resp),
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => failure = Some(e),
                    Err(e) => failure = Some(format!("a request of the burst did not finish: {e}")),
                }
            }
            sent += wave;
        }
        let outcome = match (limited, failure) {
            (Some(resp), _) => {
                let outcome = checks::rate_limited(op, &resp);
                // Later requests (cleanup) would only be refused until the window passes.
                let wait = resp.retry_after().unwrap_or(1).min(self.options.max_wait.as_secs());
                tokio::time::sleep(Duration::from_secs(wait)).await;
                outcome
            }
            (None, Some(e)) => Outcome::Fail(e),
            (None, None) => Outcome::Skip(format!("no 429 within {sent} requests (--burst)")),
        };
        self.record(op, Check::RateLimit, outcome);
    }

    /// Undoes what the run changed, whatever failed; each step is a note.
    async fn cleanup(&mut self) {
        if self.two_factor_on {
            let code = self.totp_secret.as_deref().and_then(pinarkive::emulator::totp_code);
            let body = json!({"password": self.password.clone().unwrap_or_default(), "code": code.unwrap_or_default()});
            let done = self.call(&Req::new("POST", "/auth/2fa/disable").json(body)).await;
            self.cleanup_note("switched 2FA off again", done);
            self.two_factor_on = false;
        }
        if let (Some(now), Some(original)) =
            (self.password.clone(), self.target.login.as_ref().map(|l| l.1.clone()))
        {
            if now != original {
                let body = json!({"currentPassword": now, "newPassword": original});
                let done = self.call(&Req::new("PUT", "/users/me/password").json(body)).await;
                self.cleanup_note("changed the password back", done);
            }
        }
        if let Some(cid) = self.file_cid.take() {
            let done = self.call(&Req::new("DELETE", fill("/files/remove/{cid}", &cid))).await;
            self.cleanup_note(&format!("removed the test file {cid}"), done);
        }
        for name in std::mem::take(&mut self.minted) {
            let body = self.with_totp(json!({}));
            let done = self.call(&Req::new("DELETE", fill("/tokens/revoke/{name}", &name)).json(body)).await;
            match done {
                Ok(resp) if resp.status == 404 => {}
                done => self.cleanup_note(&format!("revoked the key {name}"), done),
            }
        }
    }

    fn cleanup_note(&mut self, what: &str, done: Result<Resp, String>) {
        match done {
            Ok(resp) if resp.is_success() => self.report.note(&format!("cleanup: {what}"), false),
            Ok(resp) => {
                let note = format!("cleanup FAILED: {what}: {} {}", resp.status, checks::excerpt(&resp.body));
                self.report.note(&note, true);
            }
            Err(e) => self.report.note(&format!("cleanup FAILED: {what}: {e}"), true),
        }
    }

    /// Every operation of the spec must have been planned.
    fn coverage(&mut self) {
        for op in Op::ALL.iter().copied() {
            if Check::ALL.iter().all(|c| self.report.outcome(op, *c) == &Outcome::NotApplicable) {
                let note = format!("{op} is in the spec but not in the plan: add it to contract/plan.rs");
                self.report.note(&note, true);
            }
        }
    }
}

fn login_req(email: &str, password: &str) -> Req {
    Req::new("POST", "/auth/login").json(json!({"email": email, "password": password}))
}

/// A `multipart/form-data` body.
fn multipart(files: Vec<(&str, &str, Vec<u8>)>, fields: Vec<(&str, &str)>) -> Body {
    Body::Multipart {
        files: files.into_iter().map(|(n, f, b)| (n.to_string(), f.to_string(), b)).collect(),
        fields: fields.into_iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
    }
}

/// Puts `value` (percent-encoded) into the one `{parameter}` of `template`.
fn fill(template: &str, value: &str) -> String {
    let (Some(start), Some(end)) = (template.find('{'), template.find('}')) else {
        return template.to_string();
    };
    let mut encoded = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => encoded.push(byte as char),
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    format!("{}{encoded}{}", &template[..start], &template[end + 1..])
}

/// The plans of a plans answer: a bare array, or the first array inside an object.
fn plan_items(plans: &Value) -> Vec<&Value> {
    match plans {
        Value::Array(items) => items.iter().collect(),
        Value::Object(fields) => {
            fields.values().find_map(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

/// The id to change to a plan with: `_id`, `id` or `code`; a plan answer may wrap it in
/// `currentPlan` or `plan`, or be the plan code itself.
fn plan_id(plan: &Value) -> Option<String> {
    if let Some(code) = plan.as_str() {
        return Some(code.to_string());
    }
    for wrapper in ["currentPlan", "plan"] {
        if let Some(inner) = plan.get(wrapper).and_then(plan_id) {
            return Some(inner);
        }
    }
    ["_id", "id", "code"].iter().find_map(|k| plan.get(*k).and_then(Value::as_str)).map(str::to_string)
}

/// A short id, unique enough to name what one run creates.
fn run_id() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 40);
    format!("{:010x}", mixed & 0xff_ffff_ffff)
}

/// A well-formed CIDv1 (raw, sha2-256) that no account has: its digest is made up from `seed`.
fn unknown_cid(seed: &str) -> String {
    let mut bytes = vec![0x01, 0x55, 0x12, 0x20];
    let mut state: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        state = (state ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    for _ in 0..32 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.push((state >> 24) as u8);
    }
    format!("b{}", base32_lower(&bytes))
}

/// RFC 4648 base32, lower case, no padding (multibase `b`).
fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_cids_are_valid_cids() {
        let cid = unknown_cid("abc");
        assert!(pinarkive::validate_cid(&cid).is_ok(), "{cid}");
        assert_ne!(cid, unknown_cid("abd"));
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn paths_are_filled_and_encoded() {
        assert_eq!(fill("/tokens/revoke/{name}", "a b/c"), "/tokens/revoke/a%20b%2Fc");
        assert_eq!(fill("/health", "x"), "/health");
    }

    #[test]
    fn plan_ids_are_found_in_the_shapes_the_sources_disagree_on() {
        assert_eq!(plan_id(&json!("premium")), Some("premium".into()));
        assert_eq!(plan_id(&json!({"currentPlan": {"_id": "p1"}})), Some("p1".into()));
        assert_eq!(plan_id(&json!({"code": "free"})), Some("free".into()));
        assert_eq!(plan_items(&json!({"plans": [1, 2]})).len(), 2);
        assert_eq!(plan_items(&json!([1])).len(), 1);
    }
}
