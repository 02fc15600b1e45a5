//! Editing a JSON document by pointer, for tests that change one thing in a fixture spec.

use serde_json::Value;

/// The node at `pointer`, which must exist.
pub fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer).unwrap_or_else(|| panic!("the fixture has no {pointer}"))
}

/// The parent of `pointer` and its last token, unescaped.
fn split(pointer: &str) -> (&str, String) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    (parent, key.replace("~1", "/").replace("~0", "~"))
}

/// Sets (or adds) the value at `pointer`, whose parent must exist: a member of an object, or
/// an element inserted into an array.
pub fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = split(pointer);
    match at(doc, parent) {
        Value::Object(map) => {
            map.insert(key, value);
        }
        Value::Array(items) => items.insert(key.parse().expect("an index"), value),
        _ => panic!("{parent} holds no children"),
    }
}

/// Removes the value at `pointer`, which must exist.
pub fn remove(doc: &mut Value, pointer: &str) {
    let (parent, key) = split(pointer);
    match at(doc, parent) {
        Value::Object(map) => assert!(map.remove(&key).is_some(), "the fixture has no {pointer}"),
        Value::Array(items) => {
            items.remove(key.parse().expect("an index"));
        }
        _ => panic!("{parent} holds no children"),
    }
}
