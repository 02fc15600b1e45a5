//! `pin`, `rm`, `ls` and `rename`.

use futures::stream::TryChunksError;
use futures::TryStreamExt;
use pinarkive::types;

use super::{check_cids, parse_timelock, Context};
use crate::args::{LsArgs, PinArgs, RenameArgs, RmArgs};
use crate::errors::{CliError, Exit};
use crate::json::files::{Listed, Listing, Pinned, Removed, Renamed};
use crate::json::Versioned;
use crate::output::{human_size, human_time, iso, or_none, Output, StreamedTable};

pub async fn pin(ctx: &Context, args: PinArgs) -> Result<(), CliError> {
    check_cids([&args.cid])?;
    let timelock = args.placement.timelock.as_deref().map(parse_timelock).transpose()?;
    let client = ctx.client()?;
    let cluster = args.placement.cluster.clone();
    let body = types::PinRequest {
        cl: cluster.clone(),
        custom_name: args.name.clone(),
        original_name: None,
        timelock,
    };
    let mut request = client.files_pin().cid(args.cid.clone()).body(body);
    // The header too, so that a default cluster from the settings cannot contradict the body.
    if let Some(cluster) = &cluster {
        request = request.x_cluster(cluster.clone());
    }
    let response = request.send().await?.into_inner();
    let pinned = Pinned {
        cid: response.cid.unwrap_or(args.cid),
        name: response.custom_name.or(args.name),
        cluster: response.cluster_id.or(cluster).or_else(|| client.default_cluster().map(str::to_string)),
        expires_at: response.expires_at.as_ref().map(iso).or_else(|| timelock.as_ref().map(iso)),
    };
    if ctx.out.json {
        ctx.out.json(&pinned);
    } else {
        let cluster = pinned.cluster.as_ref().map(|c| format!(" in {c}")).unwrap_or_default();
        let until = pinned.expires_at.as_ref().map(|t| format!(" until {t}")).unwrap_or_default();
        ctx.out.line(format!("Pinned {}{cluster}{until}.", pinned.cid));
    }
    Ok(())
}

/// Unpins each CID in turn; on a failure says which were removed and which not tried.
pub async fn remove(ctx: &Context, args: RmArgs) -> Result<(), CliError> {
    check_cids(&args.cids)?;
    let client = ctx.client()?;
    let mut removed: Vec<String> = Vec::new();
    for (index, cid) in args.cids.iter().enumerate() {
        if let Err(error) = client.files_remove().cid(cid.clone()).send().await {
            let error = CliError::from(error);
            let mut message = format!("{cid}: {}", error.message);
            if !removed.is_empty() {
                message.push_str(&format!("; removed: {}", removed.join(", ")));
            }
            if index + 1 < args.cids.len() {
                message.push_str(&format!("; not tried: {}", args.cids[index + 1..].join(", ")));
            }
            if ctx.out.json {
                ctx.out.json(&Removed { removed: &removed });
            }
            return Err(CliError::new(error.exit, message));
        }
        ctx.out.line(format!("Removed {cid}."));
        removed.push(cid.clone());
    }
    if ctx.out.json {
        ctx.out.json(&Removed { removed: &removed });
    }
    Ok(())
}

impl From<types::Upload> for Listed {
    fn from(upload: types::Upload) -> Self {
        Listed {
            name: upload.custom_name.or(upload.name).or(upload.original_name),
            size: upload.size.and_then(|s| u64::try_from(s).ok()),
            cluster: upload.cluster_id,
            created_at: upload.created_at.as_ref().map(iso).or(upload.uploaded_at),
            expires_at: upload.expires_at.as_ref().map(iso),
            id: upload.id,
            cid: upload.cid,
        }
    }
}

/// Uploads a walk fetches per page.
const PAGE_SIZE: u64 = 100;

/// The most pages `ls --all` and `rename` walk: 100,000 uploads.
const MAX_PAGES: u64 = 1_000;

/// Every upload, page by page. The walk ends on a short page or the reported total, and fails
/// on a page seen before, on more pages than the server's own total allows, or after
/// [`MAX_PAGES`]: a server cannot keep it going.
fn every_upload(
    client: &pinarkive::Client,
) -> impl futures::Stream<Item = pinarkive::Result<types::Upload>> + '_ {
    client.uploads().page_size(PAGE_SIZE).max_pages(MAX_PAGES).stream()
}

const COLUMNS: [&str; 6] = ["CID", "NAME", "SIZE", "CLUSTER", "CREATED", "EXPIRES"];

fn row(u: &Listed) -> Vec<String> {
    vec![
        u.cid.clone(),
        or_none(u.name.as_ref()),
        or_none(u.size.map(human_size)),
        or_none(u.cluster.as_ref()),
        or_none(u.created_at.as_deref().map(short_time)),
        or_none(u.expires_at.as_deref().map(short_time)),
    ]
}

