//! Decoding a success body: once, into the operation's type.
//!
//! The client hook has read the body (up to its limit, see [`crate::body`]); here its
//! `Content-Type` is checked, it is parsed into the operation's type, and every `cid` field of
//! the typed value must hold a valid CID (every property of that name in the spec is a CID, and
//! the CLI prints them). A body that fails any of these keeps its status and bytes in
//! [`Error::Decode`]. Generated operations call [`generated`] (`codegen.rs` rewrites their
//! success arm to), uploads [`upload`].

use std::fmt;

use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::body::ReadBody;
use crate::error::{Captured, Error};
use crate::{types, ResponseValue};

/// The success arm of every generated `send`: the typed body, or the response captured with
/// the reason it does not decode (which [`Error::from`] turns into [`Error::Decode`] with the
/// status).
pub(crate) async fn generated<T: DeserializeOwned + Serialize>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<types::ErrorBody>> {
    match decode(response).await {
        Ok(value) => Ok(value),
        Err(Undecodable::Read(e)) => Err(progenitor_client::Error::ResponseBodyError(e)),
        Err(Undecodable::Body(captured)) => {
            Err(progenitor_client::Error::UnexpectedResponse((*captured).into_envelope()))
        }
    }
}

/// The typed body of an upload's success response.
pub(crate) async fn upload<T: DeserializeOwned + Serialize>(
    response: reqwest::Response,
) -> Result<ResponseValue<T>, Error> {
    match decode(response).await {
        Ok(value) => Ok(value),
        Err(Undecodable::Read(e)) => Err(Error::from(e)),
        Err(Undecodable::Body(captured)) => Err((*captured).into_error()),
    }
}

enum Undecodable {
    /// The body could not be read (not reached for a body the hook has read).
    Read(reqwest::Error),
    /// The body is not the operation's JSON.
    Body(Box<Captured>),
}

async fn decode<T: DeserializeOwned + Serialize>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Undecodable> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = match response.extensions_mut().remove::<ReadBody>() {
        Some(ReadBody(body)) => body,
        // Not reached through the client, whose hook reads every body.
        None => response.bytes().await.map_err(Undecodable::Read)?,
    };
    match parse(&headers, &body) {
        Ok(value) => Ok(ResponseValue::new(value, status, headers)),
        Err(reason) => Err(Undecodable::Body(Box::new(Captured::undecodable(status, headers, body, reason)))),
    }
}

/// The body as `T`, or why it is not one.
fn parse<T: DeserializeOwned + Serialize>(headers: &HeaderMap, body: &Bytes) -> Result<T, String> {
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        let text = String::from_utf8_lossy(content_type.as_bytes());
        if !is_json(&text) {
            return Err(format!("expected a JSON body, got content-type {text}"));
        }
    }
    let value: T = serde_json::from_slice(body).map_err(|e| match e.classify() {
        _ if body.is_empty() => format!("expected a JSON body ({e})"),
        serde_json::error::Category::Data => format!("body does not match the spec: {e}"),
        _ => format!("invalid JSON: {e}"),
    })?;
    cid_check::check(&value)?;
    Ok(value)
}

/// `application/json`, or another `+json` type, with any parameters, in any letter case.
pub(crate) fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().as_bytes();
    let (prefix, suffix) = (b"application/".as_slice(), b"+json".as_slice());
    essence.eq_ignore_ascii_case(b"application/json")
        || (essence.len() > prefix.len() + suffix.len()
            && essence[..prefix.len()].eq_ignore_ascii_case(prefix)
            && essence[essence.len() - suffix.len()..].eq_ignore_ascii_case(suffix))
}

impl Captured {
    /// A success response whose body does not decode, for [`Error::Decode`].
    fn undecodable(status: StatusCode, headers: HeaderMap, body: Bytes, reason: String) -> Captured {
        Captured { status, headers, url: None, body, exceeded: None, undecodable: Some(reason) }
    }
}

/// Every string under a `cid` field of a typed value must be a CID. The value is walked through
/// its `Serialize` (every generated type has one), field names as the API spells them, without
/// producing any output.
mod cid_check {
    use serde::ser::{self, Serialize};

