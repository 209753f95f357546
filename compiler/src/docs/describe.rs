//! Docs: checked IR values → djinn's own syntax, for display.
//!
//! Input: nodes of [`ir::Project`] (queries, conditions, values, URL
//! targets). Output: the text a user would write in a `.djinn` file
//! (`Post.filter(status == published).order_by(-published_at)[:3]`),
//! normalised: defaults are spelled out (`Tag.filter(slug == slug)` for a
//! detail view without `get`) and spacing is canonical.

use crate::check::ir::{
    self, Condition, Function, LiteralKind, LookupOp, Project, Query, Shape, TerminalKind,
    UrlTarget, Value, ValueKind,
};

/// A query as djinn writes it.
pub(crate) fn query(project: &Project, query: &Query) -> String {
    let mut text = project.model(query.model).name.clone();
    let plain = query.filters.is_empty()
        && query.order_by.is_none()
        && query.slice.is_none()
        && query.terminal.is_none();
    if plain {
        text.push_str(".all()");
        return text;
    }
    for filter in &query.filters {
        let call = if filter.exclude { "exclude" } else { "filter" };
        let arguments = match &filter.condition {
            // Commas between arguments mean `and`: show the call as written.
            Condition::And(parts, _) => parts
                .iter()
                .map(|part| condition_in(project, part, Precedence::And))
                .collect::<Vec<_>>()
                .join(", "),
            other => condition(project, other),
        };
        text.push_str(&format!(".{call}({arguments})"));
    }
    if let Some(order) = &query.order_by {
        text.push_str(&format!(".order_by({})", ordering(project, order)));
    }
    if let Some(slice) = &query.slice {
        let index = query.shape == Shape::One && slice.end == Some(slice.start + 1);
        match (index, slice.start, slice.end) {
            (true, start, _) => text.push_str(&format!("[{start}]")),
            (false, 0, Some(end)) => text.push_str(&format!("[:{end}]")),
            (false, start, Some(end)) => text.push_str(&format!("[{start}:{end}]")),
            (false, start, None) => text.push_str(&format!("[{start}:]")),
        }
    }
    if let Some(terminal) = &query.terminal {
        text.push_str(match terminal.kind {
            TerminalKind::Count => ".count()",
            TerminalKind::First => ".first()",
            TerminalKind::Exists => ".exists()",
        });
    }
    text
}

