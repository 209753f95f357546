//! The admin's pages: index, change list (with its action), add, change
//! and delete.
//!
//! Input: a request [`super::route`] matched, its path under the site's
//! prefix in the `admin_path` parameter, the site's static spec, the
//! application's [`Database`]. Output: the page, a redirect after a
//! successful POST (with a message, in Django's words), or an error: 403
//! without the staff flag or the model's permission, 404 for an unknown
//! row, 409 when protected rows refuse a delete.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use http::{Method, StatusCode};
use jiff::ToSpan;
use jiff::civil::{Date, DateTime};

use crate::auth;
use crate::db::{Database, DbError, DbErrorKind, Dialect, Row, Value};
use crate::error::HttpError;
use crate::forms::{Form, FormData};
use crate::messages;
use crate::pagination::Paginator;
use crate::request::Request;
use crate::response::Response;

use super::PATH_PARAM;
use super::html::{self, Crumb, Page, Urls, attr, capfirst, count_of, link, text};
use super::spec::{
    AdminSite, End, Field, FieldKind, HookPhase, Hop, ListFilter, ModelAdmin, ModelInfo, OnDelete,
    Scalar,
};
use super::sql::{self, Cell, Chosen, ListRequest, Statement, read_str};
use super::values::{self, display_html, key_text, parse_value, read_value};

/// What every page handler gets.
struct Cx<'r> {
    site: &'static AdminSite,
    request: &'r Request,
    db: &'r Database,
}

impl Cx<'_> {
    fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Whether the user has `action` (`view`, `add`, `change`, `delete`) on `model`.
    fn can(&self, model: &ModelInfo, action: &str) -> bool {
        auth::has_perm(
            self.request,
            &format!("{}.{action}_{}", self.site.app_label, model.model_name),
        )
    }

    fn can_view(&self, model: &ModelInfo) -> bool {
        self.can(model, "view") || self.can(model, "change")
    }

    async fn query(&self, statement: &Statement) -> Result<Vec<Row>, HttpError> {
        Ok(self.db.query(&statement.sql()?, &statement.params).await?)
    }

    async fn count(&self, statement: &Statement) -> Result<u64, HttpError> {
        let row = self
            .db
            .query_one(&statement.sql()?, &statement.params)
            .await?;
        Ok(u64::try_from(row.get_i64(0)?).unwrap_or_default())
    }

    fn page(&self, title: &str, crumbs: Vec<Crumb>, class: &'static str, body: String) -> Response {
        self.page_with_status(title, None, crumbs, class, body, StatusCode::OK)
    }

    fn page_with_status(
        &self,
        title: &str,
        subtitle: Option<&str>,
        crumbs: Vec<Crumb>,
        class: &'static str,
        body: String,
        status: StatusCode,
    ) -> Response {
        Page {
            site: self.site,
            title,
            subtitle,
            crumbs,
            class,
            body,
        }
        .respond(self.request, status)
    }

    /// The crumbs of a model's pages: the app, then the model's change list.
    fn model_crumbs(&self, model: &ModelInfo) -> Vec<Crumb> {
        let plural = capfirst(model.verbose_name_plural);
        vec![
            Crumb::link(self.site.app_name, html::app_url(self.site)),
            if self.can_view(model) {
                Crumb::link(plural, Urls::new(self.site, model).changelist())
            } else {
                Crumb::here(plural)
            },
        ]
    }

    /// This request's path and query: where a POST goes back to.
    fn here(&self) -> String {
        match self.request.query_string() {
            Some(query) => format!("{}?{query}", self.request.raw_path()),
            None => self.request.raw_path().to_owned(),
        }
    }
}

fn forbidden(what: &str) -> HttpError {
    HttpError::Forbidden(format!("you may not {what}"))
}

/// Routes an admin request to its page (see [`super::serve`]).
pub(super) async fn dispatch(
    site: &'static AdminSite,
    request: Request,
) -> Result<Response, HttpError> {
    let path = request.param(PATH_PARAM).unwrap_or_default().to_owned();
    if path == html::STYLESHEET {
        return Ok(html::stylesheet());
    }
    let Some(user) = auth::current_user(&request) else {
        return Ok(auth::login_redirect(&request, &auth::login_url(&request)));
    };
    if !user.is_staff || !user.is_active {
        return Err(HttpError::Forbidden(
            "the admin is for staff members".to_owned(),
        ));
    }
    let db = request
        .state::<Database>()
        .cloned()
        .ok_or_else(|| HttpError::Internal("the admin needs a database".to_owned()))?;
    let cx = Cx {
        site,
        request: &request,
        db: &db,
    };
    let segments: Vec<&str> = path.split('/').collect();
    let admin_of = |name: &str| site.model_admin(name).ok_or_else(HttpError::not_found);
    match segments.as_slice() {
        [""] => index(&cx, false),
        [app, ""] if *app == site.app_label => index(&cx, true),
        [_, model, ""] => changelist(&cx, admin_of(model)?).await,
        [_, model, "add", ""] => change_form(&cx, admin_of(model)?, None).await,
        [_, model, key, "change", ""] => change_form(&cx, admin_of(model)?, Some(key)).await,
        [_, model, key, "delete", ""] => delete_view(&cx, admin_of(model)?, key).await,
        [_, model, key, ""] => {
            let admin = admin_of(model)?;
            Ok(Response::redirect(
                &Urls::new(site, admin.model).change(key),
            ))
        }
        _ => Err(HttpError::not_found()),
    }
}

// ── the index ───────────────────────────────────────────────────────────────

/// The site's index (`/admin/`) or the app's (`/admin/blog/`): the models
/// the user may see, with their add and change links.
fn index(cx: &Cx<'_>, app_page: bool) -> Result<Response, HttpError> {
    let site = cx.site;
    let mut body = String::new();
    let visible: Vec<&ModelAdmin> = site
        .models
        .iter()
        .copied()
        .filter(|admin| {
            ["view", "add", "change", "delete"]
                .iter()
                .any(|action| cx.can(admin.model, action))
        })
        .collect();
    if visible.is_empty() {
        body.push_str("<p>You don’t have permission to view or edit anything.</p>");
    } else {
        body.push_str("<div class=\"dashboard\"><div class=\"module\" id=\"app-");
        attr(&mut body, site.app_label);
        body.push_str("\"><table>\n<caption>");
        let title = format!("Models in the {} application", site.app_name);
        body.push_str("<a href=\"");
        attr(&mut body, &html::app_url(site));
        body.push_str("\" title=\"");
        attr(&mut body, &title);
        body.push_str("\">");
        text(&mut body, site.app_name);
        body.push_str("</a></caption>\n<tbody>\n");
        for admin in visible {
            let model = admin.model;
            let urls = Urls::new(site, model);
            let plural = capfirst(model.verbose_name_plural);
            body.push_str("<tr class=\"model-");
            attr(&mut body, model.model_name);
            body.push_str("\"><th scope=\"row\">");
            if cx.can_view(model) {
                link(&mut body, &urls.changelist(), &plural);
            } else {
                text(&mut body, &plural);
            }
            body.push_str("</th><td class=\"links\">");
            if cx.can(model, "add") {
                body.push_str("<a href=\"");
                attr(&mut body, &urls.add());
                body.push_str("\" class=\"addlink\">Add</a>");
            }
            if cx.can(model, "change") {
                body.push_str("<a href=\"");
                attr(&mut body, &urls.changelist());
                body.push_str("\" class=\"changelink\">Change</a>");
            } else if cx.can(model, "view") {
                body.push_str("<a href=\"");
                attr(&mut body, &urls.changelist());
                body.push_str("\" class=\"viewlink\">View</a>");
            }
            body.push_str("</td></tr>\n");
        }
        body.push_str("</tbody></table></div></div>");
    }
    if app_page {
        let title = format!("{} administration", site.app_name);
        Ok(cx.page(&title, vec![Crumb::here(site.app_name)], "app-index", body))
    } else {
        Ok(cx.page("Site administration", Vec::new(), "dashboard", body))
    }
}