    use super::fmt;

    /// The longest bad value quoted in the error.
    const QUOTED: usize = 100;

    /// Why a `cid` field holds no CID; the walk stops at the first.
    #[derive(Debug)]
    pub(super) struct NotACid(pub(super) String);

    impl fmt::Display for NotACid {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for NotACid {}

    impl ser::Error for NotACid {
        fn custom<T: fmt::Display>(message: T) -> Self {
            NotACid(message.to_string())
        }
    }

    /// Checks `value`; the error names the field and the value.
    pub(super) fn check<T: Serialize>(value: &T) -> Result<(), String> {
        value.serialize(Walk { cid: false }).map_err(|NotACid(why)| why)
    }

    /// A serializer that only looks: at strings under a `cid` key.
    #[derive(Clone, Copy)]
    struct Walk {
        /// Whether the value is a `cid` field's.
        cid: bool,
    }

    fn check_cid(value: &str) -> Result<(), NotACid> {
        let why = match ::cid::Cid::try_from(value) {
            Ok(_) => return Ok(()),
            Err(_) if value.is_empty() => "it is empty".to_string(),
            Err(error) => error.to_string(),
        };
        // Quoted as sent, whole or not at all: the client redacts its secrets from this text
        // later, and an escaped or cut secret would no longer match.
        let what = match value.chars().count() {
            n if n <= QUOTED => format!("`{value}`"),
            n => format!("a string of {n} characters"),
        };
        Err(NotACid(format!("field `cid` holds {what}, which is not a valid CID ({why})")))
    }

    /// What the walk returns for every value: nothing, or the first bad CID.
    type Walked = Result<(), NotACid>;

    macro_rules! nothing_to_check {
        ($($method:ident($($ty:ty),*);)*) => {
            $(fn $method(self, $(_: $ty),*) -> Walked { Ok(()) })*
        };
    }

    impl ser::Serializer for Walk {
        type Ok = ();
        type Error = NotACid;
        type SerializeSeq = Self;
        type SerializeTuple = Self;
        type SerializeTupleStruct = Self;
        type SerializeTupleVariant = Self;
        type SerializeMap = Map;
        type SerializeStruct = Self;
        type SerializeStructVariant = Self;

