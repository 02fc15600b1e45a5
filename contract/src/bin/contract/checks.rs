//! The checks, each a judgement of one response against the spec (via
//! `pinarkive_contract::conformance`): pure functions, so the same code judges the emulator and a live
//! server.

use pinarkive::{ErrorCode, OperationId, Scope};
use pinarkive_contract::conformance::Conformance;

use super::http::Resp;

/// The columns of the report, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// The key is accepted as `X-API-Key`.
    ApiKey,
    /// The key is accepted as `Authorization: Bearer`.
    Bearer,
    /// No credentials: 401 with the error body.
    NoKey,
    /// An unknown key: 401 with the error body.
    BadKey,
    /// A key without the route's scope: 403 `missing_scope` naming it.
    Scope,
    /// The success status is listed in the spec and the body is valid.
    Success,
    /// A request that must fail gets a documented 4xx whose body is the error schema.
    ErrorBody,
    /// A 429 carries `Retry-After`.
    RateLimit,
}

impl Check {
    pub const ALL: [Check; 8] = [
        Check::ApiKey,
        Check::Bearer,
        Check::NoKey,
        Check::BadKey,
        Check::Scope,
        Check::Success,
        Check::ErrorBody,
        Check::RateLimit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::ApiKey => "x-api-key",
            Check::Bearer => "bearer",
            Check::NoKey => "no-key",
            Check::BadKey => "bad-key",
            Check::Scope => "scope",
            Check::Success => "success",
            Check::ErrorBody => "error-body",
            Check::RateLimit => "429",
        }
    }
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
    /// The check does not apply (a public route has no key to check).
    NotApplicable,
}

impl Outcome {
    fn from(problems: Vec<String>) -> Outcome {
        match problems.is_empty() {
            true => Outcome::Pass,
            false => Outcome::Fail(problems.join("; ")),
        }
    }
}

/// The longest piece of a body quoted in a reason.
const QUOTE: usize = 160;

/// What ends a quoted body that was cut short.
pub const CUT: &str = "...";

fn spec() -> &'static Conformance {
    Conformance::embedded()
}

/// Everything the spec finds wrong with `resp` as an answer of `op`.
fn conformance(op: OperationId, resp: &Resp) -> Vec<String> {
    match spec().check(op.as_str(), resp.status, &resp.headers, &resp.body) {
        Ok(()) => Vec::new(),
        Err(e) => e.problems.iter().map(|p| format!("{} {}", resp.status, p)).collect(),
    }
}

/// A short, printable excerpt of a body.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match text.char_indices().nth(QUOTE) {
        Some((cut, _)) => format!("{}{CUT}", &text[..cut]),
        None => text,
    }
}

fn field<'a>(json: &'a Option<serde_json::Value>, name: &str) -> Option<&'a str> {
    json.as_ref()?.get(name)?.as_str()
}

/// Whether `resp` is a 403 `missing_scope` naming `op`'s own scope.
pub fn lacks_scope(op: OperationId, resp: &Resp) -> Option<Scope> {
    let json = resp.json();
    let scope = op.scope()?;
    (resp.status == 403
        && field(&json, "code") == Some(ErrorCode::MissingScope.as_str())
        && field(&json, "required") == Some(scope.as_str()))
    .then_some(scope)
}

/// The key was accepted (x-api-key, bearer): neither 401 nor 403, and the answer conforms.
pub fn accepted(op: OperationId, resp: &Resp) -> Outcome {
    if let Some(scope) = lacks_scope(op, resp) {
        return Outcome::Skip(format!("the key given lacks {scope} (403 missing_scope)"));
    }
    if resp.status == 401 || resp.status == 403 {
        return Outcome::Fail(format!("the key was refused: {} {}", resp.status, excerpt(&resp.body)));
    }
    if resp.status >= 500 {
        return Outcome::Fail(format!("{} {}", resp.status, excerpt(&resp.body)));
    }
    Outcome::from(conformance(op, resp))
}