// ── the change list ─────────────────────────────────────────────────────────

/// What a filter offers, from the kind of what it filters on.
enum FilterKind {
    /// The rows of a related model, by key.
    Relation(&'static ModelInfo),
    /// A choice field's choices.
    Choice(&'static [(&'static str, &'static str)]),
    /// Yes / No.
    Bool,
    /// Date ranges.
    Date {
        /// A `datetime` field (bounds at midnight UTC).
        datetime: bool,
    },
    /// The distinct values of the column.
    Values(Scalar),
}

/// The kind of a filter, the scalar its `__exact` value parses as, and
/// whether "empty" is a choice.
fn filter_kind(model: &'static ModelInfo, filter: &ListFilter) -> (FilterKind, Scalar, bool) {
    let mut current = model;
    let mut before_last = model;
    for hop in filter.path.hops {
        before_last = current;
        current = hop.target();
    }
    match filter.path.end {
        End::Object => {
            let nullable = match filter.path.hops.last() {
                Some(Hop::Forward { column, .. }) => before_last
                    .fields
                    .iter()
                    .any(|field| field.column == Some(*column) && field.null),
                _ => false,
            };
            (
                FilterKind::Relation(current),
                current.pk_field().scalar,
                nullable,
            )
        }
        End::Field(index) => {
            let Some(field) = current.fields.get(index) else {
                return (FilterKind::Values(Scalar::Text), Scalar::Text, false);
            };
            let nullable = field.null && !filter.path.hops.iter().any(Hop::is_many);
            let kind = match (&field.kind, field.scalar) {
                (FieldKind::Choice(choices), _) => FilterKind::Choice(choices),
                (_, Scalar::Bool) => FilterKind::Bool,
                (_, Scalar::Date) => FilterKind::Date { datetime: false },
                (_, Scalar::DateTime) => FilterKind::Date { datetime: true },
                (_, scalar) => FilterKind::Values(scalar),
            };
            (kind, field.scalar, nullable)
        }
    }
}

/// The parameters of a change list request, parsed.
struct ListParams {
    query: String,
    sort: Option<(usize, bool)>,
    page: Option<String>,
    chosen: Vec<Chosen>,
    filtered: bool,
}

fn pair<'p>(pairs: &'p [(String, String)], name: &str) -> Option<&'p str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn parse_list_params(admin: &'static ModelAdmin, pairs: &[(String, String)]) -> ListParams {
    let model = admin.model;
    let query = pair(pairs, "q").unwrap_or_default().to_owned();
    let sort = pair(pairs, "o").and_then(|order| {
        let (descending, number) = match order.strip_prefix('-') {
            Some(number) => (true, number),
            None => (false, order),
        };
        let number: usize = number.parse().ok()?;
        let index = number.checked_sub(1)?;
        let column = admin.list_display.get(index)?;
        sql::sortable(&column.path).then_some((index, descending))
    });
    let mut chosen = Vec::new();
    for (index, filter) in admin.list_filter.iter().enumerate() {
        let (kind, scalar, _) = filter_kind(model, filter);
        let name = |suffix: &str| format!("{}__{suffix}", filter.param);
        if let Some(value) = pair(pairs, &name("exact")).and_then(|text| parse_value(text, scalar))
        {
            chosen.push(Chosen::Exact {
                filter: index,
                value,
            });
        }
        match pair(pairs, &name("isnull")) {
            Some("True" | "true" | "1") => chosen.push(Chosen::IsNull {
                filter: index,
                null: true,
            }),
            Some("False" | "false" | "0") => chosen.push(Chosen::IsNull {
                filter: index,
                null: false,
            }),
            _ => {}
        }
        if let FilterKind::Date { datetime } = kind {
            let bound = |suffix: &str| {
                let date: Date = pair(pairs, &name(suffix))?.parse().ok()?;
                Some(if datetime {
                    Value::DateTime(date.to_datetime(jiff::civil::Time::midnight()))
                } else {
                    Value::Date(date)
                })
            };
            let (from, until) = (bound("gte"), bound("lt"));
            if from.is_some() || until.is_some() {
                chosen.push(Chosen::Range {
                    filter: index,
                    from,
                    until,
                });
            }
        }
    }
    let filtered = !chosen.is_empty() || !query.trim().is_empty();
    ListParams {
        query,
        sort,
        page: pair(pairs, "p").map(str::to_owned),
        chosen,
        filtered,
    }
}

