//! The template AST: a Django template as written, with spans.
//!
//! Produced by [`super::parse_template`]; consumed by the template checker
//! and code generation. Comments (`{# #}`, `{% comment %}`) and `{% load %}`
//! leave no node: they render nothing.

use crate::source::Span;
pub use crate::syntax::ast::Ident as Name;

/// One parsed template file.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// `{% extends … %}`, if the template has one.
    pub extends: Option<Extends>,
    /// The top-level nodes (for a child template, only its blocks matter).
    pub nodes: Vec<Node>,
}

/// `{% extends "base.html" %}`
#[derive(Clone, Debug, PartialEq)]
pub struct Extends {
    /// The parent template (a string constant or a variable).
    pub parent: FilterExpr,
    /// The whole tag.
    pub span: Span,
}

/// A node of the template tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal text.
    Text {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
    /// `{{ expression }}`
    Var {
        /// The expression printed.
        expr: FilterExpr,
        /// The whole tag.
        span: Span,
    },
    /// `{% if %}…{% elif %}…{% else %}…{% endif %}`
    If {
        /// The `if` and `elif` branches, in order.
        branches: Vec<IfBranch>,
        /// The `else` body.
        otherwise: Option<Vec<Node>>,
        /// From `{% if` to `endif %}`.
        span: Span,
    },
    /// `{% for x in xs reversed %}…{% empty %}…{% endfor %}`
    For {
        /// The loop variables (several for unpacking).
        targets: Vec<Name>,
        /// What is iterated.
        iterable: FilterExpr,
        /// `reversed`
        reversed: bool,
        /// The loop body.
        body: Vec<Node>,
        /// The `{% empty %}` body.
        empty: Option<Vec<Node>>,
        /// From `{% for` to `endfor %}`.
        span: Span,
    },
    /// `{% with a=b %}…{% endwith %}`
    With {
        /// The names bound.
        bindings: Vec<Binding>,
        /// The body.
        body: Vec<Node>,
        /// The whole construct.
        span: Span,
    },
    /// `{% block name %}…{% endblock %}`
    Block {
        /// The block's name.
        name: Name,
        /// Its default content.
        body: Vec<Node>,
        /// The whole construct.
        span: Span,
    },
    /// `{% include "x.html" with a=b only %}`
    Include {
        /// The included template.
        template: FilterExpr,
        /// Extra names.
        bindings: Vec<Binding>,
        /// `only`: the included template sees just the bindings.
        only: bool,
        /// The whole tag.
        span: Span,
    },
    /// `{% url "name" arg key=value as var %}`
    Url {
        /// The URL name.
        name: FilterExpr,
        /// Its arguments.
        args: Vec<UrlArg>,
        /// `as var`: store instead of printing.
        as_var: Option<Name>,
        /// The whole tag.
        span: Span,
    },
    /// `{% static "path" %}`
    Static {
        /// The path under `static/`.
        path: FilterExpr,
        /// `as var`
        as_var: Option<Name>,
        /// The whole tag.
        span: Span,
    },
    /// `{% csrf_token %}`
    CsrfToken {
        /// The tag.
        span: Span,
    },
    /// `{% spaceless %}…{% endspaceless %}`
    Spaceless {
        /// The body.
        body: Vec<Node>,
        /// The whole construct.
        span: Span,
    },
    /// `{% autoescape on|off %}…{% endautoescape %}`
    Autoescape {
        /// `on`
        enabled: bool,
        /// The body.
        body: Vec<Node>,
        /// The whole construct.
        span: Span,
    },
    /// `{% filter f|g %}…{% endfilter %}`
    Filter {
        /// The filters applied to the rendered body.
        filters: Vec<FilterCall>,
        /// The body.
        body: Vec<Node>,
        /// The whole construct.
        span: Span,
    },
    /// `{% cycle a b c %}`
    Cycle {
        /// The values cycled through.
        values: Vec<FilterExpr>,
        /// `as name`
        as_var: Option<Name>,
        /// `silent`
        silent: bool,
        /// The tag.
        span: Span,
    },
    /// `{% firstof a b "x" %}`
    Firstof {
        /// The candidates.
        values: Vec<FilterExpr>,
        /// `as name`
        as_var: Option<Name>,
        /// The tag.
        span: Span,
    },
    /// `{% verbatim %}…{% endverbatim %}`: the raw text between.
    Verbatim {
        /// The text, unparsed.
        text: String,
        /// The whole construct.
        span: Span,
    },
    /// `{% templatetag openblock %}` → `{%`
    TemplateTag {
        /// What it prints.
        output: &'static str,
        /// The tag.
        span: Span,
    },
    /// `{% widthratio value max width %}`
    WidthRatio {
        /// The value.
        value: FilterExpr,
        /// The maximum value.
        max_value: FilterExpr,
        /// The width the maximum maps to.
        max_width: FilterExpr,
        /// `as name`
        as_var: Option<Name>,
        /// The tag.
        span: Span,
    },
    /// `{% now "Y-m-d" %}`
    Now {
        /// The date format.
        format: String,
        /// `as name`
        as_var: Option<Name>,
        /// The tag.
        span: Span,
    },
}