pub async fn list(ctx: &Context, args: LsArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    if args.all {
        return list_all(ctx, &client).await;
    }
    let list = client.users_me_uploads_list().page(args.page).limit(args.limit).send().await?.into_inner();
    let total = list.total.or(list.pagination.as_ref().and_then(|p| p.total));
    let listing = Listing {
        uploads: list.uploads.into_iter().map(Listed::from).collect(),
        page: Some(args.page),
        total,
    };
    if ctx.out.json {
        ctx.out.json(&listing);
        return Ok(());
    }
    if listing.uploads.is_empty() {
        ctx.out.line(if args.page > 1 { "No uploads on this page." } else { "No uploads." });
        return Ok(());
    }
    let rows: Vec<Vec<String>> = listing.uploads.iter().map(row).collect();
    ctx.out.table(&COLUMNS, &rows);
    let shown = listing.uploads.len() as u64;
    match (listing.page, listing.total) {
        (Some(page), Some(total)) if total > shown => ctx.out.line(format!(
            "Page {page}: {shown} of {total} uploads; see more with --page {} or --all.",
            // `--page` is the user's and `total` the server's: neither bounds the other.
            page.saturating_add(1)
        )),
        (Some(_), None) if shown == args.limit => {
            ctx.out.line("There may be more; see them with --page or --all.")
        }
        _ => {}
    }
    Ok(())
}

/// `ls --all`, printed a page at a time as the pages arrive, so that memory stays that of one
/// page whatever the account holds or a server sends. The table's columns widen when a page
/// needs it; `--json` writes the document `ls --json` would, an upload at a time. When the walk
/// fails part way, what was printed stays (the JSON unterminated) and the error follows.
async fn list_all(ctx: &Context, client: &pinarkive::Client) -> Result<(), CliError> {
    let pages = every_upload(client).try_chunks(PAGE_SIZE as usize);
    let mut pages = std::pin::pin!(pages);
    let mut table = StreamedTable::new(&COLUMNS);
    let mut json = StreamedListing::default();
    let mut count = 0u64;
    loop {
        let (page, failure) = match pages.try_next().await {
            Ok(Some(page)) => (page, None),
            Ok(None) => break,
            Err(TryChunksError(page, error)) => (page, Some(error)),
        };
        count += page.len() as u64;
        let listed = page.into_iter().map(Listed::from);
        if ctx.out.json {
            listed.for_each(|upload| json.push(&ctx.out, &upload));
        } else {
            table.print(&ctx.out, &listed.map(|upload| row(&upload)).collect::<Vec<_>>());
        }
        if let Some(error) = failure {
            return Err(error.into());
        }
    }
    if ctx.out.json {
        json.finish(&ctx.out, count);
    } else if !table.started() {
        ctx.out.line("No uploads.");
    }
    Ok(())
}

/// A [`Listing`] of every upload written an upload at a time. Its text around the uploads
/// comes from the `Listing` itself (with its `formatVersion`), so the document is the one
/// `ls --json` prints.
#[derive(Default)]
struct StreamedListing {
    /// The last upload's JSON, held until it is known whether a comma follows it.
    pending: Option<String>,
}

impl StreamedListing {
    /// The listing's text before and after its uploads.
    fn around(total: u64) -> (String, String) {
        let empty = Listing { uploads: Vec::new(), page: None, total: Some(total) };
        let text = serde_json::to_string_pretty(&Versioned::new(&empty)).expect("output types serialize");
        let (before, after) = text.split_once("[]").expect("an empty list is written []");
        (format!("{before}["), format!("  ]{after}"))
    }

    fn push(&mut self, out: &Output, upload: &Listed) {
        let text = serde_json::to_string_pretty(upload).expect("output types serialize");
        let indented: Vec<String> = text.lines().map(|line| format!("    {line}")).collect();
        match self.pending.replace(indented.join("\n")) {
            Some(previous) => out.json_part(&format!("{previous},")),
            None => out.json_part(&Self::around(0).0),
        }
    }

    fn finish(self, out: &Output, total: u64) {
        let (before, after) = Self::around(total);
        match self.pending {
            Some(last) => {
                out.json_part(&last);
                out.json_part(&after);
            }
            None => out.json_part(&format!("{before}{}", after.trim_start())),
        }
    }
}

/// An RFC 3339 time to the minute; anything else as sent.
fn short_time(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| human_time(&t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|_| text.to_string())
}

/// Renames by CID: the API wants the upload's id, which the upload list gives.
pub async fn rename(ctx: &Context, args: RenameArgs) -> Result<(), CliError> {
    check_cids([&args.cid])?;
    if args.new_name.trim().is_empty() {
        return Err(CliError::usage("the new name is empty"));
    }
    let client = ctx.client()?;
    let id = match args.id {
        Some(id) => id,
        None => {
            let found = every_upload(&client)
                .try_filter(|u| std::future::ready(u.cid == args.cid))
                .try_next()
                .await
                .map_err(|error| match error {
                    // The usual hint (`--page`) is `ls`'s; here the way around the search is --id.
                    pinarkive::Error::Paging { .. } => CliError::new(
                        Exit::Api,
                        format!("{error}; pass the upload's id with --id (`pinarkive ls --page N --json` shows ids)"),
                    ),
                    other => CliError::from(other),
                })?;
            let Some(upload) = found else {
                return Err(CliError::new(
                    Exit::Api,
                    format!("no upload with CID {} in this account (see `pinarkive ls --all`)", args.cid),
                ));
            };
            upload.id.ok_or_else(|| {
                CliError::usage(format!(
                    "the upload list gives no id for {}; pass the upload's id with --id",
                    args.cid
                ))
            })?
        }
    };
    let body = types::RenameRequest { new_name: args.new_name.clone() };
    let response = client.files_rename().upload_id(id.clone()).body(body).send().await?.into_inner();
    let renamed = Renamed { cid: args.cid, id, name: response.new_name.unwrap_or(args.new_name) };
    if ctx.out.json {
        ctx.out.json(&renamed);
    } else {
        ctx.out.line(format!("Renamed {} to {:?}.", renamed.cid, renamed.name));
    }
    Ok(())
}
