//! Parsing: `.djinn` text → [`ast::SpecFile`].
//!
//! One `parse_<rule>` function per grammar rule, each taking the rule's
//! `Pair`; shapes the grammar rules out are `unreachable!("… (rule)")`.
//! Keyword pairs (`kw_*`) and named punctuation are skipped by
//! [`children`]. pest stops at the first syntax error, so the parser
//! recovers by splitting the file at top-level declarations (a line that
//! starts with `model`, `urls`, `view`, `admin`, `on` or `///`) and parsing
//! each piece alone: one error per broken declaration, the rest still parsed.

use super::ast::*;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::Parser;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/project.pest"]
struct ProjectParser;

/// Parses one `.djinn` file. Syntax errors become diagnostics; the items
/// that parse are returned.
pub fn parse_file(file: FileId, text: &str, diagnostics: &mut Vec<Diagnostic>) -> SpecFile {
    let mut spec = SpecFile::default();
    match parse_chunk(file, text, 0, &mut spec, diagnostics) {
        Ok(()) => spec,
        Err(_) => {
            // Recovery: parse each top-level declaration on its own.
            let mut spec = SpecFile::default();
            let starts = declaration_starts(text);
            for (i, &start) in starts.iter().enumerate() {
                let end = starts.get(i + 1).copied().unwrap_or(text.len());
                if let Err(mut error) =
                    parse_chunk(file, &text[start..end], start, &mut spec, diagnostics)
                {
                    mention_next_declaration(&mut error, text, end);
                    diagnostics.push(*error);
                }
            }
            spec
        }
    }
}

/// A chunk's parse ends where the next declaration starts, which pest calls
/// "end of file"; say what really follows instead.
fn mention_next_declaration(error: &mut Diagnostic, text: &str, chunk_end: usize) {
    if error.primary.span.start as usize == chunk_end && chunk_end < text.len() {
        let next: String = text[chunk_end..]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .chars()
            .take(30)
            .collect();
        error.message = error
            .message
            .replace("found end of file", &format!("found `{next}`"));
        error.primary.span.end = (chunk_end + next.len()) as u32;
        error.primary.message = "the declaration before this one is not finished".to_string();
    }
}

/// Byte offsets where top-level declarations start: offset 0 and every line
/// that begins (in column 1) with a declaration keyword or a doc comment that
/// is not itself preceded by a doc comment.
fn declaration_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    let mut previous_was_doc = false;
    for line in text.split_inclusive('\n') {
        let is_doc = line.starts_with("///");
        let starts_declaration = ["model", "urls", "view", "admin", "on"].iter().any(|kw| {
            line.strip_prefix(kw)
                .is_some_and(|rest| rest.starts_with([' ', '\t', '{']))
        });
        if offset > 0 && (is_doc || starts_declaration) && !previous_was_doc {
            starts.push(offset);
        }
        previous_was_doc = is_doc;
        offset += line.len();
    }
    starts
}

/// Parses `text` (which starts at byte `base` of the file) and appends its
/// items, or returns the syntax error.
fn parse_chunk(
    file: FileId,
    text: &str,
    base: usize,
    spec: &mut SpecFile,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), Box<Diagnostic>> {
    let pairs = ProjectParser::parse(Rule::file, text)
        .map_err(|e| Box::new(syntax_error(file, text, base, e)))?;
    let mut cx = Cx {
        file,
        base,
        diagnostics,
    };
    for pair in pairs.flatten().take(1) {
        for item in pair.into_inner() {
            if let Some(item) = cx.parse_item(item) {
                spec.items.push(item);
            }
        }
    }
    Ok(())
}

/// Turns a pest error into an E0001 diagnostic with readable expectations.
fn syntax_error(
    file: FileId,
    text: &str,
    base: usize,
    error: pest::error::Error<Rule>,
) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let (start, end) = match error.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    // Point at the whole offending token, not just its first byte.
    let end = if end > start {
        end
    } else {
        let rest = &text[start..];
        let token_len = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        start + token_len.max(rest.chars().next().map_or(0, char::len_utf8))
    };
    let found = describe_found(&text[start..end]);
    let message = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let mut names: Vec<&str> = positives.iter().map(|r| rule_name(*r)).collect();
            names.sort();
            names.dedup();
            format!("expected {}, found {found}", join_alternatives(&names))
        }
        ErrorVariant::ParsingError { .. } => format!("unexpected {found}"),
        ErrorVariant::CustomError { message } => message.clone(),
    };
    Diagnostic::new(
        Code::SyntaxError,
        Span::new(file, base + start, base + end),
        message,
    )
    .with_label("unexpected here")
}

fn describe_found(token: &str) -> String {
    if token.is_empty() {
        "end of file".to_string()
    } else {
        let shown: String = token.chars().take(30).collect();
        format!("`{shown}`")
    }
}

