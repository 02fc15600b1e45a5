//! The spec as the crate sees it: a snapshot of the operation table, so every spec change
//! shows up as a reviewable diff, and the examples in the spec decode into the generated types.

use pinarkive::spec::OPERATIONS;

#[test]
fn operation_table_snapshot() {
    let mut table = String::from("method  path | operationId | scope | auth | success\n");
    for op in OPERATIONS {
        table.push_str(&format!(
            "{:<6}  {} | {} | {} | {} | {}{}\n",
            op.method,
            op.path,
            op.id,
            op.scope.unwrap_or("-"),
            if op.authenticated { "X-API-Key or Bearer" } else { "public" },
            op.success_status,
            if op.handwritten { " | hand-written" } else { "" },
        ));
    }
    insta::assert_snapshot!(table);
}

#[test]
fn operation_ids_are_unique_and_snake_case() {
    let mut seen = std::collections::HashSet::new();
    for op in OPERATIONS {
        assert!(seen.insert(op.id), "{} appears twice", op.id);
        assert!(op.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{}", op.id);
    }
}

#[test]
fn authenticated_operations_name_a_scope_and_public_ones_none() {
    for op in OPERATIONS {
        assert_eq!(op.authenticated, op.scope.is_some(), "{}", op.id);
    }
}