/// `-created_at, title`
pub(crate) fn ordering(project: &Project, order: &[ir::Order]) -> String {
    order
        .iter()
        .map(|term| {
            let sign = if term.descending { "-" } else { "" };
            format!("{sign}{}", project.path_text(&term.path))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// How tightly an operator binds: `or` < `and` < `not` < a lookup.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    Not,
}

/// A condition as djinn writes it (`length(title) > 0`, `a or not b`).
pub(crate) fn condition(project: &Project, condition: &Condition) -> String {
    condition_in(project, condition, Precedence::Or)
}

/// A condition inside an operator of precedence `outer`, parenthesised
/// when it binds more loosely.
fn condition_in(project: &Project, condition: &Condition, outer: Precedence) -> String {
    let (text, own) = match condition {
        Condition::Lookup(lookup) => return lookup_text(project, lookup),
        Condition::And(parts, _) => (
            join(project, parts, " and ", Precedence::And),
            Precedence::And,
        ),
        Condition::Or(parts, _) => (join(project, parts, " or ", Precedence::Or), Precedence::Or),
        Condition::Not(inner, _) => (
            format!("not {}", condition_in(project, inner, Precedence::Not)),
            Precedence::Not,
        ),
    };
    if own < outer {
        format!("({text})")
    } else {
        text
    }
}

fn join(project: &Project, parts: &[Condition], separator: &str, own: Precedence) -> String {
    parts
        .iter()
        .map(|part| condition_in(project, part, own))
        .collect::<Vec<_>>()
        .join(separator)
}

fn lookup_text(project: &Project, lookup: &ir::Lookup) -> String {
    let path = project.path_text(&lookup.operand.path);
    let operand = match lookup.operand.function {
        None => path,
        Some(Function::Length) => format!("length({path})"),
        Some(Function::Lower) => format!("lower({path})"),
        Some(Function::Upper) => format!("upper({path})"),
    };
    let op = operator(lookup.op);
    match &lookup.value {
        Some(value) => format!("{operand} {op} {}", self::value(project, value)),
        None => format!("{operand} {op}"),
    }
}

/// The operator as written between a field and a value.
pub(crate) fn operator(op: LookupOp) -> &'static str {
    match op {
        LookupOp::Eq => "==",
        LookupOp::Ne => "!=",
        LookupOp::Lt => "<",
        LookupOp::Le => "<=",
        LookupOp::Gt => ">",
        LookupOp::Ge => ">=",
        LookupOp::In => "in",
        LookupOp::NotIn => "not in",
        LookupOp::IsNull => "is null",
        LookupOp::IsNotNull => "is not null",
        other => other.django_name(),
    }
}

/// A value as written: a literal, a parameter, `object.path`, `now`…
pub(crate) fn value(project: &Project, value: &Value) -> String {
    match &value.kind {
        ValueKind::Literal(literal) => literal_text(literal),
        ValueKind::Choice { key, .. } => key.clone(),
        ValueKind::Param { name, .. } => name.clone(),
        ValueKind::Object(path) if path.steps.is_empty() => "object".to_string(),
        ValueKind::Object(path) => format!("object.{}", project.path_text(path)),
        ValueKind::Context { name, path: None } => name.clone(),
        ValueKind::Context {
            name,
            path: Some(path),
        } => format!("{name}.{}", project.path_text(path)),
        ValueKind::Column(path) => project.path_text(path),
        ValueKind::Now => "now".to_string(),
        ValueKind::Today => "today".to_string(),
        ValueKind::List(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|item| self::value(project, item))
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn literal_text(literal: &LiteralKind) -> String {
    match literal {
        // A JSON string literal escapes exactly what a djinn string needs.
        LiteralKind::Str(text) => serde_json::Value::from(text.as_str()).to_string(),
        LiteralKind::Int(number) => number.to_string(),
        LiteralKind::Float(text) => text.clone(),
        LiteralKind::Bool(flag) => flag.to_string(),
        LiteralKind::None => "none".to_string(),
    }
}

/// A `success` or `redirect` target: `"post-detail"(slug = object.slug)`.
pub(crate) fn url_target(project: &Project, target: &UrlTarget) -> String {
    match target {
        UrlTarget::Route { name, args, .. } if args.is_empty() => format!("\"{name}\""),
        UrlTarget::Route { name, args, .. } => {
            let args: Vec<String> = args
                .iter()
                .map(|arg| format!("{} = {}", arg.param, value(project, &arg.value)))
                .collect();
            format!("\"{name}\"({})", args.join(", "))
        }
        UrlTarget::Literal { url, .. } => format!("\"{url}\""),
    }
}

#[cfg(test)]
mod tests {
    use crate::ProjectInput;

    /// The queries of the blog's `post_detail` and `tag_detail` views, as the docs show them.
    #[test]
    fn queries_read_as_written_with_defaults_spelled_out() {
        let input = ProjectInput::builder()
            .settings("[project]\nname = \"blog\"\n")
            .spec(
                "app.djinn",
                r#"
model Tag { slug slug unique }
model Post {
    title string(max = 200)
    tags many Tag
    published_at datetime null
    meta { check (length(title) > 0 or not published_at is null) }
}
view tag_detail(slug: slug): detail Tag { template "t.html" }
view post_list: list Post {
    query Post.filter(tags.slug == "a\"b", published_at <= now).exclude(title in ["x", "y"]).order_by(-published_at, title)[2:5]
    context first = Post.order_by(title)[0]
    template "t.html"
}
urls { path "<slug:slug>/" tag_detail path "" post_list }
"#,
            )
            .template("t.html", "")
            .build();
        let output = crate::check_project(&input);
        let project = &output.project;
        let tag_detail = project.view(project.view_names["tag_detail"]);
        let crate::check::ir::ViewKind::Generic(generic) = &tag_detail.kind else {
            panic!("generic view")
        };
        assert_eq!(
            super::query(project, generic.query.as_ref().unwrap()),
            "Tag.filter(slug == slug)"
        );
        let post_list = project.view(project.view_names["post_list"]);
        let crate::check::ir::ViewKind::Generic(generic) = &post_list.kind else {
            panic!("generic view")
        };
        assert_eq!(
            super::query(project, generic.query.as_ref().unwrap()),
            r#"Post.filter(tags.slug == "a\"b", published_at <= now).exclude(title in ["x", "y"]).order_by(-published_at, title)[2:5]"#
        );
        let crate::check::ir::ContextValue::Query(first) = &post_list.context[0].value else {
            panic!("a query")
        };
        assert_eq!(super::query(project, first), "Post.order_by(title)[0]");
        let post = project.model(project.model_names["Post"]);
        assert_eq!(
            super::condition(project, &post.checks[0].condition),
            "length(title) > 0 or not published_at is null"
        );
    }
}