/// One `if` / `elif` branch.
#[derive(Clone, Debug, PartialEq)]
pub struct IfBranch {
    /// The condition.
    pub condition: IfExpr,
    /// The body.
    pub body: Vec<Node>,
    /// The `{% if … %}` / `{% elif … %}` tag.
    pub span: Span,
}

/// A condition of `{% if %}`, with Django's precedence (`or` < `and` < `not` < comparisons).
#[derive(Clone, Debug, PartialEq)]
pub enum IfExpr {
    /// `a or b`
    Or(Box<IfExpr>, Box<IfExpr>),
    /// `a and b`
    And(Box<IfExpr>, Box<IfExpr>),
    /// `not a`
    Not(Box<IfExpr>),
    /// `a == b`, `a in b`, …
    Compare {
        /// The operator.
        op: CompareOp,
        /// Left side.
        lhs: FilterExpr,
        /// Right side.
        rhs: FilterExpr,
    },
    /// A lone value, tested for truth.
    Test(FilterExpr),
}

/// The comparison operators of `{% if %}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `is`
    Is,
    /// `is not`
    IsNot,
}

/// `name=value`
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    /// The name bound.
    pub name: Name,
    /// Its value.
    pub value: FilterExpr,
}

/// An argument of `{% url %}`.
#[derive(Clone, Debug, PartialEq)]
pub enum UrlArg {
    /// `post.slug`
    Positional(FilterExpr),
    /// `slug=post.slug`
    Keyword(Binding),
}

/// `value|filter:arg|filter`
#[derive(Clone, Debug, PartialEq)]
pub struct FilterExpr {
    /// The value filtered.
    pub base: Operand,
    /// The filters, applied left to right.
    pub filters: Vec<FilterCall>,
    /// The whole expression.
    pub span: Span,
}

/// `|name` or `|name:arg`
#[derive(Clone, Debug, PartialEq)]
pub struct FilterCall {
    /// The filter's name.
    pub name: Name,
    /// Its argument.
    pub arg: Option<Operand>,
    /// From the name to the end of the argument.
    pub span: Span,
}

/// A value in an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// `post.author.name`: a context name and attribute lookups.
    Variable {
        /// The parts between dots; at least one.
        path: Vec<Name>,
        /// The whole path.
        span: Span,
    },
    /// `"text"` or `_("text")`.
    Str {
        /// The value, escapes resolved.
        value: String,
        /// Written as `_("…")`.
        translated: bool,
        /// The literal.
        span: Span,
    },
    /// `42`, `1.5`, `-3`.
    Number {
        /// The literal as written.
        text: String,
        /// The literal.
        span: Span,
    },
}

impl Operand {
    /// The operand's span.
    pub fn span(&self) -> Span {
        match self {
            Operand::Variable { span, .. }
            | Operand::Str { span, .. }
            | Operand::Number { span, .. } => *span,
        }
    }
}