fn join_alternatives(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// The name of a rule as shown in syntax errors. No catch-all arm: a new
/// rule must be given a readable name here.
fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::WHITESPACE | Rule::hws => "whitespace",
        Rule::COMMENT => "a comment",
        Rule::ident_char => "a letter, digit or `_`",
        Rule::ident => "a name",
        Rule::doc_line | Rule::doc_text | Rule::docs => "a `///` doc comment",
        Rule::string | Rule::string_inner => "a string",
        Rule::int | Rule::slice_start | Rule::slice_end => "an integer",
        Rule::float => "a number",
        Rule::boolean => "`true` or `false`",
        Rule::none => "`none`",
        Rule::literal => "a literal",
        Rule::equals => "`=`",
        Rule::colon => "`:`",
        Rule::comma => "`,`",
        Rule::lbrace => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::lbracket => "`[`",
        Rule::rbracket => "`]`",
        Rule::arrow => "`->`",
        Rule::descending => "`-`",
        Rule::kw_model => "`model`",
        Rule::kw_meta => "`meta`",
        Rule::kw_one => "`one`",
        Rule::kw_many => "`many`",
        Rule::kw_choice => "`choice`",
        Rule::kw_ordering => "`ordering`",
        Rule::kw_index => "`index`",
        Rule::kw_unique => "`unique`",
        Rule::kw_check => "`check`",
        Rule::kw_name => "`name`",
        Rule::kw_urls => "`urls`",
        Rule::kw_path => "`path`",
        Rule::kw_include => "`include`",
        Rule::kw_view => "`view`",
        Rule::kw_json => "`json`",
        Rule::kw_list => "`list`",
        Rule::kw_detail => "`detail`",
        Rule::kw_create => "`create`",
        Rule::kw_update => "`update`",
        Rule::kw_delete => "`delete`",
        Rule::kw_template => "`template`",
        Rule::kw_redirect => "`redirect`",
        Rule::kw_permanent => "`permanent`",
        Rule::kw_rust => "`rust`",
        Rule::kw_query => "`query`",
        Rule::kw_get => "`get`",
        Rule::kw_context => "`context`",
        Rule::kw_fields => "`fields`",
        Rule::kw_paginate => "`paginate`",
        Rule::kw_success => "`success`",
        Rule::kw_login_required => "`login_required`",
        Rule::kw_staff_required => "`staff_required`",
        Rule::kw_public => "`public`",
        Rule::kw_permission => "`permission`",
        Rule::kw_methods => "`methods`",
        Rule::kw_cache => "`cache`",
        Rule::kw_admin => "`admin`",
        Rule::kw_on => "`on`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_not => "`not`",
        Rule::kw_in => "`in`",
        Rule::kw_is => "`is`",
        Rule::kw_null => "`null`",
        Rule::file | Rule::item => "a declaration (`model`, `urls`, `view`, `admin` or `on`)",
        Rule::model => "a model",
        Rule::model_member => "a field or `meta`",
        Rule::field | Rule::field_line => "a field",
        Rule::field_type | Rule::named_type => "a field type",
        Rule::one_type => "`one Model`",
        Rule::many_type => "`many Model`",
        Rule::choice_type => "`choice { … }`",
        Rule::choice => "a choice",
        Rule::type_args => "type arguments",
        Rule::type_arg => "a type argument",
        Rule::field_option => "a field option",
        Rule::option_value | Rule::option_name => "an option value",
        Rule::option_list => "a list `[…]`",
        Rule::meta => "`meta { … }`",
        Rule::meta_entry => "a meta entry",
        Rule::meta_ordering => "`ordering = […]`",
        Rule::meta_index => "`index (…)`",
        Rule::meta_unique => "`unique (…)`",
        Rule::meta_check => "`check (…)`",
        Rule::meta_permission => "`permission name \"label\"`",
        Rule::meta_setting => "`key = value`",
        Rule::constraint_name => "`name = \"…\"`",
        Rule::ident_tuple => "`(field, …)`",
        Rule::urls => "`urls { … }`",
        Rule::url_entry => "`path` or `include`",
        Rule::route => "`path \"pattern\" view`",
        Rule::route_name => "`name = \"…\"`",
        Rule::include => "`include \"prefix/\" group`",
        Rule::path_pattern | Rule::path_text => "a URL pattern string",
        Rule::view => "a view",
        Rule::params => "`(name: type, …)`",
        Rule::param => "a parameter `name: type`",
        Rule::view_kind => "a view kind",
        Rule::generic_kind => "`list`, `detail`, `create`, `update`, `delete` or `json …`",
        Rule::generic_name => "`list`, `detail`, `create`, `update` or `delete`",
        Rule::template_kind => "`template`",
        Rule::redirect_kind => "`redirect \"url-name\"`",
        Rule::rust_kind => "`rust \"module::function\"`",
        Rule::view_block => "`{`",
        Rule::url_ref => "a URL name string",
        Rule::url_args => "URL arguments `(name = value)`",
        Rule::arg => "an argument",
        Rule::clause => "a clause",
        Rule::clause_query => "`query`",
        Rule::clause_get => "`get`",
        Rule::clause_context => "`context`",
        Rule::clause_fields => "`fields`",
        Rule::clause_paginate => "`paginate`",
        Rule::clause_template => "`template`",
        Rule::clause_success => "`success`",
        Rule::clause_login_required => "`login_required`",
        Rule::clause_staff_required => "`staff_required`",
        Rule::clause_public => "`public`",
        Rule::clause_permission => "`permission`",
        Rule::clause_methods => "`methods`",
        Rule::clause_cache => "`cache`",
        Rule::expr => "a value",
        Rule::list_expr => "a list `[…]`",
        Rule::chain => "a name",
        Rule::call => "a method call",
        Rule::attr => "`.name`",
        Rule::slice | Rule::slice_range => "a slice `[a:b]`",
        Rule::call_arg => "an argument",
        Rule::order_term => "a field to order by",
        Rule::order_list => "a list `[…]`",
        Rule::field_path => "a field",
        Rule::field_path_list => "a list of fields `[…]`",
        Rule::condition | Rule::cond_and | Rule::cond_not => "a condition",
        Rule::negation => "`not …`",
        Rule::lookup => "a lookup like `field == value`",
        Rule::operand => "a field",
        Rule::func_operand => "a function call",
        Rule::null_test => "`is null`",
        Rule::lookup_op => "a lookup operator (`==`, `!=`, `<`, `in`, `contains`, …)",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_not_in => "`not in`",
        Rule::op_in => "`in`",
        Rule::op_iexact => "`iexact`",
        Rule::op_icontains => "`icontains`",
        Rule::op_contains => "`contains`",
        Rule::op_istartswith => "`istartswith`",
        Rule::op_startswith => "`startswith`",
        Rule::op_iendswith => "`iendswith`",
        Rule::op_endswith => "`endswith`",
        Rule::admin => "`admin Model { … }`",
        Rule::admin_option => "an admin option",
        Rule::hook => "`on signal Model -> rust \"…\"`",
    }
}

