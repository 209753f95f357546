//! Template parsing: text → tokens (Django's lexer) → [`Template`] tree.
//!
//! Lexing follows Django exactly (`template` rule): a tag ends at its first
//! closing delimiter and never spans a line. The tree builder then reads the
//! tokens like Django's `Parser`: block tags open bodies that end at their
//! end tags, each tag's arguments are parsed by the `<tag>_args` rule, and
//! problems become diagnostics (E07xx) while parsing goes on.

use super::ast::*;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::source::{FileId, Span};
use pest::Parser;
use pest::iterators::Pair;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/template.pest"]
struct TemplateParser;

/// Parses one template. Never fails: problems are reported and the nodes
/// that could be read are returned.
pub fn parse_template(file: FileId, text: &str, diagnostics: &mut Vec<Diagnostic>) -> Template {
    let tokens = lex(text);
    let mut builder = Builder {
        file,
        text,
        tokens,
        pos: 0,
        diagnostics,
        blocks: BTreeMap::new(),
        extends: None,
        seen_non_text: false,
        seen_unknown_tag: false,
    };
    let (nodes, _) = builder.parse_nodes(&[]);
    Template {
        extends: builder.extends,
        nodes,
    }
}

/// The kinds of lexical token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenKind {
    Text,
    Var,
    Block,
    Comment,
}

/// A token: its kind, the byte range of the whole token, and of its content
/// (between the delimiters, for tags).
#[derive(Clone, Copy, Debug)]
struct Token {
    kind: TokenKind,
    start: usize,
    end: usize,
    content_start: usize,
    content_end: usize,
}

fn lex(text: &str) -> Vec<Token> {
    let Ok(mut pairs) = TemplateParser::parse(Rule::template, text) else {
        // Unreachable in practice: `text` matches any character.
        return vec![Token {
            kind: TokenKind::Text,
            start: 0,
            end: text.len(),
            content_start: 0,
            content_end: text.len(),
        }];
    };
    let template = pairs.next().expect("template");
    template
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|pair| {
            let span = pair.as_span();
            let kind = match pair.as_rule() {
                Rule::text => TokenKind::Text,
                Rule::var_tag => TokenKind::Var,
                Rule::block_tag => TokenKind::Block,
                Rule::comment_tag => TokenKind::Comment,
                rule => unreachable!("{rule:?} (token)"),
            };
            let (content_start, content_end) = match kind {
                TokenKind::Text => (span.start(), span.end()),
                _ => (span.start() + 2, span.end() - 2),
            };
            Token {
                kind,
                start: span.start(),
                end: span.end(),
                content_start,
                content_end,
            }
        })
        .collect()
}

/// The tags djinn knows, for did-you-mean.
const KNOWN_TAGS: &[&str] = &[
    "autoescape",
    "block",
    "comment",
    "csrf_token",
    "cycle",
    "extends",
    "filter",
    "firstof",
    "for",
    "if",
    "include",
    "load",
    "now",
    "spaceless",
    "static",
    "templatetag",
    "url",
    "verbatim",
    "widthratio",
    "with",
];

/// Built-in Django tags djinn does not compile (yet).
const UNSUPPORTED_TAGS: &[&str] = &[
    "debug",
    "ifchanged",
    "lorem",
    "partial",
    "partialdef",
    "querystring",
    "regroup",
    "resetcycle",
];

/// What ended a body: the end (or intermediate) tag's name, its argument
/// text and span, and the token's span.
struct EndTag {
    name: String,
    args_start: usize,
    args: String,
    span: Span,
}

struct Builder<'t, 'd> {
    file: FileId,
    text: &'t str,
    tokens: Vec<Token>,
    pos: usize,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// Block names already defined, for E0706.
    blocks: BTreeMap<String, Span>,
    extends: Option<Extends>,
    /// A tag other than text has been seen (`extends` must come first).
    seen_non_text: bool,
    /// An unknown tag was reported: stray end tags after it are likely its
    /// own and are not reported again.
    seen_unknown_tag: bool,
}