        nothing_to_check! {
            serialize_bool(bool);
            serialize_i8(i8);
            serialize_i16(i16);
            serialize_i32(i32);
            serialize_i64(i64);
            serialize_i128(i128);
            serialize_u8(u8);
            serialize_u16(u16);
            serialize_u32(u32);
            serialize_u64(u64);
            serialize_u128(u128);
            serialize_f32(f32);
            serialize_f64(f64);
            serialize_char(char);
            serialize_bytes(&[u8]);
            serialize_none();
            serialize_unit();
            serialize_unit_struct(&'static str);
            serialize_unit_variant(&'static str, u32, &'static str);
        }

        fn serialize_str(self, value: &str) -> Walked {
            match self.cid {
                true => check_cid(value),
                false => Ok(()),
            }
        }

        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Walked {
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Walked {
            value.serialize(self)
        }

        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            value: &T,
        ) -> Walked {
            value.serialize(Walk { cid: false })
        }

        fn serialize_seq(self, _: Option<usize>) -> Result<Self, NotACid> {
            Ok(Walk { cid: false })
        }

        fn serialize_tuple(self, _: usize) -> Result<Self, NotACid> {
            Ok(Walk { cid: false })
        }

        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, NotACid> {
            Ok(Walk { cid: false })
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, NotACid> {
            Ok(Walk { cid: false })
        }

        fn serialize_map(self, _: Option<usize>) -> Result<Map, NotACid> {
            Ok(Map { cid: false })
        }

        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NotACid> {
            Ok(Walk { cid: false })
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self, NotACid> {
            Ok(Walk { cid: false })
        }
    }

    macro_rules! elements {
        ($($trait:ident :: $method:ident;)*) => {$(
            impl ser::$trait for Walk {
                type Ok = ();
                type Error = NotACid;
                fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Walked {
                    value.serialize(Walk { cid: false })
                }
                fn end(self) -> Walked {
                    Ok(())
                }
            }
        )*};
    }

    elements! {
        SerializeSeq::serialize_element;
        SerializeTuple::serialize_element;
        SerializeTupleStruct::serialize_field;
        SerializeTupleVariant::serialize_field;
    }

    macro_rules! fields {
        ($($trait:ident;)*) => {$(
            impl ser::$trait for Walk {
                type Ok = ();
                type Error = NotACid;
                fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Walked {
                    value.serialize(Walk { cid: key == "cid" })
                }
                fn end(self) -> Walked {
                    Ok(())
                }
            }
        )*};
    }

    fields! {
        SerializeStruct;
        SerializeStructVariant;
    }

    /// A map's entries: a value is a `cid` field's when its key is the string `cid` (free-form
    /// JSON objects in the spec, such as `serde_json::Value`s, are maps).
    struct Map {
        cid: bool,
    }

    impl ser::SerializeMap for Map {
        type Ok = ();
        type Error = NotACid;

        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Walked {
            // Only free-form JSON objects are maps, so this copy of a key is rare.
            self.cid = serde_json::to_value(key).is_ok_and(|key| key == "cid");
            Ok(())
        }

        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Walked {
            value.serialize(Walk { cid: self.cid })
        }

        fn end(self) -> Walked {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const CID: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

    fn json_headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, content_type.parse().unwrap());
        headers
    }

    fn parse_list(body: &str) -> Result<types::UploadList, String> {
        parse(&json_headers("application/json; charset=utf-8"), &Bytes::from(body.to_string()))
    }

    #[test]
    fn cid_fields_are_checked_at_any_depth_in_the_typed_value() {
        let ok = json!({"uploads": [{"cid": CID}], "total": 1}).to_string();
        assert!(parse_list(&ok).is_ok());
        let bad = json!({"uploads": [{"cid": CID}, {"cid": "not-a-cid"}]}).to_string();
        let why = parse_list(&bad).unwrap_err();
        assert!(why.starts_with("field `cid` holds `not-a-cid`, which is not a valid CID"), "{why}");
        let empty = json!({"uploads": [{"cid": ""}]}).to_string();
        assert!(parse_list(&empty).unwrap_err().contains("(it is empty)"));
        let long = json!({"uploads": [{"cid": "x".repeat(101)}]}).to_string();
        assert!(parse_list(&long).unwrap_err().contains("a string of 101 characters"));
    }

    #[test]
    fn cid_keys_inside_free_form_json_are_checked_too() {
        #[derive(Serialize)]
        struct Loose {
            anything: serde_json::Value,
        }
        let deep = Loose { anything: json!({"a": [{"cid": "bogus"}], "cid": CID}) };
        assert!(cid_check::check(&deep).unwrap_err().contains("`bogus`"));
        let fine = Loose { anything: json!({"cids": ["bogus"], "cid": [1, "x"], "n": {"cid": null}}) };
        assert!(cid_check::check(&fine).is_ok(), "only strings directly under `cid` are CIDs");
    }

    #[test]
    fn the_content_type_and_the_json_are_named_when_wrong() {
        let html = parse::<types::HealthResponse>(&json_headers("text/html"), &Bytes::from_static(b"{}"));
        assert_eq!(html.unwrap_err(), "expected a JSON body, got content-type text/html");
        let problem = json_headers("Application/Problem+JSON; charset=utf-8");
        assert!(parse::<types::HealthResponse>(&problem, &Bytes::from_static(b"{}")).is_ok());
        let untyped = parse::<types::HealthResponse>(&HeaderMap::new(), &Bytes::from_static(b"{}"));
        assert!(untyped.is_ok(), "a body without a content-type is still read");
        let cut = parse_list(r#"{"uploads": [{"cid""#).unwrap_err();
        assert!(cut.starts_with("invalid JSON"), "{cut}");
        assert!(parse_list("").unwrap_err().starts_with("expected a JSON body"));
        let wrong = parse_list(r#"{"uploads": 5}"#).unwrap_err();
        assert!(wrong.starts_with("body does not match the spec"), "{wrong}");
    }
}