/// True for pairs that carry no information beyond their position.
fn is_token(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::equals
            | Rule::colon
            | Rule::comma
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::lbracket
            | Rule::rbracket
            | Rule::arrow
            | Rule::kw_model
            | Rule::kw_meta
            | Rule::kw_one
            | Rule::kw_many
            | Rule::kw_choice
            | Rule::kw_ordering
            | Rule::kw_index
            | Rule::kw_unique
            | Rule::kw_check
            | Rule::kw_name
            | Rule::kw_urls
            | Rule::kw_path
            | Rule::kw_include
            | Rule::kw_view
            | Rule::kw_template
            | Rule::kw_redirect
            | Rule::kw_rust
            | Rule::kw_query
            | Rule::kw_get
            | Rule::kw_context
            | Rule::kw_fields
            | Rule::kw_paginate
            | Rule::kw_success
            | Rule::kw_permission
            | Rule::kw_methods
            | Rule::kw_cache
            | Rule::kw_admin
            | Rule::kw_on
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_is
            | Rule::kw_null
    )
}

/// The inner pairs of `pair` that carry information.
fn children(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_token(p.as_rule()))
}

/// Parsing context: the file, where the parsed text starts in it, and the
/// diagnostics list for problems found while building the AST.
struct Cx<'d> {
    file: FileId,
    base: usize,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Cx<'_> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        debug_assert_eq!(pair.as_rule(), Rule::ident);
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn docs(&self, pair: Pair<'_, Rule>) -> Option<String> {
        let lines: Vec<String> = pair
            .into_inner()
            .map(|line| {
                let text = line.into_inner().next().map_or("", |t| t.as_str());
                text.strip_prefix(' ')
                    .unwrap_or(text)
                    .trim_end()
                    .to_string()
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    fn string(&self, pair: Pair<'_, Rule>) -> StrLit {
        let span = self.span(&pair);
        let inner = pair.into_inner().next().map_or("", |p| p.as_str());
        StrLit {
            value: unescape(inner),
            span,
        }
    }

    fn int(&mut self, pair: Pair<'_, Rule>) -> IntLit {
        let span = self.span(&pair);
        let text = pair.as_str();
        let value = match text.parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                self.diagnostics.push(
                    Diagnostic::new(Code::InvalidNumber, span, "integer literal out of range")
                        .with_label("does not fit in 64 bits"),
                );
                // Clamp, so that later checks see a large value, not a
                // misleading zero.
                if text.starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                }
            }
        };
        IntLit { value, span }
    }

    // ── items ──────────────────────────────────────────────────────────────

    fn parse_item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        match pair.as_rule() {
            Rule::model => Some(Item::Model(self.parse_model(pair))),
            Rule::urls => Some(Item::Urls(self.parse_urls(pair))),
            Rule::view => Some(Item::View(self.parse_view(pair))),
            Rule::admin => Some(Item::Admin(self.parse_admin(pair))),
            Rule::hook => Some(Item::Hook(self.parse_hook(pair))),
            Rule::EOI => None,
            rule => unreachable!("{rule:?} (item)"),
        }
    }

    fn parse_model(&mut self, pair: Pair<'_, Rule>) -> Model {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let doc = self.docs(inner.next().expect("docs (model)"));
        let name = self.ident(inner.next().expect("ident (model)"));
        let mut fields = Vec::new();
        let mut meta = Vec::new();
        for member in inner {
            match member.as_rule() {
                Rule::field => fields.push(self.parse_field(member)),
                Rule::meta => meta.push(self.parse_meta(member)),
                rule => unreachable!("{rule:?} (model)"),
            }
        }
        Model {
            doc,
            name,
            fields,
            meta,
            span,
        }
    }

    fn parse_field(&mut self, pair: Pair<'_, Rule>) -> Field {
        let mut inner = children(pair);
        let doc = self.docs(inner.next().expect("docs (field)"));
        let line = inner.next().expect("field_line (field)");
        let span = self.span(&line);
        let mut parts = children(line);
        let name = self.ident(parts.next().expect("ident (field_line)"));
        let ty = self.parse_field_type(parts.next().expect("field_type (field_line)"));
        let options = parts
            .map(|option| self.parse_field_option(option))
            .collect();
        Field {
            doc,
            name,
            ty,
            options,
            span,
        }
    }

    fn parse_field_type(&mut self, pair: Pair<'_, Rule>) -> FieldType {
        let ty = children(pair).next().expect("type (field_type)");
        let span = self.span(&ty);
        match ty.as_rule() {
            Rule::one_type => FieldType::OneToOne {
                target: self.ident(children(ty).next().expect("ident (one_type)")),
                span,
            },
            Rule::many_type => FieldType::ManyToMany {
                target: self.ident(children(ty).next().expect("ident (many_type)")),
                span,
            },
            Rule::choice_type => FieldType::Choice {
                choices: children(ty).map(|c| self.parse_choice(c)).collect(),
                span,
            },
            Rule::named_type => {
                let mut inner = children(ty);
                let name = self.ident(inner.next().expect("ident (named_type)"));
                let args = inner
                    .next()
                    .map(|args| children(args).map(|a| self.parse_type_arg(a)).collect())
                    .unwrap_or_default();
                FieldType::Named { name, args, span }
            }
            rule => unreachable!("{rule:?} (field_type)"),
        }
    }

    fn parse_choice(&mut self, pair: Pair<'_, Rule>) -> Choice {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let key = self.ident(inner.next().expect("ident (choice)"));
        let label = inner.next().map(|s| self.string(s));
        Choice { key, label, span }
    }

    fn parse_type_arg(&mut self, pair: Pair<'_, Rule>) -> TypeArg {
        let span = self.span(&pair);
        let mut name = None;
        let mut value = None;
        for part in children(pair) {
            match part.as_rule() {
                Rule::ident => name = Some(self.ident(part)),
                Rule::literal => value = Some(self.parse_literal(part)),
                rule => unreachable!("{rule:?} (type_arg)"),
            }
        }
        TypeArg {
            name,
            value: value.expect("literal (type_arg)"),
            span,
        }
    }

    fn parse_field_option(&mut self, pair: Pair<'_, Rule>) -> FieldOption {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let name = self.ident(inner.next().expect("ident (field_option)"));
        let value = inner.next().map(|v| self.parse_option_value(v));
        FieldOption { name, value, span }
    }

    /// An option value is a restricted expression (written atomically so
    /// that options end at the end of the line); it becomes an ordinary [`Expr`].
    fn parse_option_value(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let inner = children(pair).next().expect("alternative (option_value)");
        let span = self.span(&inner);
        match inner.as_rule() {
            Rule::literal => Expr::Literal(self.parse_literal(inner)),
            Rule::option_list => Expr::List {
                items: children(inner).map(|e| self.parse_expr(e)).collect(),
                span,
            },
            Rule::option_name => {
                let mut names = children(inner).map(|i| self.ident(i));
                let head = names.next().expect("ident (option_name)");
                Expr::Chain(Chain {
                    head,
                    ops: names.map(ChainOp::Attr).collect(),
                    span,
                })
            }
            rule => unreachable!("{rule:?} (option_value)"),
        }
    }

    fn parse_meta(&mut self, pair: Pair<'_, Rule>) -> Meta {
        let span = self.span(&pair);
        let entries = children(pair).map(|e| self.parse_meta_entry(e)).collect();
        Meta { entries, span }
    }

    fn parse_meta_entry(&mut self, pair: Pair<'_, Rule>) -> MetaEntry {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = children(pair);
        match rule {
            Rule::meta_ordering => MetaEntry::Ordering {
                terms: self.parse_order_list(inner.next().expect("order_list (meta_ordering)")),
                span,
            },
            Rule::meta_index => {
                let fields =
                    self.parse_ident_tuple(inner.next().expect("ident_tuple (meta_index)"));
                let name = inner.next().map(|n| self.parse_constraint_name(n));
                MetaEntry::Index { fields, name, span }
            }
            Rule::meta_unique => MetaEntry::Unique {
                fields: self.parse_ident_tuple(inner.next().expect("ident_tuple (meta_unique)")),
                span,
            },
            Rule::meta_check => {
                let condition = self.parse_condition(inner.next().expect("condition (meta_check)"));
                let name = inner.next().map(|n| self.parse_constraint_name(n));
                MetaEntry::Check {
                    condition,
                    name,
                    span,
                }
            }
            Rule::meta_permission => MetaEntry::Permission {
                codename: self.ident(inner.next().expect("ident (meta_permission)")),
                label: self.string(inner.next().expect("string (meta_permission)")),
                span,
            },
            Rule::meta_setting => MetaEntry::Setting {
                key: self.ident(inner.next().expect("ident (meta_setting)")),
                value: self.parse_expr(inner.next().expect("expr (meta_setting)")),
                span,
            },
            rule => unreachable!("{rule:?} (meta_entry)"),
        }
    }

    fn parse_constraint_name(&mut self, pair: Pair<'_, Rule>) -> StrLit {
        self.string(children(pair).next().expect("string (constraint_name)"))
    }

    fn parse_ident_tuple(&mut self, pair: Pair<'_, Rule>) -> Vec<Ident> {
        children(pair).map(|i| self.ident(i)).collect()
    }

    // ── urls ───────────────────────────────────────────────────────────────

    fn parse_urls(&mut self, pair: Pair<'_, Rule>) -> UrlGroup {
        let span = self.span(&pair);
        let mut name = None;
        let mut entries = Vec::new();
        for part in children(pair) {
            match part.as_rule() {
                Rule::ident => name = Some(self.ident(part)),
                Rule::route => entries.push(UrlEntry::Path(self.parse_route(part))),
                Rule::include => {
                    let span = self.span(&part);
                    let mut inner = children(part);
                    let prefix =
                        self.parse_path_pattern(inner.next().expect("path_pattern (include)"));
                    let group = self.ident(inner.next().expect("ident (include)"));
                    entries.push(UrlEntry::Include {
                        prefix,
                        group,
                        span,
                    });
                }
                rule => unreachable!("{rule:?} (urls)"),
            }
        }
        UrlGroup {
            name,
            entries,
            span,
        }
    }

    fn parse_route(&mut self, pair: Pair<'_, Rule>) -> Route {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let pattern = self.parse_path_pattern(inner.next().expect("path_pattern (route)"));
        let view = self.ident(inner.next().expect("ident (route)"));
        let name = inner
            .next()
            .map(|n| self.string(children(n).next().expect("string (route_name)")));
        Route {
            pattern,
            view,
            name,
            span,
        }
    }

    /// Splits `"posts/<slug:slug>/"` into literal and parameter segments;
    /// a malformed `<…>` is E0002 and is kept as literal text.
    fn parse_path_pattern(&mut self, pair: Pair<'_, Rule>) -> PathPattern {
        let span = self.span(&pair);
        let text_pair = pair.into_inner().next().expect("path_text (path_pattern)");
        let text = text_pair.as_str();
        let text_start = self.base + text_pair.as_span().start();
        let at =
            |start: usize, end: usize| Span::new(self.file, text_start + start, text_start + end);
        let mut segments = Vec::new();
        let mut literal_start = 0;
        let mut pos = 0;
        let push_literal = |segments: &mut Vec<PathSegment>, from: usize, to: usize| {
            if to > from {
                segments.push(PathSegment::Literal {
                    text: text[from..to].to_string(),
                    span: at(from, to),
                });
            }
        };
        while let Some(open) = text[pos..].find('<').map(|i| pos + i) {
            let Some(close) = text[open..].find('>').map(|i| open + i) else {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidPathPattern,
                        at(open, text.len()),
                        "unclosed `<` in URL pattern",
                    )
                    .with_label("this parameter has no closing `>`")
                    .with_help("write parameters as `<converter:name>`, e.g. `<int:id>`"),
                );
                break;
            };
            let inside = &text[open + 1..close];
            let (converter, name, name_offset) = match inside.split_once(':') {
                Some((c, n)) => (Some(c), n, open + 1 + c.len() + 1),
                None => (None, inside, open + 1),
            };
            let valid_ident = |s: &str| {
                s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            if !valid_ident(name) || converter.is_some_and(|c| !valid_ident(c)) {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidPathPattern,
                        at(open, close + 1),
                        format!("invalid URL parameter `<{inside}>`"),
                    )
                    .with_label("expected `<converter:name>` or `<name>`")
                    .with_help("converters are `int`, `str`, `slug`, `uuid` and `path`; names are identifiers"),
                );
                pos = close + 1;
                continue;
            }
            push_literal(&mut segments, literal_start, open);
            segments.push(PathSegment::Param {
                converter: converter.map(|c| Ident {
                    name: c.to_string(),
                    span: at(open + 1, open + 1 + c.len()),
                }),
                name: Ident {
                    name: name.to_string(),
                    span: at(name_offset, name_offset + name.len()),
                },
                span: at(open, close + 1),
            });
            pos = close + 1;
            literal_start = pos;
        }
        push_literal(&mut segments, literal_start, text.len());
        PathPattern { segments, span }
    }

    // ── views ──────────────────────────────────────────────────────────────

    fn parse_view(&mut self, pair: Pair<'_, Rule>) -> View {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let doc = self.docs(inner.next().expect("docs (view)"));
        let name = self.ident(inner.next().expect("ident (view)"));
        let mut params = Vec::new();
        let mut kind = None;
        let mut clauses = Vec::new();
        for part in inner {
            match part.as_rule() {
                Rule::params => {
                    for param in children(part) {
                        let span = self.span(&param);
                        let mut p = children(param);
                        let name = self.ident(p.next().expect("ident (param)"));
                        let ty = self.ident(p.next().expect("ident (param)"));
                        params.push(Param { name, ty, span });
                    }
                }
                Rule::generic_kind
                | Rule::template_kind
                | Rule::redirect_kind
                | Rule::rust_kind => {
                    kind = Some(self.parse_view_kind(part));
                }
                Rule::view_block => {
                    clauses = children(part).map(|c| self.parse_clause(c)).collect();
                }
                rule => unreachable!("{rule:?} (view)"),
            }
        }
        View {
            doc,
            name,
            params,
            kind: kind.expect("view_kind (view)"),
            clauses,
            span,
        }
    }

    fn parse_view_kind(&mut self, pair: Pair<'_, Rule>) -> ViewKind {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::generic_kind => {
                let mut json = false;
                let mut kind = None;
                let mut model = None;
                for part in children(pair) {
                    match part.as_rule() {
                        Rule::kw_json => json = true,
                        Rule::generic_name => {
                            let word = children(part).next().expect("keyword (generic_name)");
                            kind = Some(match word.as_rule() {
                                Rule::kw_list => GenericKind::List,
                                Rule::kw_detail => GenericKind::Detail,
                                Rule::kw_create => GenericKind::Create,
                                Rule::kw_update => GenericKind::Update,
                                Rule::kw_delete => GenericKind::Delete,
                                rule => unreachable!("{rule:?} (generic_name)"),
                            });
                        }
                        Rule::ident => model = Some(self.ident(part)),
                        rule => unreachable!("{rule:?} (generic_kind)"),
                    }
                }
                ViewKind::Generic {
                    json,
                    kind: kind.expect("generic_name (generic_kind)"),
                    model: model.expect("ident (generic_kind)"),
                    span,
                }
            }
            Rule::template_kind => ViewKind::Template {
                template: children(pair).next().map(|s| self.string(s)),
                span,
            },
            Rule::redirect_kind => {
                let mut target = None;
                let mut permanent = false;
                for part in children(pair) {
                    match part.as_rule() {
                        Rule::url_ref => target = Some(self.parse_url_ref(part)),
                        Rule::kw_permanent => permanent = true,
                        rule => unreachable!("{rule:?} (redirect_kind)"),
                    }
                }
                ViewKind::Redirect {
                    target: target.expect("url_ref (redirect_kind)"),
                    permanent,
                    span,
                }
            }
            Rule::rust_kind => ViewKind::Rust {
                path: self.string(children(pair).next().expect("string (rust_kind)")),
                span,
            },
            rule => unreachable!("{rule:?} (view_kind)"),
        }
    }

    fn parse_url_ref(&mut self, pair: Pair<'_, Rule>) -> UrlRef {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let name = self.string(inner.next().expect("string (url_ref)"));
        let args = inner
            .next()
            .map(|args| children(args).map(|a| self.parse_arg(a)).collect())
            .unwrap_or_default();
        UrlRef { name, args, span }
    }

    fn parse_arg(&mut self, pair: Pair<'_, Rule>) -> Arg {
        let span = self.span(&pair);
        let mut name = None;
        let mut value = None;
        for part in children(pair) {
            match part.as_rule() {
                Rule::ident => name = Some(self.ident(part)),
                Rule::expr => value = Some(self.parse_expr(part)),
                rule => unreachable!("{rule:?} (arg)"),
            }
        }
        Arg {
            name,
            value: value.expect("expr (arg)"),
            span,
        }
    }

    fn parse_clause(&mut self, pair: Pair<'_, Rule>) -> Clause {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let keyword = {
            let first = pair.clone().into_inner().next().expect("keyword (clause)");
            self.span(&first)
        };
        let mut inner = children(pair);
        let kind = match rule {
            Rule::clause_query => {
                ClauseKind::Query(self.parse_expr(inner.next().expect("expr (clause_query)")))
            }
            Rule::clause_get => {
                ClauseKind::Get(self.parse_expr(inner.next().expect("expr (clause_get)")))
            }
            Rule::clause_context => ClauseKind::Context {
                name: self.ident(inner.next().expect("ident (clause_context)")),
                value: self.parse_expr(inner.next().expect("expr (clause_context)")),
            },
            Rule::clause_fields => {
                let list = inner.next().expect("field_path_list (clause_fields)");
                ClauseKind::Fields(children(list).map(|p| self.parse_field_path(p)).collect())
            }
            Rule::clause_paginate => {
                ClauseKind::Paginate(self.int(inner.next().expect("int (clause_paginate)")))
            }
            Rule::clause_template => {
                ClauseKind::Template(self.string(inner.next().expect("string (clause_template)")))
            }
            Rule::clause_success => ClauseKind::Success(
                self.parse_url_ref(inner.next().expect("url_ref (clause_success)")),
            ),
            Rule::clause_login_required => ClauseKind::LoginRequired,
            Rule::clause_staff_required => ClauseKind::StaffRequired,
            Rule::clause_public => ClauseKind::Public,
            Rule::clause_permission => ClauseKind::Permission(
                self.string(inner.next().expect("string (clause_permission)")),
            ),
            Rule::clause_methods => ClauseKind::Methods(inner.map(|m| self.ident(m)).collect()),
            Rule::clause_cache => {
                ClauseKind::Cache(self.int(inner.next().expect("int (clause_cache)")))
            }
            rule => unreachable!("{rule:?} (clause)"),
        };
        Clause {
            kind,
            span,
            keyword,
        }
    }

    // ── expressions ────────────────────────────────────────────────────────

    fn parse_expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        debug_assert_eq!(pair.as_rule(), Rule::expr);
        let inner = children(pair).next().expect("alternative (expr)");
        match inner.as_rule() {
            Rule::literal => Expr::Literal(self.parse_literal(inner)),
            Rule::list_expr => {
                let span = self.span(&inner);
                Expr::List {
                    items: children(inner).map(|e| self.parse_expr(e)).collect(),
                    span,
                }
            }
            Rule::chain => Expr::Chain(self.parse_chain(inner)),
            rule => unreachable!("{rule:?} (expr)"),
        }
    }

    fn parse_literal(&mut self, pair: Pair<'_, Rule>) -> Literal {
        let span = self.span(&pair);
        let inner = children(pair).next().expect("alternative (literal)");
        let kind = match inner.as_rule() {
            Rule::string => LiteralKind::Str(self.string(inner).value),
            Rule::int => LiteralKind::Int(self.int(inner).value),
            Rule::float => LiteralKind::Float(inner.as_str().to_string()),
            Rule::boolean => LiteralKind::Bool(inner.as_str() == "true"),
            Rule::none => LiteralKind::None,
            rule => unreachable!("{rule:?} (literal)"),
        };
        Literal { kind, span }
    }

    fn parse_chain(&mut self, pair: Pair<'_, Rule>) -> Chain {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let head = self.ident(inner.next().expect("ident (chain)"));
        let ops = inner
            .map(|op| match op.as_rule() {
                Rule::attr => ChainOp::Attr(self.ident(children(op).next().expect("ident (attr)"))),
                Rule::call => {
                    let span = self.span(&op);
                    let mut parts = children(op);
                    let method = self.ident(parts.next().expect("ident (call)"));
                    let args = parts
                        .map(|arg| match arg.as_rule() {
                            Rule::condition => CallArg::Condition(self.parse_condition(arg)),
                            Rule::order_term => CallArg::Order(self.parse_order_term(arg)),
                            rule => unreachable!("{rule:?} (call_arg)"),
                        })
                        .collect();
                    ChainOp::Call { method, args, span }
                }
                Rule::slice => ChainOp::Slice(self.parse_slice(op)),
                rule => unreachable!("{rule:?} (chain)"),
            })
            .collect();
        Chain { head, ops, span }
    }

    fn parse_slice(&mut self, pair: Pair<'_, Rule>) -> Slice {
        let span = self.span(&pair);
        let inner = children(pair).next().expect("alternative (slice)");
        match inner.as_rule() {
            Rule::int => Slice {
                start: Some(self.int(inner)),
                end: None,
                is_range: false,
                span,
            },
            Rule::slice_range => {
                let mut start = None;
                let mut end = None;
                for bound in children(inner) {
                    let rule = bound.as_rule();
                    let value = self.int(children(bound).next().expect("int (slice bound)"));
                    match rule {
                        Rule::slice_start => start = Some(value),
                        Rule::slice_end => end = Some(value),
                        rule => unreachable!("{rule:?} (slice_range)"),
                    }
                }
                Slice {
                    start,
                    end,
                    is_range: true,
                    span,
                }
            }
            rule => unreachable!("{rule:?} (slice)"),
        }
    }

    fn parse_order_list(&mut self, pair: Pair<'_, Rule>) -> Vec<OrderTerm> {
        children(pair).map(|t| self.parse_order_term(t)).collect()
    }

    fn parse_order_term(&mut self, pair: Pair<'_, Rule>) -> OrderTerm {
        let span = self.span(&pair);
        let mut descending = false;
        let mut field = None;
        for part in children(pair) {
            match part.as_rule() {
                Rule::descending => descending = true,
                Rule::field_path => field = Some(self.parse_field_path(part)),
                rule => unreachable!("{rule:?} (order_term)"),
            }
        }
        OrderTerm {
            descending,
            field: field.expect("field_path (order_term)"),
            span,
        }
    }

    fn parse_field_path(&mut self, pair: Pair<'_, Rule>) -> FieldPath {
        let span = self.span(&pair);
        FieldPath {
            parts: children(pair).map(|i| self.ident(i)).collect(),
            span,
        }
    }

    fn parse_condition(&mut self, pair: Pair<'_, Rule>) -> Condition {
        match pair.as_rule() {
            Rule::condition | Rule::cond_and => {
                let is_or = pair.as_rule() == Rule::condition;
                let mut parts = children(pair)
                    .map(|p| self.parse_condition(p))
                    .collect::<Vec<_>>()
                    .into_iter();
                let first = parts.next().expect("operand (condition)");
                parts.fold(first, |acc, next| {
                    let span = acc.span().to(next.span());
                    if is_or {
                        Condition::Or(Box::new(acc), Box::new(next), span)
                    } else {
                        Condition::And(Box::new(acc), Box::new(next), span)
                    }
                })
            }
            Rule::cond_not => {
                let inner = children(pair).next().expect("alternative (cond_not)");
                self.parse_condition(inner)
            }
            Rule::negation => {
                let span = self.span(&pair);
                let inner = children(pair)
                    .find(|p| p.as_rule() == Rule::cond_not)
                    .expect("cond_not (negation)");
                Condition::Not(Box::new(self.parse_condition(inner)), span)
            }
            Rule::lookup => Condition::Lookup(self.parse_lookup(pair)),
            rule => unreachable!("{rule:?} (condition)"),
        }
    }

    fn parse_lookup(&mut self, pair: Pair<'_, Rule>) -> Lookup {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let lhs = self.parse_operand(inner.next().expect("operand (lookup)"));
        let op_pair = inner.next().expect("operator (lookup)");
        let op_span = self.span(&op_pair);
        let (op, rhs) = match op_pair.as_rule() {
            Rule::null_test => {
                let negated = op_pair.into_inner().any(|p| p.as_rule() == Rule::kw_not);
                (
                    if negated {
                        LookupOp::IsNotNull
                    } else {
                        LookupOp::IsNull
                    },
                    None,
                )
            }
            Rule::lookup_op => {
                let which = op_pair
                    .into_inner()
                    .next()
                    .expect("alternative (lookup_op)");
                let op = match which.as_rule() {
                    Rule::op_eq => LookupOp::Eq,
                    Rule::op_ne => LookupOp::Ne,
                    Rule::op_le => LookupOp::Le,
                    Rule::op_ge => LookupOp::Ge,
                    Rule::op_lt => LookupOp::Lt,
                    Rule::op_gt => LookupOp::Gt,
                    Rule::op_not_in => LookupOp::NotIn,
                    Rule::op_in => LookupOp::In,
                    Rule::op_iexact => LookupOp::IExact,
                    Rule::op_icontains => LookupOp::IContains,
                    Rule::op_contains => LookupOp::Contains,
                    Rule::op_istartswith => LookupOp::IStartsWith,
                    Rule::op_startswith => LookupOp::StartsWith,
                    Rule::op_iendswith => LookupOp::IEndsWith,
                    Rule::op_endswith => LookupOp::EndsWith,
                    rule => unreachable!("{rule:?} (lookup_op)"),
                };
                let rhs = self.parse_expr(inner.next().expect("expr (lookup)"));
                (op, Some(rhs))
            }
            rule => unreachable!("{rule:?} (lookup)"),
        };
        Lookup {
            lhs,
            op,
            op_span,
            rhs,
            span,
        }
    }

    fn parse_operand(&mut self, pair: Pair<'_, Rule>) -> Operand {
        let inner = children(pair).next().expect("alternative (operand)");
        match inner.as_rule() {
            Rule::field_path => Operand::Field(self.parse_field_path(inner)),
            Rule::func_operand => {
                let span = self.span(&inner);
                let mut parts = children(inner);
                let name = self.ident(parts.next().expect("ident (func_operand)"));
                let arg = self.parse_field_path(parts.next().expect("field_path (func_operand)"));
                Operand::Func { name, arg, span }
            }
            rule => unreachable!("{rule:?} (operand)"),
        }
    }

    // ── admin and hooks ────────────────────────────────────────────────────

    fn parse_admin(&mut self, pair: Pair<'_, Rule>) -> Admin {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let model = self.ident(inner.next().expect("ident (admin)"));
        let options = inner
            .map(|option| {
                let span = self.span(&option);
                let mut parts = children(option);
                let name = self.ident(parts.next().expect("ident (admin_option)"));
                let value_pair = parts.next().expect("value (admin_option)");
                let value = match value_pair.as_rule() {
                    Rule::order_list => AdminValue::List(self.parse_order_list(value_pair)),
                    Rule::literal => AdminValue::Literal(self.parse_literal(value_pair)),
                    rule => unreachable!("{rule:?} (admin_option)"),
                };
                AdminOption { name, value, span }
            })
            .collect();
        Admin {
            model,
            options,
            span,
        }
    }

    fn parse_hook(&mut self, pair: Pair<'_, Rule>) -> Hook {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let signal = self.ident(inner.next().expect("ident (hook)"));
        let model = self.ident(inner.next().expect("ident (hook)"));
        let function = self.string(inner.next().expect("string (hook)"));
        Hook {
            signal,
            model,
            function,
            span,
        }
    }
}