impl Builder<'_, '_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// Reads nodes until a block tag named in `until` (returned) or the end
    /// of input (`None`).
    fn parse_nodes(&mut self, until: &[&str]) -> (Vec<Node>, Option<EndTag>) {
        let mut nodes = Vec::new();
        while self.pos < self.tokens.len() {
            let token = self.tokens[self.pos];
            self.pos += 1;
            let span = self.span(token.start, token.end);
            match token.kind {
                TokenKind::Text => nodes.push(Node::Text {
                    text: self.text[token.start..token.end].to_string(),
                    span,
                }),
                TokenKind::Comment => {}
                TokenKind::Var => {
                    self.seen_non_text = true;
                    if let Some(expr) = self.parse_var(token) {
                        nodes.push(Node::Var { expr, span });
                    }
                }
                TokenKind::Block => {
                    let content = &self.text[token.content_start..token.content_end];
                    let trimmed_start =
                        token.content_start + (content.len() - content.trim_start().len());
                    let content = content.trim();
                    let name_len = content.find(char::is_whitespace).unwrap_or(content.len());
                    let name = content[..name_len].to_string();
                    let args_start = trimmed_start + name_len;
                    let args = content[name_len..].to_string();
                    if until.contains(&name.as_str()) {
                        return (
                            nodes,
                            Some(EndTag {
                                name,
                                args_start,
                                args,
                                span,
                            }),
                        );
                    }
                    if name != "extends" {
                        self.seen_non_text = true;
                    }
                    if let Some(node) =
                        self.parse_block_tag(&name, args_start, &args, span, trimmed_start)
                    {
                        nodes.push(node);
                    }
                }
            }
        }
        (nodes, None)
    }

    /// Parses the body of a block tag up to one of `ends`; reports E0703 at
    /// the opening tag when the input ends first.
    fn parse_body(&mut self, tag: &str, open: Span, ends: &[&str]) -> (Vec<Node>, Option<EndTag>) {
        let (body, end) = self.parse_nodes(ends);
        if end.is_none() {
            let closing = ends.last().copied().unwrap_or("end");
            self.diagnostics.push(
                Diagnostic::new(
                    Code::UnclosedTag,
                    open,
                    format!("unclosed `{{% {tag} %}}` tag"),
                )
                .with_label(format!("this `{tag}` is never closed"))
                .with_help(format!(
                    "add `{{% {closing} %}}` where the `{tag}` should end"
                )),
            );
        }
        (body, end)
    }

    /// Parses `args` (which start at byte `start`) with `rule`; reports E0701
    /// and returns `None` when they don't parse.
    fn args<'a>(
        &mut self,
        rule: Rule,
        tag: &str,
        args: &'a str,
        start: usize,
    ) -> Option<Pair<'a, Rule>> {
        match TemplateParser::parse(rule, args) {
            Ok(mut pairs) => pairs.next(),
            Err(error) => {
                use pest::error::InputLocation;
                let (s, e) = match error.location {
                    InputLocation::Pos(p) => (p, p),
                    InputLocation::Span(span) => span,
                };
                let rest = args[s..].trim_end();
                let e = if e > s { e } else { s + rest.len() };
                let found = if rest.is_empty() {
                    "the end of the tag".to_string()
                } else {
                    format!("`{rest}`")
                };
                let span = self.span(start + s, start + e.max(s));
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::TemplateSyntax,
                        span,
                        format!("malformed `{{% {tag} %}}` tag: could not parse {found}"),
                    )
                    .with_label("unexpected here")
                    .with_help(format!("expected {}", tag_syntax(tag))),
                );
                None
            }
        }
    }

    fn parse_var(&mut self, token: Token) -> Option<FilterExpr> {
        let content = &self.text[token.content_start..token.content_end];
        let lead = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        if trimmed.is_empty() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TemplateSyntax,
                    self.span(token.start, token.end),
                    "empty variable tag",
                )
                .with_label("nothing to print"),
            );
            return None;
        }
        let start = token.content_start + lead;
        let pair = self.args(Rule::var_args, "{{ }}", trimmed, start)?;
        let expr = pair.into_inner().next().expect("filter_expr (var_args)");
        self.filter_expr(expr, start)
    }

    fn parse_block_tag(
        &mut self,
        name: &str,
        args_start: usize,
        args: &str,
        span: Span,
        name_start: usize,
    ) -> Option<Node> {
        let name_span = self.span(name_start, name_start + name.len());
        if name.is_empty() {
            self.diagnostics.push(
                Diagnostic::new(Code::TemplateSyntax, span, "empty block tag")
                    .with_label("no tag name"),
            );
            return None;
        }
        let a = args_start;
        match name {
            "if" => self.parse_if(args, a, span),
            "for" => self.parse_for(args, a, span),
            "with" => {
                let pair = self.args(Rule::with_args, name, args, a);
                let (body, end) = self.parse_body("with", span, &["endwith"]);
                let bindings = pair.map(|p| self.bindings(p, a)).unwrap_or_default();
                Some(Node::With {
                    bindings,
                    body,
                    span: self.through(span, &end),
                })
            }
            "block" => self.parse_block(args, a, span),
            "extends" => {
                let parent = self
                    .args(Rule::extends_args, name, args, a)
                    .and_then(|p| self.first_filter_expr(p, a));
                if self.extends.is_some() {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::MisplacedExtends,
                            span,
                            "`{% extends %}` appears more than once",
                        )
                        .with_label("second `extends`")
                        .with_secondary(
                            self.extends.as_ref().map_or(span, |e| e.span),
                            "first `extends` here",
                        ),
                    );
                } else if self.seen_non_text {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::MisplacedExtends,
                            span,
                            "`{% extends %}` must be the first tag in the template",
                        )
                        .with_label("preceded by other tags")
                        .with_help("move it to the top of the file"),
                    );
                } else if let Some(parent) = parent {
                    self.extends = Some(Extends { parent, span });
                }
                self.seen_non_text = true;
                None
            }
            "include" => {
                let pair = self.args(Rule::include_args, name, args, a)?;
                let mut template = None;
                let mut bindings = Vec::new();
                let mut only = false;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::filter_expr => template = self.filter_expr(part, a),
                        Rule::include_with => bindings.extend(self.bindings(part, a)),
                        Rule::kw_only => only = true,
                        Rule::EOI => {}
                        rule => unreachable!("{rule:?} (include_args)"),
                    }
                }
                Some(Node::Include {
                    template: template?,
                    bindings,
                    only,
                    span,
                })
            }
            "url" => {
                let pair = self.args(Rule::url_args, name, args, a)?;
                let mut url_name = None;
                let mut url_args = Vec::new();
                let mut as_var = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::filter_expr => url_name = self.filter_expr(part, a),
                        Rule::url_arg => {
                            let inner = part.into_inner().next().expect("alternative (url_arg)");
                            match inner.as_rule() {
                                Rule::binding => {
                                    url_args.extend(self.binding(inner, a).map(UrlArg::Keyword))
                                }
                                Rule::filter_expr => url_args
                                    .extend(self.filter_expr(inner, a).map(UrlArg::Positional)),
                                rule => unreachable!("{rule:?} (url_arg)"),
                            }
                        }
                        Rule::as_var => as_var = Some(self.as_var(part, a)),
                        Rule::EOI => {}
                        rule => unreachable!("{rule:?} (url_args)"),
                    }
                }
                Some(Node::Url {
                    name: url_name?,
                    args: url_args,
                    as_var,
                    span,
                })
            }
            "static" => {
                let pair = self.args(Rule::static_args, name, args, a)?;
                let mut path = None;
                let mut as_var = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::filter_expr => path = self.filter_expr(part, a),
                        Rule::as_var => as_var = Some(self.as_var(part, a)),
                        Rule::EOI => {}
                        rule => unreachable!("{rule:?} (static_args)"),
                    }
                }
                Some(Node::Static {
                    path: path?,
                    as_var,
                    span,
                })
            }
            "csrf_token" => {
                self.args(Rule::no_args, name, args, a)?;
                Some(Node::CsrfToken { span })
            }
            "comment" => {
                self.args(Rule::comment_args, name, args, a);
                self.skip_past("comment", "endcomment", span);
                None
            }
            "spaceless" => {
                self.args(Rule::no_args, name, args, a);
                let (body, end) = self.parse_body("spaceless", span, &["endspaceless"]);
                Some(Node::Spaceless {
                    body,
                    span: self.through(span, &end),
                })
            }
            "autoescape" => {
                let enabled = self
                    .args(Rule::autoescape_args, name, args, a)
                    .map(|p| p.into_inner().any(|x| x.as_rule() == Rule::kw_on));
                let (body, end) = self.parse_body("autoescape", span, &["endautoescape"]);
                Some(Node::Autoescape {
                    enabled: enabled.unwrap_or(true),
                    body,
                    span: self.through(span, &end),
                })
            }
            "filter" => {
                let filters = self
                    .args(Rule::filter_tag_args, name, args, a)
                    .map(|p| self.filter_tag_filters(p, a))
                    .unwrap_or_default();
                let (body, end) = self.parse_body("filter", span, &["endfilter"]);
                Some(Node::Filter {
                    filters,
                    body,
                    span: self.through(span, &end),
                })
            }
            "cycle" => {
                let pair = self.args(Rule::cycle_args, name, args, a)?;
                let mut values = Vec::new();
                let mut as_var = None;
                let mut silent = false;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::filter_expr => values.extend(self.filter_expr(part, a)),
                        Rule::var_name => as_var = Some(self.name(&part, a)),
                        Rule::kw_silent => silent = true,
                        Rule::kw_as | Rule::EOI => {}
                        rule => unreachable!("{rule:?} (cycle_args)"),
                    }
                }
                Some(Node::Cycle {
                    values,
                    as_var,
                    silent,
                    span,
                })
            }
            "firstof" => {
                let pair = self.args(Rule::firstof_args, name, args, a)?;
                let mut values = Vec::new();
                let mut as_var = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::filter_expr => values.extend(self.filter_expr(part, a)),
                        Rule::as_var => as_var = Some(self.as_var(part, a)),
                        Rule::EOI => {}
                        rule => unreachable!("{rule:?} (firstof_args)"),
                    }
                }
                Some(Node::Firstof {
                    values,
                    as_var,
                    span,
                })
            }
            "verbatim" => {
                self.args(Rule::verbatim_args, name, args, a);
                let end_name = match args.trim() {
                    "" => "endverbatim".to_string(),
                    label => format!("endverbatim {label}"),
                };
                let body_start = self
                    .tokens
                    .get(self.pos)
                    .map_or(self.text.len(), |t| t.start);
                match self.skip_past("verbatim", &end_name, span) {
                    Some(end) => Some(Node::Verbatim {
                        text: self.text[body_start..end.start as usize].to_string(),
                        span: span.to(end),
                    }),
                    None => None,
                }
            }
            "templatetag" => {
                let pair = self.args(Rule::templatetag_args, name, args, a)?;
                let which = pair
                    .into_inner()
                    .next()
                    .expect("var_name (templatetag_args)");
                let output = match which.as_str() {
                    "openblock" => "{%",
                    "closeblock" => "%}",
                    "openvariable" => "{{",
                    "closevariable" => "}}",
                    "openbrace" => "{",
                    "closebrace" => "}",
                    "opencomment" => "{#",
                    "closecomment" => "#}",
                    other => {
                        let span = self.pair_span(&which, a);
                        self.diagnostics.push(
                            Diagnostic::new(Code::TemplateSyntax, span, format!("invalid `templatetag` argument `{other}`"))
                                .with_label("not a template delimiter name")
                                .with_help("use one of openblock, closeblock, openvariable, closevariable, openbrace, closebrace, opencomment, closecomment"),
                        );
                        return None;
                    }
                };
                Some(Node::TemplateTag { output, span })
            }
            "widthratio" => {
                let pair = self.args(Rule::widthratio_args, name, args, a)?;
                let mut values = Vec::new();
                let mut as_var = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::filter_expr => values.push(self.filter_expr(part, a)),
                        Rule::as_var => as_var = Some(self.as_var(part, a)),
                        Rule::EOI => {}
                        rule => unreachable!("{rule:?} (widthratio_args)"),
                    }
                }
                let [value, max_value, max_width]: [Option<FilterExpr>; 3] =
                    values.try_into().ok()?;
                Some(Node::WidthRatio {
                    value: value?,
                    max_value: max_value?,
                    max_width: max_width?,
                    as_var,
                    span,
                })
            }
            "now" => {
                let pair = self.args(Rule::now_args, name, args, a)?;
                let mut format = String::new();
                let mut as_var = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::string_lit => format = string_value(&part),
                        Rule::as_var => as_var = Some(self.as_var(part, a)),
                        Rule::EOI => {}
                        rule => unreachable!("{rule:?} (now_args)"),
                    }
                }
                Some(Node::Now {
                    format,
                    as_var,
                    span,
                })
            }
            "load" => {
                self.args(Rule::load_args, name, args, a);
                None
            }
            "elif" | "else" | "endif" | "empty" | "endfor" | "endwith" | "endblock"
            | "endcomment" | "endspaceless" | "endautoescape" | "endfilter" | "endverbatim" => {
                if self.seen_unknown_tag {
                    return None;
                }
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnexpectedTag,
                        name_span,
                        format!("unexpected `{{% {name} %}}`"),
                    )
                    .with_label("no open tag that this belongs to"),
                );
                None
            }
            _ if UNSUPPORTED_TAGS.contains(&name) => {
                self.seen_unknown_tag = true;
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownTag,
                        name_span,
                        format!("the `{{% {name} %}}` tag is not supported by djinn"),
                    )
                    .with_label("Django has this tag; djinn does not compile it yet")
                    .with_note("see docs/templates.md for the supported tags"),
                );
                None
            }
            _ => {
                self.seen_unknown_tag = true;
                let diagnostic = Diagnostic::new(
                    Code::UnknownTag,
                    name_span,
                    format!("unknown tag `{{% {name} %}}`"),
                )
                .with_label("not a built-in Django tag");
                let diagnostic = match did_you_mean(name, KNOWN_TAGS.iter().copied()) {
                    Some(best) => diagnostic.with_help(format!("a tag with a similar name exists: `{best}`")),
                    None => diagnostic.with_note("djinn compiles Django's built-in tags; custom tag libraries are not supported"),
                };
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    fn parse_if(&mut self, args: &str, a: usize, span: Span) -> Option<Node> {
        let mut branches = Vec::new();
        let mut otherwise = None;
        let mut condition = self.if_condition(args, "if", a);
        let mut branch_span = span;
        let mut end_span = span;
        loop {
            let (body, end) = self.parse_body("if", span, &["elif", "else", "endif"]);
            if let Some(condition) = condition.take() {
                branches.push(IfBranch {
                    condition,
                    body,
                    span: branch_span,
                });
            }
            let Some(end) = end else { break };
            end_span = end.span;
            match end.name.as_str() {
                "elif" => {
                    condition = self.if_condition(&end.args, "elif", end.args_start);
                    branch_span = end.span;
                }
                "else" => {
                    self.args(Rule::no_args, "else", &end.args, end.args_start);
                    let (body, end) = self.parse_body("if", span, &["endif"]);
                    otherwise = Some(body);
                    if let Some(end) = end {
                        end_span = end.span;
                    }
                    break;
                }
                _ => break,
            }
        }
        if branches.is_empty() {
            return None;
        }
        Some(Node::If {
            branches,
            otherwise,
            span: span.to(end_span),
        })
    }

    fn if_condition(&mut self, args: &str, tag: &str, a: usize) -> Option<IfExpr> {
        let pair = self.args(Rule::if_args, tag, args, a)?;
        let or = pair.into_inner().next().expect("if_or (if_args)");
        self.if_expr(or, a)
    }

    fn if_expr(&mut self, pair: Pair<'_, Rule>, a: usize) -> Option<IfExpr> {
        match pair.as_rule() {
            Rule::if_or | Rule::if_and => {
                let is_or = pair.as_rule() == Rule::if_or;
                let mut result: Option<IfExpr> = None;
                for part in pair
                    .into_inner()
                    .filter(|p| !matches!(p.as_rule(), Rule::kw_or | Rule::kw_and))
                {
                    let next = self.if_expr(part, a)?;
                    result = Some(match result {
                        None => next,
                        Some(acc) if is_or => IfExpr::Or(Box::new(acc), Box::new(next)),
                        Some(acc) => IfExpr::And(Box::new(acc), Box::new(next)),
                    });
                }
                result
            }
            Rule::if_not => {
                self.if_expr(pair.into_inner().next().expect("alternative (if_not)"), a)
            }
            Rule::if_negation => {
                let inner = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::if_not)
                    .expect("if_not (if_negation)");
                Some(IfExpr::Not(Box::new(self.if_expr(inner, a)?)))
            }
            Rule::if_comparison => {
                let mut parts = pair.into_inner();
                let lhs = self.if_operand(parts.next().expect("if_operand (if_comparison)"), a)?;
                let Some(op) = parts.next() else {
                    return Some(IfExpr::Test(lhs));
                };
                let op = match op
                    .into_inner()
                    .next()
                    .expect("alternative (compare_op)")
                    .as_rule()
                {
                    Rule::op_eq => CompareOp::Eq,
                    Rule::op_ne => CompareOp::Ne,
                    Rule::op_le => CompareOp::Le,
                    Rule::op_ge => CompareOp::Ge,
                    Rule::op_lt => CompareOp::Lt,
                    Rule::op_gt => CompareOp::Gt,
                    Rule::op_not_in => CompareOp::NotIn,
                    Rule::op_in => CompareOp::In,
                    Rule::op_is_not => CompareOp::IsNot,
                    Rule::op_is => CompareOp::Is,
                    rule => unreachable!("{rule:?} (compare_op)"),
                };
                let rhs = self.if_operand(parts.next().expect("if_operand (if_comparison)"), a)?;
                Some(IfExpr::Compare { op, lhs, rhs })
            }
            rule => unreachable!("{rule:?} (if expression)"),
        }
    }

    fn if_operand(&mut self, pair: Pair<'_, Rule>, a: usize) -> Option<FilterExpr> {
        let expr = pair.into_inner().next().expect("filter_expr (if_operand)");
        self.filter_expr(expr, a)
    }

    fn parse_for(&mut self, args: &str, a: usize, span: Span) -> Option<Node> {
        let pair = self.args(Rule::for_args, "for", args, a);
        let (body, end) = self.parse_body("for", span, &["empty", "endfor"]);
        let mut end_span = end.as_ref().map(|e| e.span);
        let empty = match end {
            Some(end) if end.name == "empty" => {
                self.args(Rule::no_args, "empty", &end.args, end.args_start);
                let (empty_body, close) = self.parse_body("for", span, &["endfor"]);
                end_span = close.map(|c| c.span);
                Some(empty_body)
            }
            _ => None,
        };
        let pair = pair?;
        let mut targets = Vec::new();
        let mut iterable = None;
        let mut reversed = false;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::for_targets => {
                    targets = part.into_inner().map(|n| self.name(&n, a)).collect()
                }
                Rule::filter_expr => iterable = self.filter_expr(part, a),
                Rule::kw_reversed => reversed = true,
                Rule::kw_in | Rule::EOI => {}
                rule => unreachable!("{rule:?} (for_args)"),
            }
        }
        Some(Node::For {
            targets,
            iterable: iterable?,
            reversed,
            body,
            empty,
            span: end_span.map_or(span, |e| span.to(e)),
        })
    }

    fn parse_block(&mut self, args: &str, a: usize, span: Span) -> Option<Node> {
        let pair = self.args(Rule::block_args, "block", args, a);
        let name = pair.map(|p| {
            let n = p.into_inner().next().expect("var_name (block_args)");
            self.name(&n, a)
        });
        let (body, end) = self.parse_body("block", span, &["endblock"]);
        if let (Some(name), Some(end)) = (&name, &end) {
            let closing = end.args.trim();
            if !closing.is_empty() && closing != name.name {
                let offset = end.args.len() - end.args.trim_start().len();
                let closing_span = self.span(
                    end.args_start + offset,
                    end.args_start + offset + closing.len(),
                );
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnexpectedTag,
                        closing_span,
                        format!("`endblock {closing}` closes block `{}`", name.name),
                    )
                    .with_label("this name does not match")
                    .with_secondary(name.span, "the block opened here")
                    .with_help(format!(
                        "write `{{% endblock {} %}}` or just `{{% endblock %}}`",
                        name.name
                    )),
                );
            }
        }
        let name = name?;
        if let Some(first) = self.blocks.get(&name.name) {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::DuplicateBlock,
                    name.span,
                    format!("block `{}` is defined twice", name.name),
                )
                .with_label("second definition")
                .with_secondary(*first, "first defined here"),
            );
        } else {
            self.blocks.insert(name.name.clone(), name.span);
        }
        Some(Node::Block {
            name,
            body,
            span: self.through(span, &end),
        })
    }

    /// Skips tokens up to and including a block tag whose trimmed content is
    /// exactly `end`; returns its span, or reports the open tag as unclosed.
    fn skip_past(&mut self, tag: &str, end: &str, open: Span) -> Option<Span> {
        while self.pos < self.tokens.len() {
            let token = self.tokens[self.pos];
            self.pos += 1;
            if token.kind == TokenKind::Block
                && self.text[token.content_start..token.content_end].trim() == end
            {
                return Some(self.span(token.start, token.end));
            }
        }
        self.diagnostics.push(
            Diagnostic::new(
                Code::UnclosedTag,
                open,
                format!("unclosed `{{% {tag} %}}` tag"),
            )
            .with_label(format!("this `{tag}` is never closed"))
            .with_help(format!("add `{{% {end} %}}`")),
        );
        None
    }

    fn through(&self, open: Span, end: &Option<EndTag>) -> Span {
        end.as_ref().map_or(open, |e| open.to(e.span))
    }

    fn pair_span(&self, pair: &Pair<'_, Rule>, a: usize) -> Span {
        let s = pair.as_span();
        self.span(a + s.start(), a + s.end())
    }

    fn name(&self, pair: &Pair<'_, Rule>, a: usize) -> Name {
        Name {
            name: pair.as_str().to_string(),
            span: self.pair_span(pair, a),
        }
    }

    fn as_var(&self, pair: Pair<'_, Rule>, a: usize) -> Name {
        let name = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::var_name)
            .expect("var_name (as_var)");
        self.name(&name, a)
    }

    fn first_filter_expr(&mut self, pair: Pair<'_, Rule>, a: usize) -> Option<FilterExpr> {
        let expr = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::filter_expr)?;
        self.filter_expr(expr, a)
    }

    fn bindings(&mut self, pair: Pair<'_, Rule>, a: usize) -> Vec<Binding> {
        let mut out = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::binding => out.extend(self.binding(part, a)),
                Rule::legacy_binding => {
                    let mut inner = part.into_inner().filter(|p| p.as_rule() != Rule::kw_as);
                    let value = inner.next().expect("filter_expr (legacy_binding)");
                    let name = inner.next().expect("var_name (legacy_binding)");
                    let name = self.name(&name, a);
                    if let Some(value) = self.filter_expr(value, a) {
                        out.push(Binding { name, value });
                    }
                }
                Rule::kw_with | Rule::EOI => {}
                rule => unreachable!("{rule:?} (bindings)"),
            }
        }
        out
    }

    fn binding(&mut self, pair: Pair<'_, Rule>, a: usize) -> Option<Binding> {
        let mut inner = pair.into_inner();
        let name = self.name(&inner.next().expect("var_name (binding)"), a);
        let value = self.filter_expr(inner.next().expect("filter_expr (binding)"), a)?;
        Some(Binding { name, value })
    }

    fn filter_tag_filters(&mut self, pair: Pair<'_, Rule>, a: usize) -> Vec<FilterCall> {
        let mut filters = Vec::new();
        let mut parts = pair.into_inner().peekable();
        // The first filter is written without `|`: name, then an optional argument.
        if let Some(first) = parts.next().filter(|p| p.as_rule() == Rule::filter_name) {
            let name = self.name(&first, a);
            let arg = match parts.peek().map(Pair::as_rule) {
                Some(Rule::operand) => parts.next().and_then(|p| self.operand(p, a)),
                _ => None,
            };
            let end = arg.as_ref().map_or(name.span, |x| x.span());
            filters.push(FilterCall {
                span: name.span.to(end),
                name,
                arg,
            });
        }
        for part in parts {
            if part.as_rule() == Rule::filter_call {
                filters.extend(self.filter_call(part, a));
            }
        }
        filters
    }

    fn filter_expr(&mut self, pair: Pair<'_, Rule>, a: usize) -> Option<FilterExpr> {
        let span = self.pair_span(&pair, a);
        let mut inner = pair.into_inner();
        let base = self.operand(inner.next().expect("operand (filter_expr)"), a)?;
        let mut filters = Vec::new();
        for call in inner {
            filters.push(self.filter_call(call, a)?);
        }
        Some(FilterExpr {
            base,
            filters,
            span,
        })
    }

    fn filter_call(&mut self, pair: Pair<'_, Rule>, a: usize) -> Option<FilterCall> {
        let mut inner = pair.into_inner();
        let name = self.name(&inner.next().expect("filter_name (filter_call)"), a);
        let arg = match inner.next() {
            Some(arg) => Some(self.operand(arg, a)?),
            None => None,
        };
        let end = arg.as_ref().map_or(name.span, Operand::span);
        Some(FilterCall {
            span: name.span.to(end),
            name,
            arg,
        })
    }

    fn operand(&mut self, pair: Pair<'_, Rule>, a: usize) -> Option<Operand> {
        let inner = pair.into_inner().next().expect("alternative (operand)");
        let span = self.pair_span(&inner, a);
        match inner.as_rule() {
            Rule::string_lit => Some(Operand::Str {
                value: string_value(&inner),
                translated: false,
                span,
            }),
            Rule::i18n_lit => {
                let lit = inner.into_inner().next().expect("string_lit (i18n_lit)");
                Some(Operand::Str {
                    value: string_value(&lit),
                    translated: true,
                    span,
                })
            }
            Rule::number_lit => Some(Operand::Number {
                text: inner.as_str().to_string(),
                span,
            }),
            Rule::variable => {
                let text = inner.as_str();
                let start = a + inner.as_span().start();
                let mut path = Vec::new();
                let mut offset = 0;
                for part in text.split('.') {
                    let part_span = self.span(start + offset, start + offset + part.len());
                    if part.is_empty() || part.starts_with('_') {
                        let message = if part.is_empty() {
                            format!("malformed variable `{text}`: empty attribute name")
                        } else {
                            format!(
                                "variables and attributes may not begin with underscores: `{part}`"
                            )
                        };
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::TemplateSyntax,
                                if part.is_empty() { span } else { part_span },
                                message,
                            )
                            .with_label("not a valid name here"),
                        );
                        return None;
                    }
                    path.push(Name {
                        name: part.to_string(),
                        span: part_span,
                    });
                    offset += part.len() + 1;
                }
                Some(Operand::Variable { path, span })
            }
            rule => unreachable!("{rule:?} (operand)"),
        }
    }
}

