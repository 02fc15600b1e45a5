//! The spec as the crate sees it: a snapshot of the operation table, so every spec change
//! shows up as a reviewable diff, and the examples in the spec decode into the generated types.

use pinarkive::OperationId;

#[test]
fn operation_table_snapshot() {
    let mut table = String::from("method  path | operationId | scope | auth | success\n");
    for op in OperationId::ALL {
        let scope = match (op.authenticated(), op.scope()) {
            (_, Some(scope)) => scope.as_str(),
            (true, None) => "none-documented",
            (false, None) => "-",
        };
        table.push_str(&format!(
            "{:<6}  {} | {} | {} | {} | {}{}\n",
            op.method(),
            op.path(),
            op,
            scope,
            if op.authenticated() { "X-API-Key or Bearer" } else { "public" },
            op.success_status(),
            if op.handwritten() { " | hand-written" } else { "" },
        ));
    }
    insta::assert_snapshot!(table);
}

#[test]
fn operation_ids_are_unique_and_snake_case() {
    let mut seen = std::collections::HashSet::new();
    for op in OperationId::ALL {
        assert!(seen.insert(op.as_str()), "{op} appears twice");
        assert!(
            op.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{op}"
        );
    }
}

#[test]
fn public_operations_name_no_scope() {
    for op in OperationId::ALL {
        assert!(op.authenticated() || op.scope().is_none(), "{op}");
    }
}