/// Resolves `\"`, `\\`, `\n`, `\t` escapes; other escapes keep the character.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (SpecFile, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let spec = parse_file(FileId(0), text, &mut diagnostics);
        (spec, diagnostics)
    }

    fn parse_ok(text: &str) -> SpecFile {
        let (spec, diagnostics) = parse(text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        spec
    }

    #[test]
    fn fields_end_at_the_end_of_their_line() {
        let spec = parse_ok(
            "model Post {\n    title string(max = 200)\n    slug slug unique\n    author Author on_delete = cascade related_name = posts\n}\n",
        );
        let Item::Model(model) = &spec.items[0] else {
            panic!("not a model")
        };
        let names: Vec<_> = model.fields.iter().map(|f| f.name.name.as_str()).collect();
        assert_eq!(names, ["title", "slug", "author"]);
        assert_eq!(model.fields[1].options.len(), 1);
        assert_eq!(model.fields[2].options.len(), 2);
        let FieldType::Named { args, .. } = &model.fields[0].ty else {
            panic!("not named")
        };
        assert_eq!(args[0].name.as_ref().unwrap().name, "max");
    }

    #[test]
    fn docs_attach_to_models_and_fields() {
        let spec = parse_ok(
            "/// A post.\n/// Second line.\nmodel Post {\n    /// The title.\n    title text\n}\n",
        );
        let Item::Model(model) = &spec.items[0] else {
            panic!("not a model")
        };
        assert_eq!(model.doc.as_deref(), Some("A post.\nSecond line."));
        assert_eq!(model.fields[0].doc.as_deref(), Some("The title."));
    }

    #[test]
    fn queries_parse_into_chains_with_conditions() {
        let spec = parse_ok(
            "view v(slug: slug): list Post {\n  query Post.filter(status == published, title contains \"rust\" or not views > 3)\n     .exclude(author.name == \"bot\").order_by(-created_at, title)[:10]\n}\n",
        );
        let Item::View(view) = &spec.items[0] else {
            panic!("not a view")
        };
        let ClauseKind::Query(Expr::Chain(chain)) = &view.clauses[0].kind else {
            panic!("not a query")
        };
        assert_eq!(chain.head.name, "Post");
        assert_eq!(chain.ops.len(), 4);
        let ChainOp::Call { args, .. } = &chain.ops[0] else {
            panic!("not a call")
        };
        assert_eq!(args.len(), 2);
        assert!(matches!(&args[1], CallArg::Condition(Condition::Or(..))));
        let ChainOp::Slice(slice) = &chain.ops[3] else {
            panic!("not a slice")
        };
        assert_eq!((slice.start, slice.end.map(|e| e.value)), (None, Some(10)));
    }

    #[test]
    fn url_patterns_are_split_into_segments() {
        let spec = parse_ok(
            "urls {\n  path \"posts/<slug:slug>/<id>/\" post_detail name = \"post-detail\"\n  include \"api/\" api\n}\n",
        );
        let Item::Urls(group) = &spec.items[0] else {
            panic!("not urls")
        };
        let UrlEntry::Path(route) = &group.entries[0] else {
            panic!("not a path")
        };
        assert_eq!(route.pattern.segments.len(), 5);
        let PathSegment::Param {
            converter, name, ..
        } = &route.pattern.segments[1]
        else {
            panic!("not a param")
        };
        assert_eq!(converter.as_ref().unwrap().name, "slug");
        assert_eq!(name.name, "slug");
    }

    #[test]
    fn malformed_parameters_are_reported_at_the_parameter() {
        let text = "urls {\n  path \"a/<int:id\" v\n}\n";
        let (_, diagnostics) = parse(text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::InvalidPathPattern);
        assert_eq!(&text[diagnostics[0].primary.span.range()], "<int:id");
    }

    #[test]
    fn a_broken_declaration_does_not_hide_the_others() {
        let text = "model A {\n  x int\n}\nview broken: list {\n}\nmodel B {\n  y int\n}\nview also_broken(: detail B\n";
        let (spec, diagnostics) = parse(text);
        assert_eq!(spec.items.len(), 2, "{diagnostics:#?}");
        assert_eq!(diagnostics.len(), 2);
        assert!(diagnostics.iter().all(|d| d.code == Code::SyntaxError));
        assert!(
            diagnostics[0].message.starts_with("expected"),
            "{}",
            diagnostics[0].message
        );
    }

    #[test]
    fn every_view_kind_and_clause_parses() {
        parse_ok(
            r#"
view a: list Post { query Post.all() paginate 20 template "a.html" cache = 60 methods [GET, HEAD] }
view b(id: int): detail Post { get Post.filter(id == id) context n = Post.count() template "b.html" }
view c: create Post { fields [title, slug] login_required template "c.html" success redirect "b"(id = object.id) }
view d(id: int): update Post { fields [title] permission = "blog.change_post" template "d.html" success "b"(object.id) }
view e(id: int): delete Post { staff_required template "e.html" success "a" }
view f: json list Post { query Post.filter(published_at is not null) fields [id, author.name] public }
view g(id: int): json detail Post { fields [id] }
view h: json create Post { fields [title] }
view i(id: int): json update Post { fields [title] }
view j(id: int): json delete Post
view k: template "about.html"
view l: template { template "x.html" context posts = Post.all()[:5] }
view m: redirect "a" permanent
view n: rust "views::dashboard" { methods [GET, POST] }
admin Post { list_display [title, author.name] list_per_page 50 ordering [-created_at] }
on post_save Post -> rust "hooks::notify"
"#,
        );
    }

    #[test]
    fn meta_entries_parse() {
        let spec = parse_ok(
            "model P {\n  price decimal(10, 2)\n  meta {\n    ordering = [-price]\n    index (price) name = \"p_idx\"\n    unique (price)\n    check (price >= 0 and length(name) > 0) name = \"positive\"\n    permission publish \"Can publish\"\n    str = \"{price}\"\n  }\n}\n",
        );
        let Item::Model(model) = &spec.items[0] else {
            panic!("not a model")
        };
        assert_eq!(model.meta[0].entries.len(), 6);
    }

    #[test]
    fn choice_fields_and_defaults() {
        let spec = parse_ok(
            "model P {\n  status choice { draft = \"Draft\", published = \"Published\" } default = draft\n  n int default = -1 null\n}\n",
        );
        let Item::Model(model) = &spec.items[0] else {
            panic!("not a model")
        };
        assert!(
            matches!(&model.fields[0].ty, FieldType::Choice { choices, .. } if choices.len() == 2)
        );
        assert_eq!(model.fields[1].options.len(), 2);
    }
}