/// The value of a `string_lit` pair, with Django's unescaping (`\"` or `\'`
/// for the quote used, and `\\`).
fn string_value(pair: &Pair<'_, Rule>) -> String {
    let raw = pair.as_str();
    let quote = &raw[..1];
    let inner = &raw[1..raw.len() - 1];
    inner
        .replace(&format!("\\{quote}"), quote)
        .replace("\\\\", "\\")
}

/// The expected syntax of a tag, for `help:` lines.
fn tag_syntax(tag: &str) -> &'static str {
    match tag {
        "{{ }}" => "`{{ value|filter:argument }}`",
        "if" => {
            "`{% if condition %}` with `and`, `or`, `not`, `==`, `!=`, `<`, `>`, `<=`, `>=`, `in`, `not in`, `is`, `is not`"
        }
        "elif" => "`{% elif condition %}`",
        "for" => "`{% for item in items %}` or `{% for a, b in pairs reversed %}`",
        "with" => "`{% with name=value other=value %}`",
        "block" => "`{% block name %}`",
        "extends" => "`{% extends \"base.html\" %}`",
        "include" => "`{% include \"name.html\" with a=b only %}`",
        "url" => "`{% url \"name\" arg key=value as var %}`",
        "static" => "`{% static \"path\" %}` or `{% static \"path\" as var %}`",
        "autoescape" => "`{% autoescape on %}` or `{% autoescape off %}`",
        "filter" => "`{% filter lower|escape %}`",
        "cycle" => "`{% cycle \"a\" \"b\" %}` or `{% cycle \"a\" \"b\" as name silent %}`",
        "firstof" => "`{% firstof a b \"default\" %}`",
        "templatetag" => "`{% templatetag openblock %}`",
        "widthratio" => "`{% widthratio value max_value max_width %}`",
        "now" => "`{% now \"Y-m-d\" %}`",
        "load" => "`{% load library %}`",
        "comment" => "`{% comment %}` or `{% comment \"note\" %}`",
        "verbatim" => "`{% verbatim %}` or `{% verbatim name %}`",
        _ => "no arguments",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Template, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let template = parse_template(FileId(0), text, &mut diagnostics);
        (template, diagnostics)
    }

    fn parse_ok(text: &str) -> Template {
        let (template, diagnostics) = parse(text);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        template
    }

    #[test]
    fn lexing_follows_django() {
        // A tag never spans a line; an unclosed `{{` is text.
        let t = parse_ok("a {{ x\n}} b {{ y }}");
        assert_eq!(t.nodes.len(), 2);
        assert!(matches!(&t.nodes[0], Node::Text { text, .. } if text == "a {{ x\n}} b "));
        // The first `}}` ends the tag.
        let t = parse_ok("{{ a }}}");
        assert!(matches!(&t.nodes[1], Node::Text { text, .. } if text == "}"));
    }

    #[test]
    fn filter_expressions() {
        let t = parse_ok("{{ post.title|default:\"none\"|truncatewords:3 | upper }}");
        let Node::Var { expr, .. } = &t.nodes[0] else {
            panic!()
        };
        let Operand::Variable { path, .. } = &expr.base else {
            panic!()
        };
        assert_eq!(
            path.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["post", "title"]
        );
        let names: Vec<_> = expr.filters.iter().map(|f| f.name.name.as_str()).collect();
        assert_eq!(names, ["default", "truncatewords", "upper"]);
        assert!(
            matches!(&expr.filters[0].arg, Some(Operand::Str { value, .. }) if value == "none")
        );
    }

    #[test]
    fn if_precedence_is_djangos() {
        let t = parse_ok("{% if a or b and not c == 1 %}x{% elif d in e %}y{% else %}z{% endif %}");
        let Node::If {
            branches,
            otherwise,
            ..
        } = &t.nodes[0]
        else {
            panic!()
        };
        assert_eq!(branches.len(), 2);
        assert!(otherwise.is_some());
        let IfExpr::Or(_, rhs) = &branches[0].condition else {
            panic!("{:?}", branches[0].condition)
        };
        let IfExpr::And(_, not) = rhs.as_ref() else {
            panic!()
        };
        let IfExpr::Not(cmp) = not.as_ref() else {
            panic!()
        };
        assert!(matches!(
            cmp.as_ref(),
            IfExpr::Compare {
                op: CompareOp::Eq,
                ..
            }
        ));
        // A variable that starts with an operator word is still a variable.
        parse_ok("{% if order and notes %}{% endif %}");
        parse_ok("{% if x is not None %}{% endif %}");
        parse_ok("{% if x not in y %}{% endif %}");
    }

    #[test]
    fn loops_blocks_and_the_rest() {
        let t = parse_ok(
            "{% extends \"base.html\" %}{% block content %}{% for k, v in items reversed %}{{ forloop.counter }}{% empty %}none{% endfor %}{% endblock content %}",
        );
        assert!(t.extends.is_some());
        let Node::Block { body, .. } = &t.nodes[0] else {
            panic!()
        };
        let Node::For {
            targets,
            reversed,
            empty,
            ..
        } = &body[0]
        else {
            panic!()
        };
        assert_eq!(targets.len(), 2);
        assert!(*reversed && empty.is_some());
        parse_ok(
            "{% load static %}{% with a=b c=\"d\" %}{% url 'post-detail' post.slug as u %}{% static 'x.css' %}{% csrf_token %}{% endwith %}\
             {% comment %}{% bogus %}{% endcomment %}{# x #}{% spaceless %}<p> </p>{% endspaceless %}\
             {% autoescape off %}{{ x }}{% endautoescape %}{% filter lower|escape %}X{% endfilter %}\
             {% cycle 'a' 'b' as c silent %}{% firstof a b 'c' %}{% verbatim %}{{ raw }}{% endverbatim %}\
             {% templatetag openblock %}{% widthratio a b 100 %}{% now \"Y\" %}{% include 'x.html' with a=1 only %}",
        );
    }

    #[test]
    fn verbatim_keeps_raw_text() {
        let t = parse_ok("{% verbatim %}{{ a }}{% if %}{% endverbatim %}");
        assert!(matches!(&t.nodes[0], Node::Verbatim { text, .. } if text == "{{ a }}{% if %}"));
    }

    #[test]
    fn structural_errors() {
        let (_, d) = parse("{% if a %}x");
        assert_eq!(d[0].code, Code::UnclosedTag);
        let (_, d) = parse("{% endfor %}");
        assert_eq!(d[0].code, Code::UnexpectedTag);
        let (_, d) = parse("{% fore x in y %}");
        assert_eq!(d[0].code, Code::UnknownTag);
        assert!(d[0].help.as_deref().unwrap().contains("`for`"));
        let (_, d) = parse("{% block a %}{% endblock %}{% block a %}{% endblock %}");
        assert_eq!(d[0].code, Code::DuplicateBlock);
        let (_, d) = parse("{{ x }}{% extends 'b.html' %}");
        assert_eq!(d[0].code, Code::MisplacedExtends);
        let (_, d) = parse("{% for x of y %}{% endfor %}");
        assert_eq!(d[0].code, Code::TemplateSyntax);
        let (_, d) = parse("{{ _private }}");
        assert_eq!(d[0].code, Code::TemplateSyntax);
        let (_, d) = parse("{{ }}");
        assert_eq!(d[0].code, Code::TemplateSyntax);
    }
}