/// Django's `smart_split` of a search: words, or phrases in quotes.
pub(crate) fn search_terms(query: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in query.chars() {
        match quote {
            Some(open) if c == open => {
                quote = None;
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            Some(_) => current.push(c),
            None if c == '"' || c == '\'' && current.is_empty() => quote = Some(c),
            None if c.is_whitespace() => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            None => current.push(c),
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    terms.truncate(sql::MAX_SEARCH_TERMS);
    terms
}

/// `/admin/<app>/<model>/`: the change list, or its action on POST.
async fn changelist(cx: &Cx<'_>, admin: &'static ModelAdmin) -> Result<Response, HttpError> {
    let model = admin.model;
    if !cx.can_view(model) {
        return Err(forbidden(&format!("view {}", model.verbose_name_plural)));
    }
    if cx.request.method() == Method::POST {
        return action(cx, admin).await;
    }
    let pairs = cx.request.query_pairs();
    let params = parse_list_params(admin, &pairs);
    let per_page = u64::from(admin.list_per_page.max(1));
    let mut list = ListRequest {
        terms: search_terms(&params.query),
        filters: params.chosen.clone(),
        sort: params.sort,
        limit: per_page,
        offset: 0,
    };
    let first = sql::list_statements(admin, &list, cx.dialect());
    let count = cx.count(&first.count).await?;
    let paginator = Paginator::new(count, per_page);
    let number = match params.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(text) => text.parse().map_err(|_| HttpError::not_found())?,
    };
    let page = paginator.page(number)?;
    list.offset = page.offset();
    let statements = sql::list_statements(admin, &list, cx.dialect());
    let rows = cx.query(&statements.select).await?;
    let many = many_cells(cx, &statements.cells, &rows).await?;
    let total = if params.filtered {
        Some(cx.count(&sql::total_statement(model)).await?)
    } else {
        None
    };
    let can_delete = cx.can(model, "delete");
    let urls = Urls::new(cx.site, model);
    let mut body = String::new();
    if cx.can(model, "add") {
        body.push_str("<ul class=\"object-tools\"><li><a href=\"");
        attr(&mut body, &urls.add());
        body.push_str("\" class=\"addlink\">Add ");
        text(&mut body, model.verbose_name);
        body.push_str("</a></li></ul>\n");
    }
    body.push_str("<div class=\"changelist-layout\"><div class=\"changelist-main\">\n");
    if !admin.search.is_empty() {
        search_bar(&mut body, admin, &pairs, &params, count, total);
    }
    body.push_str("<form id=\"changelist-form\" method=\"post\" novalidate>");
    html::csrf_input(&mut body, cx.request);
    if can_delete {
        body.push_str(
            "<div class=\"actions\"><label>Action: <select name=\"action\" required>\
             <option value=\"\" selected>---------</option><option value=\"delete_selected\">Delete selected ",
        );
        text(&mut body, model.verbose_name_plural);
        body.push_str(
            "</option></select></label><button type=\"submit\" class=\"button\" \
             title=\"Run the selected action\" name=\"index\" value=\"0\">Go</button></div>\n",
        );
    }
    body.push_str("<div class=\"results\"><table id=\"result_list\">\n<thead><tr>");
    if can_delete {
        body.push_str(
            "<th scope=\"col\" class=\"action-checkbox\"><span class=\"visually-hidden\">Select</span></th>",
        );
    }
    column_headers(&mut body, admin, &pairs, params.sort);
    body.push_str("</tr></thead>\n<tbody>\n");
    for row in &rows {
        let key = read_value(row, 0, model.pk_field().scalar)?;
        let key = key_text(&key);
        let mut cells = Vec::with_capacity(statements.cells.len());
        for (cell, found) in statements.cells.iter().zip(&many) {
            cells.push(cell_html(cell, row, found)?);
        }
        body.push_str("<tr>");
        if can_delete {
            body.push_str(
                "<td class=\"action-checkbox\"><input type=\"checkbox\" name=\"_selected_action\" value=\"",
            );
            attr(&mut body, &key);
            body.push_str(
                "\" class=\"action-select\" aria-label=\"Select this object for an action - ",
            );
            attr(
                &mut body,
                &cells
                    .first()
                    .map(|(_, plain)| plain.clone())
                    .unwrap_or_default(),
            );
            body.push_str("\"></td>");
        }
        for (position, (cell, _)) in cells.iter().enumerate() {
            let mut class = admin
                .list_display
                .get(position)
                .map_or("field-__str__".to_owned(), |column| {
                    format!("field-{}", column_class(column.label))
                });
            if let Some(Cell::Value { field, .. }) = statements.cells.get(position)
                && matches!(field.scalar, Scalar::Date | Scalar::DateTime)
            {
                class.push_str(" nowrap");
            }
            if position == 0 {
                body.push_str("<th class=\"");
                attr(&mut body, &class);
                body.push_str("\"><a href=\"");
                attr(&mut body, &urls.change(&key));
                body.push_str("\">");
                body.push_str(cell);
                body.push_str("</a></th>");
            } else {
                body.push_str("<td class=\"");
                attr(&mut body, &class);
                body.push_str("\">");
                body.push_str(cell);
                body.push_str("</td>");
            }
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</tbody>\n</table></div>\n");
    paginator_html(&mut body, model, &pairs, &paginator, page.number);
    body.push_str("</form>\n</div>\n");
    if !admin.list_filter.is_empty() {
        filter_sidebar(cx, &mut body, admin, &pairs).await?;
    }
    body.push_str("</div>");
    let verb = if cx.can(model, "change") {
        "change"
    } else {
        "view"
    };
    let title = format!("Select {} to {verb}", model.verbose_name);
    let mut crumbs = cx.model_crumbs(model);
    if let Some(last) = crumbs.last_mut() {
        last.url = None;
    }
    Ok(cx.page(&title, crumbs, "change-list", body))
}

/// A CSS class name from a label (`Published at` → `published_at`).
fn column_class(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Fetches the many-relation cells of the page: per cell, key → `str`s.
async fn many_cells(
    cx: &Cx<'_>,
    cells: &[Cell],
    rows: &[Row],
) -> Result<Vec<BTreeMap<String, Vec<String>>>, HttpError> {
    let mut out = Vec::with_capacity(cells.len());
    for cell in cells {
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        if let Cell::Many {
            key_at,
            hop,
            source,
        } = cell
        {
            let mut keys = Vec::new();
            for row in rows {
                let key = read_value(row, *key_at, source.pk_field().scalar)?;
                if !key.is_null() && !keys.contains(&key) {
                    keys.push(key);
                }
            }
            if !keys.is_empty() {
                let statement = sql::many_statement(source, hop, &keys, cx.dialect());
                for row in cx.query(&statement).await? {
                    let key = read_value(&row, 0, source.pk_field().scalar)?;
                    let mut at = 1;
                    let label = read_str(hop.target(), &row, &mut at)?;
                    found.entry(key_text(&key)).or_default().push(label);
                }
            }
        }
        out.push(found);
    }
    Ok(out)
}

/// A cell's HTML and its plain text.
fn cell_html(
    cell: &Cell,
    row: &Row,
    many: &BTreeMap<String, Vec<String>>,
) -> Result<(String, String), HttpError> {
    let mut out = String::new();
    let plain = match cell {
        Cell::Value { at, field } => {
            let value = read_value(row, *at, field.scalar)?;
            display_html(&mut out, field, &value);
            values::python_str(&value)
        }
        Cell::Str { at, key_at, model } => {
            let mut at = *at;
            let label = read_str(model, row, &mut at)?;
            if row.is_null(*key_at)? {
                out.push_str(values::EMPTY_VALUE);
                String::new()
            } else {
                text(&mut out, &label);
                label
            }
        }
        Cell::Many { key_at, source, .. } => {
            let key = read_value(row, *key_at, source.pk_field().scalar)?;
            let labels = many.get(&key_text(&key)).cloned().unwrap_or_default();
            let joined = labels.join(", ");
            if joined.is_empty() {
                out.push_str(values::EMPTY_VALUE);
            } else {
                text(&mut out, &joined);
            }
            joined
        }
    };
    if out.is_empty() {
        out.push_str(values::EMPTY_VALUE);
    }
    Ok((out, plain))
}

/// `pairs` without `p` and without the names `drop` says, plus `add`.
fn with_pairs(
    pairs: &[(String, String)],
    drop: &dyn Fn(&str) -> bool,
    add: &[(String, String)],
) -> String {
    let mut kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(name, _)| name != "p" && !drop(name))
        .cloned()
        .collect();
    kept.extend(add.iter().cloned());
    html::query(&kept)
}

/// The search form and the result count.
fn search_bar(
    out: &mut String,
    admin: &ModelAdmin,
    pairs: &[(String, String)],
    params: &ListParams,
    count: u64,
    total: Option<u64>,
) {
    out.push_str(
        "<div id=\"toolbar\"><form id=\"changelist-search\" method=\"get\" role=\"search\">",
    );
    out.push_str(
        "<label for=\"searchbar\"><span class=\"visually-hidden\">Search</span>\
         <svg aria-hidden=\"true\" width=\"16\" height=\"16\" viewBox=\"0 0 16 16\"><circle cx=\"6.5\" cy=\"6.5\" r=\"5\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\"/><path d=\"M10.5 10.5 15 15\" stroke=\"currentColor\" stroke-width=\"2\"/></svg></label>",
    );
    out.push_str("<input type=\"search\" size=\"40\" name=\"q\" value=\"");
    attr(out, &params.query);
    out.push_str("\" id=\"searchbar\" aria-label=\"Search ");
    attr(out, admin.model.verbose_name_plural);
    out.push_str("\"><button type=\"submit\" class=\"button\">Search</button>");
    if let Some(total) = total {
        let noun = if count == 1 { "result" } else { "results" };
        let _ = write!(
            out,
            "<span class=\"small quiet\">{count} {noun} (<a href=\"?\">{total} total</a>)</span>"
        );
    }
    for (name, value) in pairs {
        if name != "q" && name != "p" {
            html::hidden(out, name, value);
        }
    }
    out.push_str("</form></div>\n");
}

/// The header row: sortable columns link to `?o=N` / `?o=-N`.
fn column_headers(
    out: &mut String,
    admin: &ModelAdmin,
    pairs: &[(String, String)],
    sort: Option<(usize, bool)>,
) {
    if admin.list_display.is_empty() {
        out.push_str("<th scope=\"col\" class=\"column-__str__\">");
        text(out, &admin.model.verbose_name.to_uppercase());
        out.push_str("</th>");
        return;
    }
    for (index, column) in admin.list_display.iter().enumerate() {
        let number = index + 1;
        if !sql::sortable(&column.path) {
            out.push_str("<th scope=\"col\">");
            text(out, column.label);
            out.push_str("</th>");
            continue;
        }
        let current = sort.filter(|(sorted, _)| *sorted == index);
        let (class, aria, next) = match current {
            Some((_, false)) => (
                "sortable sorted ascending",
                " aria-sort=\"ascending\"",
                format!("-{number}"),
            ),
            Some((_, true)) => (
                "sortable sorted descending",
                " aria-sort=\"descending\"",
                number.to_string(),
            ),
            None => ("sortable", "", number.to_string()),
        };
        out.push_str("<th scope=\"col\" class=\"");
        out.push_str(class);
        out.push('"');
        out.push_str(aria);
        out.push_str("><a href=\"");
        attr(
            out,
            &with_pairs(pairs, &|name| name == "o", &[("o".to_owned(), next)]),
        );
        out.push_str("\">");
        text(out, column.label);
        out.push_str("</a></th>");
    }
}

/// Page links and the count.
fn paginator_html(
    out: &mut String,
    model: &ModelInfo,
    pairs: &[(String, String)],
    paginator: &Paginator,
    current: u64,
) {
    out.push_str("<nav class=\"paginator\" aria-label=\"Pagination\">");
    if paginator.num_pages > 1 {
        for number in pages_to_show(paginator.num_pages, current) {
            match number {
                None => out.push_str("<span>…</span>"),
                Some(number) if number == current => {
                    let _ = write!(
                        out,
                        "<span class=\"this-page\" aria-current=\"page\">{number}</span>"
                    );
                }
                Some(number) => {
                    let href =
                        with_pairs(pairs, &|_| false, &[("p".to_owned(), number.to_string())]);
                    out.push_str("<a href=\"");
                    attr(out, &href);
                    let _ = write!(out, "\">{number}</a>");
                }
            }
        }
    }
    out.push_str("<span class=\"count\">");
    text(out, &count_of(model, paginator.count));
    out.push_str("</span></nav>\n");
}

/// The page numbers around `current` (first and last two always), `None`
/// for a gap, as Django's `get_elided_page_range`.
fn pages_to_show(pages: u64, current: u64) -> Vec<Option<u64>> {
    if pages <= 10 {
        return (1..=pages).map(Some).collect();
    }
    let mut out = Vec::new();
    let start = current.saturating_sub(3).max(1);
    let end = (current + 3).min(pages);
    if start > 3 {
        out.extend([Some(1), Some(2), None]);
    } else {
        out.extend((1..start).map(Some));
    }
    out.extend((start..=end).map(Some));
    if end + 2 < pages {
        out.extend([None, Some(pages - 1), Some(pages)]);
    } else {
        out.extend((end + 1..=pages).map(Some));
    }
    out
}

/// One option of a filter: its label and the parameters it sets.
struct FilterOption {
    label: String,
    set: Vec<(String, String)>,
}

/// The sidebar of filters.
async fn filter_sidebar(
    cx: &Cx<'_>,
    out: &mut String,
    admin: &'static ModelAdmin,
    pairs: &[(String, String)],
) -> Result<(), HttpError> {
    out.push_str(
        "<nav id=\"changelist-filter\" aria-labelledby=\"changelist-filter-header\">\
         <h2 id=\"changelist-filter-header\">Filter</h2>\n",
    );
    let today = now_utc().date();
    for filter in admin.list_filter {
        let (kind, _, nullable) = filter_kind(admin.model, filter);
        let stem = format!("{}__", filter.param);
        let mine = |name: &str| {
            name.strip_prefix(&stem)
                .is_some_and(|suffix| matches!(suffix, "exact" | "isnull" | "gte" | "lt"))
        };
        let exact = |value: String| vec![(format!("{stem}exact"), value)];
        let empty_label = match kind {
            FilterKind::Bool => "Unknown",
            FilterKind::Date { .. } => "No date",
            _ => values::EMPTY_VALUE,
        };
        let mut options = vec![FilterOption {
            label: match kind {
                FilterKind::Date { .. } => "Any date".to_owned(),
                _ => "All".to_owned(),
            },
            set: Vec::new(),
        }];
        match kind {
            FilterKind::Relation(target) => {
                let statement = sql::choices_statement(target, cx.dialect());
                for row in cx.query(&statement).await? {
                    let key = read_value(&row, 0, target.pk_field().scalar)?;
                    let mut at = 1;
                    let label = read_str(target, &row, &mut at)?;
                    options.push(FilterOption {
                        label,
                        set: exact(key_text(&key)),
                    });
                }
            }
            FilterKind::Choice(choices) => {
                for (key, label) in choices {
                    options.push(FilterOption {
                        label: (*label).to_owned(),
                        set: exact((*key).to_owned()),
                    });
                }
            }
            FilterKind::Bool => {
                options.push(FilterOption {
                    label: "Yes".to_owned(),
                    set: exact("1".to_owned()),
                });
                options.push(FilterOption {
                    label: "No".to_owned(),
                    set: exact("0".to_owned()),
                });
            }
            FilterKind::Date { .. } => {
                let tomorrow = today.tomorrow().unwrap_or(today);
                let week_ago = today.checked_sub(7.days()).unwrap_or(today);
                let month = today.first_of_month();
                let next_month = month.checked_add(1.month()).unwrap_or(month);
                let year = today.first_of_year();
                let next_year = year.checked_add(1.year()).unwrap_or(year);
                for (label, from, until) in [
                    ("Today", today, tomorrow),
                    ("Past 7 days", week_ago, tomorrow),
                    ("This month", month, next_month),
                    ("This year", year, next_year),
                ] {
                    options.push(FilterOption {
                        label: label.to_owned(),
                        set: vec![
                            (format!("{stem}gte"), from.to_string()),
                            (format!("{stem}lt"), until.to_string()),
                        ],
                    });
                }
            }
            FilterKind::Values(scalar) => {
                let statement = sql::distinct_statement(admin.model, &filter.path, cx.dialect());
                for row in cx.query(&statement).await? {
                    let value = read_value(&row, 0, scalar)?;
                    let text = key_text(&value);
                    options.push(FilterOption {
                        label: text.clone(),
                        set: exact(text),
                    });
                }
            }
        }
        if nullable {
            options.push(FilterOption {
                label: empty_label.to_owned(),
                set: vec![(format!("{stem}isnull"), "True".to_owned())],
            });
            if matches!(kind, FilterKind::Date { .. }) {
                options.push(FilterOption {
                    label: "Has date".to_owned(),
                    set: vec![(format!("{stem}isnull"), "False".to_owned())],
                });
            }
        }
        let mut current: Vec<(String, String)> = pairs
            .iter()
            .filter(|(name, _)| mine(name))
            .cloned()
            .collect();
        current.sort();
        out.push_str("<details open><summary>By ");
        text(out, filter.title);
        out.push_str("</summary>\n<ul>\n");
        for option in options {
            let mut set = option.set.clone();
            set.sort();
            let selected = set == current;
            out.push_str(if selected {
                "<li class=\"selected\"><a aria-current=\"true\" href=\""
            } else {
                "<li><a href=\""
            });
            attr(out, &with_pairs(pairs, &mine, &option.set));
            out.push_str("\">");
            text(out, &option.label);
            out.push_str("</a></li>\n");
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str("</nav>\n");
    Ok(())
}

// ── actions and deletes ─────────────────────────────────────────────────────

/// Rows a delete would affect elsewhere: per related model, how many rows,
/// and whether they protect the deleted rows.
struct Affected {
    label: String,
    count: u64,
    protected: bool,
}

async fn affected(
    cx: &Cx<'_>,
    admin: &ModelAdmin,
    keys: &[Value],
) -> Result<Vec<Affected>, HttpError> {
    let mut out = Vec::new();
    for related in admin.related {
        if matches!(
            related.on_delete,
            OnDelete::SetNull | OnDelete::SetDefault | OnDelete::DoNothing
        ) {
            continue;
        }
        let statement = sql::related_count_statement(
            related.model,
            related.column,
            admin.model.pk_field().scalar,
            keys,
            cx.dialect(),
        );
        let count = cx.count(&statement).await?;
        if count > 0 {
            out.push(Affected {
                label: capfirst(related.model.verbose_name_plural),
                count,
                protected: matches!(related.on_delete, OnDelete::Protect | OnDelete::Restrict),
            });
        }
    }
    Ok(out)
}

/// The objects (key, `str`) of `keys` that exist.
async fn objects(
    cx: &Cx<'_>,
    model: &'static ModelInfo,
    keys: &[Value],
) -> Result<Vec<(String, String)>, HttpError> {
    let statement = sql::objects_statement(model, keys, cx.dialect());
    let mut out = Vec::new();
    for row in cx.query(&statement).await? {
        let key = read_value(&row, 0, model.pk_field().scalar)?;
        let mut at = 1;
        out.push((key_text(&key), read_str(model, &row, &mut at)?));
    }
    Ok(out)
}

/// Why a write failed: the database, or a hook.
enum Failure {
    Db(DbError),
    Http(HttpError),
}

impl From<DbError> for Failure {
    fn from(error: DbError) -> Failure {
        Failure::Db(error)
    }
}

impl From<HttpError> for Failure {
    fn from(error: HttpError) -> Failure {
        Failure::Http(error)
    }
}

impl Failure {
    fn is_protected(&self) -> bool {
        matches!(self, Failure::Db(error) if matches!(error.kind(), DbErrorKind::ForeignKeyViolation { .. }))
    }
}

/// Deletes `keys` in one transaction (row by row around the model's
/// delete hooks, if any); the number deleted, or `None` when protected rows
/// refused.
async fn delete_rows(
    cx: &Cx<'_>,
    admin: &ModelAdmin,
    keys: &[Value],
) -> Result<Option<u64>, HttpError> {
    let model = admin.model;
    let dialect = cx.dialect();
    let mut transaction = cx.db.begin().await?;
    let outcome: Result<u64, Failure> = async {
        let Some(hooks) = admin.hooks else {
            let statement = sql::delete_statement(model, keys, dialect);
            return Ok(transaction
                .execute(&statement.sql()?, &statement.params)
                .await?);
        };
        let mut deleted = 0;
        for key in keys {
            let statement = sql::row_statement(model, key.clone(), dialect);
            let Some(row) = transaction
                .query_opt(&statement.sql()?, &statement.params)
                .await?
            else {
                continue;
            };
            hooks(HookPhase::BeforeDelete, &mut transaction, &row).await?;
            let statement = sql::delete_statement(model, std::slice::from_ref(key), dialect);
            deleted += transaction
                .execute(&statement.sql()?, &statement.params)
                .await?;
            hooks(HookPhase::AfterDelete, &mut transaction, &row).await?;
        }
        Ok(deleted)
    }
    .await;
    let outcome = match outcome {
        Ok(deleted) => transaction
            .commit()
            .await
            .map(|()| deleted)
            .map_err(Failure::Db),
        Err(failure) => {
            if let Err(rollback) = transaction.rollback().await {
                tracing::error!(%rollback, "rolling back a failed admin delete failed");
            }
            Err(failure)
        }
    };
    match outcome {
        Ok(deleted) => Ok(Some(deleted)),
        Err(failure) if failure.is_protected() => Ok(None),
        Err(Failure::Db(error)) => Err(error.into()),
        Err(Failure::Http(error)) => Err(error),
    }
}

/// The list of what a delete takes along.
fn summary(
    out: &mut String,
    model: &ModelInfo,
    objects: &[(String, String)],
    affected: &[Affected],
    urls: &Urls<'_>,
) {
    out.push_str("<h2>Summary</h2>\n<ul>\n<li>");
    text(out, &capfirst(model.verbose_name_plural));
    let _ = writeln!(out, ": {}</li>", objects.len());
    for item in affected.iter().filter(|item| !item.protected) {
        out.push_str("<li>");
        text(out, &item.label);
        let _ = writeln!(out, ": {}</li>", item.count);
    }
    out.push_str("</ul>\n<h2>Objects</h2>\n<ul>\n");
    for (key, label) in objects {
        out.push_str("<li>");
        text(out, &capfirst(model.verbose_name));
        out.push_str(": ");
        link(out, &urls.change(key), label);
        out.push_str("</li>\n");
    }
    out.push_str("</ul>\n");
}

fn protected_list(out: &mut String, affected: &[Affected]) {
    out.push_str("<ul>\n");
    for item in affected.iter().filter(|item| item.protected) {
        out.push_str("<li>");
        text(out, &item.label);
        let _ = writeln!(out, ": {}</li>", item.count);
    }
    out.push_str("</ul>\n");
}

/// POST on the change list: the "delete selected" action, its
/// confirmation page, then the delete.
async fn action(cx: &Cx<'_>, admin: &'static ModelAdmin) -> Result<Response, HttpError> {
    let model = admin.model;
    let data = FormData::from_request(cx.request)?;
    let back = cx.here();
    if data.get("action") != Some("delete_selected") {
        messages::warning(cx.request, "No action selected.");
        return Ok(Response::redirect(&back));
    }
    if !cx.can(model, "delete") {
        return Err(forbidden(&format!("delete {}", model.verbose_name_plural)));
    }
    let mut keys: Vec<Value> = Vec::new();
    for text in data.get_all("_selected_action") {
        if let Some(key) = parse_value(text, model.pk_field().scalar)
            && !keys.contains(&key)
        {
            keys.push(key);
        }
    }
    if keys.is_empty() {
        messages::warning(
            cx.request,
            "Items must be selected in order to perform actions on them. No items have been changed.",
        );
        return Ok(Response::redirect(&back));
    }
    let objects = objects(cx, model, &keys).await?;
    let affected = affected(cx, admin, &keys).await?;
    let urls = Urls::new(cx.site, model);
    let plural = model.verbose_name_plural;
    let mut crumbs = cx.model_crumbs(model);
    crumbs.push(Crumb::here("Delete multiple objects"));
    let cannot = |cx: &Cx<'_>, affected: &[Affected], crumbs: Vec<Crumb>, status| {
        let mut body = String::from("<p>Deleting the selected ");
        text(&mut body, plural);
        body.push_str(" would require deleting the following protected related objects:</p>\n");
        protected_list(&mut body, affected);
        body.push_str("<p><a href=\"");
        attr(&mut body, &back);
        body.push_str("\" class=\"button cancel-link\">No, take me back</a></p>");
        let title = format!("Cannot delete {plural}");
        cx.page_with_status(&title, None, crumbs, "delete-confirmation", body, status)
    };
    if affected.iter().any(|item| item.protected) {
        return Ok(cannot(cx, &affected, crumbs, StatusCode::CONFLICT));
    }
    if data.get("post") == Some("yes") {
        let Some(deleted) = delete_rows(cx, admin, &keys).await? else {
            return Ok(cannot(cx, &affected, crumbs, StatusCode::CONFLICT));
        };
        let noun = if deleted == 1 {
            model.verbose_name
        } else {
            plural
        };
        messages::success(
            cx.request,
            format!("Successfully deleted {deleted} {noun}."),
        );
        return Ok(Response::redirect(&back));
    }
    let mut body = String::from(
        "<div class=\"delete-confirmation\"><p>Are you sure you want to delete the selected ",
    );
    text(&mut body, plural);
    body.push_str("? All of the following objects and their related items will be deleted:</p>\n");
    summary(&mut body, model, &objects, &affected, &urls);
    body.push_str("<form method=\"post\">");
    html::csrf_input(&mut body, cx.request);
    for (key, _) in &objects {
        html::hidden(&mut body, "_selected_action", key);
    }
    html::hidden(&mut body, "action", "delete_selected");
    html::hidden(&mut body, "post", "yes");
    body.push_str("<div class=\"submit-row\"><button type=\"submit\" class=\"deletelink\">Yes, I’m sure</button><a href=\"");
    attr(&mut body, &back);
    body.push_str("\" class=\"button cancel-link\">No, take me back</a></div></form></div>");
    Ok(cx.page("Are you sure?", crumbs, "delete-confirmation", body))
}

/// `<pk>/delete/`: the confirmation, then the delete.
async fn delete_view(
    cx: &Cx<'_>,
    admin: &'static ModelAdmin,
    key: &str,
) -> Result<Response, HttpError> {
    let model = admin.model;
    if !cx.can(model, "delete") {
        return Err(forbidden(&format!("delete {}", model.verbose_name_plural)));
    }
    let key = parse_value(key, model.pk_field().scalar).ok_or_else(HttpError::not_found)?;
    let keys = [key];
    let found = objects(cx, model, &keys).await?;
    let Some((key_text, label)) = found.first().cloned() else {
        return Err(missing(model, &keys[0]));
    };
    let affected = affected(cx, admin, &keys).await?;
    let urls = Urls::new(cx.site, model);
    let verbose = model.verbose_name;
    let mut crumbs = cx.model_crumbs(model);
    crumbs.push(Crumb::link(label.clone(), urls.change(&key_text)));
    crumbs.push(Crumb::here("Delete"));
    let cannot = |cx: &Cx<'_>, crumbs: Vec<Crumb>, status| {
        let mut body = format!("<p>Deleting the {} “", verbose);
        text(&mut body, &label);
        body.push_str("” would require deleting the following protected related objects:</p>\n");
        protected_list(&mut body, &affected);
        let title = format!("Cannot delete {verbose}");
        cx.page_with_status(&title, None, crumbs, "delete-confirmation", body, status)
    };
    if cx.request.method() == Method::POST {
        if affected.iter().any(|item| item.protected) {
            return Ok(cannot(cx, crumbs, StatusCode::CONFLICT));
        }
        if delete_rows(cx, admin, &keys).await?.is_none() {
            return Ok(cannot(cx, crumbs, StatusCode::CONFLICT));
        }
        messages::success(
            cx.request,
            format!("The {verbose} “{label}” was deleted successfully."),
        );
        let next = if cx.can_view(model) {
            urls.changelist()
        } else {
            cx.site.prefix.to_owned()
        };
        return Ok(Response::redirect(&next));
    }
    if affected.iter().any(|item| item.protected) {
        return Ok(cannot(cx, crumbs, StatusCode::OK));
    }
    let mut body = format!(
        "<div class=\"delete-confirmation\"><p>Are you sure you want to delete the {} “",
        verbose
    );
    text(&mut body, &label);
    body.push_str("”? All of the following related items will be deleted:</p>\n");
    let objects = [(key_text.clone(), label.clone())];
    summary(&mut body, model, &objects, &affected, &urls);
    body.push_str("<form method=\"post\">");
    html::csrf_input(&mut body, cx.request);
    html::hidden(&mut body, "post", "yes");
    body.push_str("<div class=\"submit-row\"><button type=\"submit\" class=\"deletelink\">Yes, I’m sure</button><a href=\"");
    attr(&mut body, &urls.change(&key_text));
    body.push_str("\" class=\"button cancel-link\">No, take me back</a></div></form></div>");
    Ok(cx.page("Are you sure?", crumbs, "delete-confirmation", body))
}

/// Django's 404 for a key with no row.
fn missing(model: &ModelInfo, key: &Value) -> HttpError {
    HttpError::NotFound(format!(
        "{} with ID “{}” doesn’t exist. Perhaps it was deleted?",
        capfirst(model.verbose_name),
        key_text(key)
    ))
}

// ── add and change ──────────────────────────────────────────────────────────

/// The current UTC wall clock.
fn now_utc() -> DateTime {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .datetime()
}

fn now_value(scalar: Scalar, now: DateTime) -> Value {
    match scalar {
        Scalar::Date => Value::Date(now.date()),
        _ => Value::DateTime(now),
    }
}

/// A row being changed.
struct Loaded {
    key: Value,
    key_text: String,
    label: String,
    /// Per field index: its value (NULL for many-to-many fields).
    values: Vec<Value>,
    /// Per foreign key field shown read-only: the related row's `str`.
    related: BTreeMap<usize, Option<String>>,
}

async fn load(
    cx: &Cx<'_>,
    model: &'static ModelInfo,
    key: Value,
    related_strs: &[usize],
) -> Result<Loaded, HttpError> {
    let statement = sql::object_statement(model, key.clone(), related_strs, cx.dialect());
    let row = cx
        .db
        .query_opt(&statement.sql()?, &statement.params)
        .await?
        .ok_or_else(|| missing(model, &key))?;
    let mut at = 0;
    let label = read_str(model, &row, &mut at)?;
    let mut values = Vec::with_capacity(model.fields.len());
    for field in model.fields {
        if field.column.is_some() {
            values.push(read_value(&row, at, field.scalar)?);
            at += 1;
        } else {
            values.push(Value::Null);
        }
    }
    let mut related = BTreeMap::new();
    for &index in related_strs {
        if let Some(field) = model.fields.get(index)
            && let (Some(_), FieldKind::ForeignKey(target)) = (field.column, &field.kind)
        {
            let label = read_str(target, &row, &mut at)?;
            let present = !values[index].is_null();
            related.insert(index, present.then_some(label));
        }
    }
    Ok(Loaded {
        key_text: key_text(&key),
        key,
        label,
        values,
        related,
    })
}

/// Which button saved the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Then {
    Done,
    AddAnother,
    Continue,
}

/// `add/` and `<pk>/change/`: the model's form; on a valid POST, the save
/// and a redirect.
async fn change_form(
    cx: &Cx<'_>,
    admin: &'static ModelAdmin,
    key: Option<&str>,
) -> Result<Response, HttpError> {
    let model = admin.model;
    let adding = key.is_none();
    let editable = if adding {
        cx.can(model, "add")
    } else {
        cx.can(model, "change")
    };
    if adding && !editable {
        return Err(forbidden(&format!("add {}", model.verbose_name_plural)));
    }
    if !adding && !editable && !cx.can(model, "view") {
        return Err(forbidden(&format!("view {}", model.verbose_name_plural)));
    }
    // Read-only rows: the spec's, or every row without the change permission.
    let readonly = |row: &super::spec::FormRow| row.readonly || !editable;
    let related_strs: Vec<usize> = admin
        .fields
        .iter()
        .filter(|row| readonly(row))
        .map(|row| row.field)
        .collect();
    let object = match key {
        Some(text) => {
            let key = parse_value(text, model.pk_field().scalar).ok_or_else(|| {
                HttpError::NotFound(format!("no {} “{text}”", model.verbose_name))
            })?;
            Some(load(cx, model, key, &related_strs).await?)
        }
        None => None,
    };
    let mut form = setup_form(cx, admin, object.as_ref(), editable).await?;
    let mut saved_with_errors = false;
    if cx.request.method() == Method::POST {
        if !editable {
            return Err(forbidden(&format!("change {}", model.verbose_name_plural)));
        }
        let data = FormData::from_request(cx.request)?;
        let then = if data.contains("_addanother") {
            Then::AddAnother
        } else if data.contains("_continue") {
            Then::Continue
        } else {
            Then::Done
        };
        form.bind(data);
        if form.validate() {
            unique_checks(cx, admin, &mut form, object.as_ref()).await?;
        }
        if form.is_valid() {
            match save(cx, admin, &form, object.as_ref()).await? {
                Ok(key) => return saved(cx, admin, &key, adding, then).await,
                Err(constraint) => form.add_constraint_error(&constraint),
            }
        }
        saved_with_errors = true;
    }
    let urls = Urls::new(cx.site, model);
    let mut body = String::new();
    body.push_str("<form method=\"post\" id=\"");
    attr(&mut body, model.model_name);
    body.push_str("_form\" novalidate>");
    html::csrf_input(&mut body, cx.request);
    if saved_with_errors {
        let errors: usize = form
            .errors()
            .items()
            .iter()
            .map(|(_, list)| list.len())
            .sum();
        body.push_str("<p class=\"errornote\">");
        body.push_str(if errors == 1 {
            "Please correct the error below."
        } else {
            "Please correct the errors below."
        });
        body.push_str("</p>\n");
        form.non_field_errors().as_ul(&mut body);
    }
    body.push_str("<fieldset class=\"module aligned\">\n");
    for row in admin.fields {
        let Some(field) = model.fields.get(row.field) else {
            continue;
        };
        if readonly(row) {
            readonly_row(cx, &mut body, model, row.field, field, object.as_ref()).await?;
        } else if let Some(bound) = form.field(field.name) {
            let has_errors = !bound.errors().is_empty();
            body.push_str("<div class=\"form-row field-");
            attr(&mut body, field.name);
            body.push_str(if has_errors { " errors\">" } else { "\">" });
            bound.errors().as_ul(&mut body);
            body.push_str("<label for=\"");
            attr(&mut body, &bound.id_for_label());
            body.push('"');
            if bound.field().required {
                body.push_str(" class=\"required\"");
            }
            body.push('>');
            text(&mut body, bound.label());
            body.push_str(":</label><div class=\"field\">");
            bound.as_widget(&mut body);
            if !bound.help_text().is_empty() {
                body.push_str("<div class=\"help\" id=\"");
                attr(&mut body, &bound.auto_id());
                body.push_str("_helptext\">");
                // Help text is HTML, as in Django's admin.
                body.push_str(bound.help_text());
                body.push_str("</div>");
            }
            body.push_str("</div></div>\n");
        }
    }
    body.push_str("</fieldset>\n");
    if editable {
        body.push_str("<div class=\"submit-row\">");
        if let Some(object) = &object
            && cx.can(model, "delete")
        {
            body.push_str("<a href=\"");
            attr(&mut body, &urls.delete(&object.key_text));
            body.push_str("\" class=\"deletelink\">Delete</a>");
        }
        body.push_str(
            "<button type=\"submit\" name=\"_addanother\" value=\"1\">Save and add another</button>\
             <button type=\"submit\" name=\"_continue\" value=\"1\">Save and continue editing</button>\
             <button type=\"submit\" name=\"_save\" value=\"1\" class=\"default\">Save</button></div>\n",
        );
    } else {
        body.push_str("<div class=\"submit-row\"><a href=\"");
        attr(&mut body, &urls.changelist());
        body.push_str("\" class=\"button\">Close</a></div>\n");
    }
    body.push_str("</form>");
    let verb = match (adding, editable) {
        (true, _) => "Add",
        (false, true) => "Change",
        (false, false) => "View",
    };
    let title = format!("{verb} {}", model.verbose_name);
    let mut crumbs = cx.model_crumbs(model);
    crumbs.push(Crumb::here(match &object {
        Some(object) => object.label.clone(),
        None => title.clone(),
    }));
    Ok(cx.page_with_status(
        &title,
        object.as_ref().map(|object| object.label.as_str()),
        crumbs,
        "change-form",
        body,
        StatusCode::OK,
    ))
}

/// The form with its defaults, the row's values and the relations' choices.
async fn setup_form(
    cx: &Cx<'_>,
    admin: &'static ModelAdmin,
    object: Option<&Loaded>,
    editable: bool,
) -> Result<Form, HttpError> {
    let model = admin.model;
    let now = now_utc();
    let mut form = Form::new(admin.form);
    if !editable {
        return Ok(form);
    }
    for row in admin.fields.iter().filter(|row| !row.readonly) {
        let Some(field) = model.fields.get(row.field) else {
            continue;
        };
        if let Some(default) = field.default {
            form = form.with_default(field.name, default(now));
        }
        match (&field.kind, object) {
            (FieldKind::ManyToMany(relation), Some(object)) => {
                let statement = sql::linked_keys_statement(
                    relation.table,
                    relation.near,
                    relation.far,
                    object.key.clone(),
                    cx.dialect(),
                );
                let scalar = relation.target.pk_field().scalar;
                let mut keys = Vec::new();
                for linked in cx.query(&statement).await? {
                    keys.push(read_value(&linked, 0, scalar)?);
                }
                form = form.with_initial_many(field.name, keys);
            }
            (_, Some(object)) => {
                form = form.with_initial(field.name, object.values[row.field].clone());
            }
            (_, None) => {}
        }
        let target = match &field.kind {
            FieldKind::ForeignKey(target) => Some(*target),
            FieldKind::ManyToMany(relation) => Some(relation.target),
            _ => None,
        };
        if let Some(target) = target {
            let statement = sql::choices_statement(target, cx.dialect());
            let mut choices = Vec::new();
            for choice in cx.query(&statement).await? {
                let key = read_value(&choice, 0, target.pk_field().scalar)?;
                let mut at = 1;
                choices.push((key_text(&key), read_str(target, &choice, &mut at)?));
            }
            form.set_choices(field.name, choices);
        }
    }
    Ok(form)
}

/// A read-only row: the value as text.
async fn readonly_row(
    cx: &Cx<'_>,
    out: &mut String,
    model: &'static ModelInfo,
    index: usize,
    field: &'static Field,
    object: Option<&Loaded>,
) -> Result<(), HttpError> {
    out.push_str("<div class=\"form-row field-");
    attr(out, field.name);
    out.push_str("\"><div class=\"label\">");
    text(out, field.label);
    out.push_str(":</div><div class=\"readonly\">");
    match (object, &field.kind) {
        (None, _) => out.push_str(values::EMPTY_VALUE),
        (Some(object), FieldKind::ForeignKey(_)) => match object.related.get(&index) {
            Some(Some(label)) => text(out, label),
            _ => out.push_str(values::EMPTY_VALUE),
        },
        (Some(object), FieldKind::ManyToMany(relation)) => {
            let hop = Hop::ManyToMany {
                table: relation.table,
                near: relation.near,
                far: relation.far,
                target: relation.target,
            };
            let statement =
                sql::many_statement(model, &hop, std::slice::from_ref(&object.key), cx.dialect());
            let mut labels = Vec::new();
            for row in cx.query(&statement).await? {
                let mut at = 1;
                labels.push(read_str(relation.target, &row, &mut at)?);
            }
            if labels.is_empty() {
                out.push_str(values::EMPTY_VALUE);
            } else {
                text(out, &labels.join(", "));
            }
        }
        (Some(object), _) => display_html(out, field, &object.values[index]),
    }
    out.push_str("</div></div>\n");
    Ok(())
}

/// Django's unique checks: a field (or fields together) whose value another
/// row already has is a form error.
async fn unique_checks(
    cx: &Cx<'_>,
    admin: &ModelAdmin,
    form: &mut Form,
    object: Option<&Loaded>,
) -> Result<(), HttpError> {
    let model = admin.model;
    for group in admin.unique {
        let fields: Vec<&'static Field> = group
            .iter()
            .filter_map(|&index| model.fields.get(index))
            .collect();
        let names: Vec<&str> = fields.iter().map(|field| field.name).collect();
        let columns: Vec<&str> = fields.iter().filter_map(|field| field.column).collect();
        if columns.len() != fields.len() {
            continue;
        }
        let Some(values) = crate::views::unique_values(form, &names) else {
            continue;
        };
        // Empty text stored as NULL never collides.
        if fields.iter().zip(&values).any(|(field, value)| {
            field.null && matches!(value, Value::Text(text) if text.is_empty())
        }) {
            continue;
        }
        let statement = sql::unique_statement(
            model,
            &columns,
            values,
            object.map(|object| object.key.clone()),
            cx.dialect(),
        );
        if !cx.query(&statement).await?.is_empty() {
            match names.as_slice() {
                [name] => form.add_unique_error(name),
                _ => form.add_unique_together_error(&names),
            }
        }
    }
    Ok(())
}

/// Writes the row and its links in one transaction: the saved row's key,
/// or the name of a `check` constraint the row violates.
async fn save(
    cx: &Cx<'_>,
    admin: &ModelAdmin,
    form: &Form,
    object: Option<&Loaded>,
) -> Result<Result<Value, String>, HttpError> {
    let model = admin.model;
    let now = now_utc();
    let create = object.is_none();
    let in_form = |index: usize| {
        admin
            .fields
            .iter()
            .any(|row| row.field == index && !row.readonly)
    };
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for (index, field) in model.fields.iter().enumerate() {
        let Some(column) = field.column else {
            continue;
        };
        if field.auto_increment {
            continue;
        }
        let value = if in_form(index) {
            match crate::views::cleaned(form, field.name) {
                Value::Text(text) if text.is_empty() && field.null => Value::Null,
                value => value,
            }
        } else if field.auto_now || (field.auto_now_add && create) {
            now_value(field.scalar, now)
        } else if !create {
            continue;
        } else if let Some(default) = field.default {
            default(now)
        } else if field.null {
            Value::Null
        } else {
            continue;
        };
        columns.push(column);
        values.push(value);
    }
    let dialect = cx.dialect();
    let mut transaction = cx.db.begin().await?;
    let written: Result<Value, Failure> = async {
        let key = match object {
            None => {
                let statement = sql::insert_statement(model, &columns, values, dialect);
                let row = transaction
                    .query_one(&statement.sql()?, &statement.params)
                    .await?;
                read_value(&row, 0, model.pk_field().scalar)?
            }
            Some(object) => {
                if !columns.is_empty() {
                    let statement =
                        sql::update_statement(model, &columns, values, object.key.clone(), dialect);
                    transaction
                        .execute(&statement.sql()?, &statement.params)
                        .await?;
                }
                if in_form(model.pk) {
                    crate::views::cleaned(form, model.pk_field().name)
                } else {
                    object.key.clone()
                }
            }
        };
        for row in admin.fields.iter().filter(|row| !row.readonly) {
            let Some(field) = model.fields.get(row.field) else {
                continue;
            };
            let FieldKind::ManyToMany(relation) = &field.kind else {
                continue;
            };
            if !create {
                let statement =
                    sql::unlink_statement(relation.table, relation.near, key.clone(), dialect);
                transaction
                    .execute(&statement.sql()?, &statement.params)
                    .await?;
            }
            for linked in crate::views::cleaned_many(form, field.name) {
                let statement = sql::link_statement(
                    relation.table,
                    relation.near,
                    relation.far,
                    key.clone(),
                    linked,
                    dialect,
                );
                transaction
                    .execute(&statement.sql()?, &statement.params)
                    .await?;
            }
        }
        if let Some(hooks) = admin.hooks {
            let statement = sql::row_statement(model, key.clone(), dialect);
            let row = transaction
                .query_one(&statement.sql()?, &statement.params)
                .await?;
            hooks(HookPhase::Saved, &mut transaction, &row).await?;
        }
        Ok(key)
    }
    .await;
    let written = match written {
        Ok(key) => transaction
            .commit()
            .await
            .map(|()| key)
            .map_err(Failure::Db),
        Err(failure) => {
            if let Err(rollback) = transaction.rollback().await {
                tracing::error!(%rollback, "rolling back a failed admin save failed");
            }
            Err(failure)
        }
    };
    match written {
        Ok(key) => Ok(Ok(key)),
        Err(Failure::Db(error)) => match error.kind() {
            DbErrorKind::CheckViolation { constraint } => Ok(Err(constraint
                .clone()
                .unwrap_or_else(|| "check".to_owned()))),
            _ => Err(crate::views::write_error(error)),
        },
        Err(Failure::Http(error)) => Err(error),
    }
}

/// After a save: the message and where the button said to go.
async fn saved(
    cx: &Cx<'_>,
    admin: &'static ModelAdmin,
    key: &Value,
    added: bool,
    then: Then,
) -> Result<Response, HttpError> {
    let model = admin.model;
    let found = objects(cx, model, std::slice::from_ref(key)).await?;
    let (key_text, label) = found
        .into_iter()
        .next()
        .unwrap_or_else(|| (values::key_text(key), values::key_text(key)));
    let verbose = model.verbose_name;
    let done = if added { "added" } else { "changed" };
    let urls = Urls::new(cx.site, model);
    let (message, next) = match then {
        Then::Continue => (
            format!(
                "The {verbose} “{label}” was {done} successfully. You may edit it again below."
            ),
            urls.change(&key_text),
        ),
        Then::AddAnother => (
            format!(
                "The {verbose} “{label}” was {done} successfully. You may add another {verbose} below."
            ),
            urls.add(),
        ),
        Then::Done => (
            format!("The {verbose} “{label}” was {done} successfully."),
            if cx.can_view(model) {
                urls.changelist()
            } else {
                cx.site.prefix.to_owned()
            },
        ),
    };
    messages::success(cx.request, message);
    Ok(Response::redirect(&next))
}