/// The success request got the documented success status and a conforming answer.
pub fn success(op: OperationId, resp: &Resp) -> Outcome {
    if let Some(scope) = lacks_scope(op, resp) {
        return Outcome::Skip(format!("the key given lacks {scope} (403 missing_scope)"));
    }
    if !resp.is_success() {
        return Outcome::Fail(format!(
            "expected {}, got {} {}",
            op.success_status(),
            resp.status,
            excerpt(&resp.body)
        ));
    }
    let mut problems = conformance(op, resp);
    if resp.status != op.success_status() && problems.is_empty() {
        problems.push(format!(
            "expected {}, got {} (also listed in the spec)",
            op.success_status(),
            resp.status
        ));
    }
    Outcome::from(problems)
}

/// Without a valid credential: 401, a conforming answer with the error body.
pub fn unauthorized(op: OperationId, resp: &Resp) -> Outcome {
    if resp.status != 401 {
        return Outcome::Fail(format!("expected 401, got {} {}", resp.status, excerpt(&resp.body)));
    }
    let mut problems = conformance(op, resp);
    problems.extend(error_schema(resp));
    Outcome::from(problems)
}

/// With a key that lacks `scope`: 403 with `code` `missing_scope` and `required` naming it.
pub fn missing_scope(op: OperationId, scope: Scope, resp: &Resp) -> Outcome {
    if resp.status != 403 {
        return Outcome::Fail(format!(
            "expected 403 missing_scope for {scope}, got {} {}",
            resp.status,
            excerpt(&resp.body)
        ));
    }
    let mut problems = conformance(op, resp);
    problems.extend(error_schema(resp));
    let json = resp.json();
    let expected = ErrorCode::MissingScope.as_str();
    if field(&json, "code") != Some(expected) {
        problems.push(format!("code is {:?}, expected {expected:?}", field(&json, "code")));
    }
    if field(&json, "required") != Some(scope.as_str()) {
        problems.push(format!("required is {:?}, expected {:?}", field(&json, "required"), scope.as_str()));
    }
    Outcome::from(problems)
}

/// A request that must fail: a 4xx listed for the operation, with the error body.
pub fn error_body(op: OperationId, resp: &Resp) -> Outcome {
    if !(400..500).contains(&resp.status) || resp.status == 429 {
        return Outcome::Fail(format!(
            "expected a documented 4xx, got {} {}",
            resp.status,
            excerpt(&resp.body)
        ));
    }
    let mut problems = conformance(op, resp);
    problems.extend(error_schema(resp));
    Outcome::from(problems)
}

/// A 429: `Retry-After` in seconds, and a conforming answer.
pub fn rate_limited(op: OperationId, resp: &Resp) -> Outcome {
    let mut problems = Vec::new();
    match resp.headers.get("retry-after").map(|v| v.to_str().map(str::trim)) {
        None => problems.push("429 without Retry-After".to_string()),
        Some(Ok(value)) if value.parse::<u64>().is_ok() => {}
        Some(value) => problems.push(format!("Retry-After {value:?} is not a number of seconds")),
    }
    problems.extend(conformance(op, resp));
    problems.extend(error_schema(resp));
    problems.dedup();
    Outcome::from(problems)
}

/// The body against the shared error schema.
fn error_schema(resp: &Resp) -> Vec<String> {
    match spec().check_error_body(&resp.body) {
        Ok(()) => Vec::new(),
        Err(problems) => problems.iter().map(|p| format!("error body: {p}")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str, headers: &[(&'static str, &str)]) -> Resp {
        let mut map = reqwest::header::HeaderMap::new();
        map.insert("content-type", "application/json".parse().unwrap());
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        Resp { status, headers: map, body: body.as_bytes().to_vec() }
    }

    #[test]
    fn success_wants_the_documented_status_and_body() {
        let upload = OperationId::FilesUpload;
        assert_eq!(success(upload, &resp(201, r#"{"cid":"bafy"}"#, &[])), Outcome::Pass);
        let Outcome::Fail(why) = success(upload, &resp(201, r#"{"cid":7}"#, &[])) else { panic!() };
        assert!(why.contains("/cid"), "{why}");
        let Outcome::Fail(why) = success(upload, &resp(500, r#"{"error":"boom"}"#, &[])) else { panic!() };
        assert!(why.starts_with("expected 201, got 500"), "{why}");
        let Outcome::Fail(why) = success(upload, &resp(200, r#"{"cid":"bafy"}"#, &[])) else { panic!() };
        assert!(why.contains("status 200 is not documented"), "{why}");
    }

    #[test]
    fn a_missing_scope_on_the_keys_own_request_is_a_skip() {
        let body = r#"{"error":"Forbidden","code":"missing_scope","required":"files:write"}"#;
        let outcome = accepted(OperationId::FilesUpload, &resp(403, body, &[]));
        assert_eq!(outcome, Outcome::Skip("the key given lacks files:write (403 missing_scope)".into()));
        assert!(matches!(accepted(OperationId::FilesUpload, &resp(401, "{}", &[])), Outcome::Fail(_)));
    }

    #[test]
    fn missing_scope_names_the_scope() {
        let list = OperationId::UsersMeUploadsList;
        let good = r#"{"error":"Forbidden","code":"missing_scope","required":"files:read"}"#;
        assert_eq!(missing_scope(list, Scope::FilesRead, &resp(403, good, &[])), Outcome::Pass);
        let wrong = r#"{"error":"Forbidden","code":"missing_scope","required":"files:write"}"#;
        let Outcome::Fail(why) = missing_scope(list, Scope::FilesRead, &resp(403, wrong, &[])) else {
            panic!()
        };
        assert_eq!(why, "required is Some(\"files:write\"), expected \"files:read\"");
        assert!(matches!(missing_scope(list, Scope::FilesRead, &resp(200, "{}", &[])), Outcome::Fail(_)));
    }

    #[test]
    fn unauthorized_wants_401_and_the_error_schema() {
        let me = OperationId::UsersMeGet;
        assert_eq!(unauthorized(me, &resp(401, r#"{"code":"INVALID_API_KEY"}"#, &[])), Outcome::Pass);
        let Outcome::Fail(why) = unauthorized(me, &resp(401, r#"{"code":401}"#, &[])) else { panic!() };
        assert!(why.contains("/code"), "{why}");
        let Outcome::Fail(why) = unauthorized(me, &resp(200, "{}", &[])) else { panic!() };
        assert!(why.starts_with("expected 401, got 200"), "{why}");
    }

    #[test]
    fn a_429_needs_retry_after_in_seconds() {
        let me = OperationId::UsersMeGet;
        assert_eq!(
            rate_limited(me, &resp(429, r#"{"retryAfter":1}"#, &[("retry-after", "1")])),
            Outcome::Pass
        );
        // The spec requires the header on 429 as well, so conformance may report it a second time.
        let Outcome::Fail(why) = rate_limited(me, &resp(429, r#"{"retryAfter":1}"#, &[])) else { panic!() };
        assert!(why.starts_with("429 without Retry-After"), "{why}");
        let Outcome::Fail(why) = rate_limited(me, &resp(429, "{}", &[("retry-after", "later")])) else {
            panic!()
        };
        assert!(why.starts_with("Retry-After Ok(\"later\") is not a number"), "{why}");
    }

    #[test]
    fn error_bodies_must_be_documented_4xx() {
        let pin = OperationId::FilesPin;
        assert_eq!(error_body(pin, &resp(400, r#"{"error":"Bad Request"}"#, &[])), Outcome::Pass);
        assert!(matches!(error_body(pin, &resp(409, r#"{"error":"x"}"#, &[])), Outcome::Fail(_)));
        assert!(matches!(error_body(pin, &resp(500, r#"{"error":"x"}"#, &[])), Outcome::Fail(_)));
        assert!(matches!(error_body(pin, &resp(400, "oops", &[])), Outcome::Fail(_)));
        assert_eq!(excerpt(&[b'a'; 400]).len(), QUOTE + 3);
    }
}
