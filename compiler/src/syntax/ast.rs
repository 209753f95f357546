//! The abstract syntax tree of `.djinn` files: what the user wrote, with spans.
//!
//! Produced by [`super::parse`], consumed by the resolver. Names are plain
//! [`Ident`]s here; the resolver turns them into ids. Nothing in this module
//! knows which names exist: `author Author` is a [`FieldType::Named`] whether
//! `Author` is a model or a typo.

use crate::source::Span;

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// A string literal: its unescaped value and the span of the literal
/// including quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrLit {
    /// The value, escapes resolved.
    pub value: String,
    /// The span of the whole literal, quotes included.
    pub span: Span,
}

/// All items of all `.djinn` files of a project, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpecFile {
    /// The items of the file, in order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `model Name { … }`
    Model(Model),
    /// `urls [name] { … }`
    Urls(UrlGroup),
    /// `view name(params): kind { … }`
    View(View),
    /// `admin Model { … }`
    Admin(Admin),
    /// `on post_save Model -> rust "module::fn"`
    Hook(Hook),
}

// ── models ──────────────────────────────────────────────────────────────────

/// `model Post { fields… meta { … } }`
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// `///` lines before the model, joined with newlines.
    pub doc: Option<String>,
    /// The model's name.
    pub name: Ident,
    /// Fields in declaration order.
    pub fields: Vec<Field>,
    /// The `meta` blocks (normally at most one; several are merged by the checker).
    pub meta: Vec<Meta>,
    /// The whole declaration.
    pub span: Span,
}

/// `title string(max = 200) unique`
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// `///` lines before the field.
    pub doc: Option<String>,
    /// The field's name.
    pub name: Ident,
    /// Its type.
    pub ty: FieldType,
    /// Options after the type, in order.
    pub options: Vec<FieldOption>,
    /// The whole field line.
    pub span: Span,
}

/// A field's type as written.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// A built-in type (`string(max = 100)`) or a model name (a foreign key),
    /// with optional arguments. The resolver decides which.
    Named {
        /// `string`, `decimal`, `Author`…
        name: Ident,
        /// `(max = 100)` or `(10, 2)`.
        args: Vec<TypeArg>,
        /// Name and arguments.
        span: Span,
    },
    /// `one Model`: a one-to-one relation.
    OneToOne {
        /// The target model.
        target: Ident,
        /// `one Model`.
        span: Span,
    },
    /// `many Model`: a many-to-many relation.
    ManyToMany {
        /// The target model.
        target: Ident,
        /// `many Model`.
        span: Span,
    },
    /// `choice { draft = "Draft", published = "Published" }`
    Choice {
        /// The choices, in order.
        choices: Vec<Choice>,
        /// The whole type.
        span: Span,
    },
}

impl FieldType {
    /// The span of the type as written.
    pub fn span(&self) -> Span {
        match self {
            FieldType::Named { span, .. }
            | FieldType::OneToOne { span, .. }
            | FieldType::ManyToMany { span, .. }
            | FieldType::Choice { span, .. } => *span,
        }
    }
}

/// One argument of a field type: `max = 100` or a positional `100`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeArg {
    /// `max` in `max = 100`; `None` for a positional argument.
    pub name: Option<Ident>,
    /// The value.
    pub value: Literal,
    /// The whole argument.
    pub span: Span,
}

/// `draft = "Draft"` in a choice type; the label defaults to the key.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// The stored value and the name used in queries.
    pub key: Ident,
    /// The human-readable label.
    pub label: Option<StrLit>,
    /// The whole choice.
    pub span: Span,
}

/// A field option: a flag (`unique`) or a setting (`default = draft`).
#[derive(Clone, Debug, PartialEq)]
pub struct FieldOption {
    /// `unique`, `default`, `on_delete`…
    pub name: Ident,
    /// The value after `=`, if any.
    pub value: Option<Value>,
    /// The whole option.
    pub span: Span,
}

/// A `meta { … }` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    /// The entries, in order.
    pub entries: Vec<MetaEntry>,
    /// The whole block.
    pub span: Span,
}

/// One entry of a `meta` block.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaEntry {
    /// `ordering = [-created_at, title]`
    Ordering {
        /// The order terms.
        terms: Vec<OrderTerm>,
        /// The whole entry.
        span: Span,
    },
    /// `index (status, created_at)` with an optional `name = "…"`.
    Index {
        /// The indexed fields.
        fields: Vec<Ident>,
        /// An explicit index name.
        name: Option<StrLit>,
        /// The whole entry.
        span: Span,
    },
    /// `unique (author, title)`
    Unique {
        /// The fields unique together.
        fields: Vec<Ident>,
        /// The whole entry.
        span: Span,
    },
    /// `check (price >= 0)` with an optional `name = "…"`.
    Check {
        /// The condition.
        condition: Condition,
        /// An explicit constraint name.
        name: Option<StrLit>,
        /// The whole entry.
        span: Span,
    },
    /// `permission publish "Can publish posts"`
    Permission {
        /// The codename.
        codename: Ident,
        /// The description.
        label: StrLit,
        /// The whole entry.
        span: Span,
    },
    /// Any other `key = value` (`str = "{title}"`, `verbose_name = "…"`).
    Setting {
        /// The key.
        key: Ident,
        /// The value.
        value: Value,
        /// The whole entry.
        span: Span,
    },
}

// ── urls ────────────────────────────────────────────────────────────────────

/// `urls { … }` (the root group) or `urls api { … }` (a named group).
#[derive(Clone, Debug, PartialEq)]
pub struct UrlGroup {
    /// `None` for the root group.
    pub name: Option<Ident>,
    /// The entries, in order (order matters for matching).
    pub entries: Vec<UrlEntry>,
    /// The whole block.
    pub span: Span,
}

/// One entry of a URL group.
#[derive(Clone, Debug, PartialEq)]
pub enum UrlEntry {
    /// `path "posts/<slug:slug>/" post_detail name = "post-detail"`
    Path(Route),
    /// `include "api/" api`
    Include {
        /// The prefix pattern (may contain parameters).
        prefix: PathPattern,
        /// The included group.
        group: Ident,
        /// The whole entry.
        span: Span,
    },
}

/// `path "pattern" view name = "url-name"`
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// The pattern.
    pub pattern: PathPattern,
    /// The view served.
    pub view: Ident,
    /// The URL name, used by `{% url %}` and redirects.
    pub name: Option<StrLit>,
    /// The whole entry.
    pub span: Span,
}

/// A URL pattern string, split into literal text and `<conv:name>` parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPattern {
    /// The pattern's pieces, in order.
    pub segments: Vec<PathSegment>,
    /// The string literal, quotes included.
    pub span: Span,
}

/// A piece of a URL pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text (`posts/`).
    Literal {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
    /// `<slug:slug>`; a parameter without converter (`<name>`) uses `str`.
    Param {
        /// The converter (`int`, `str`, `slug`, `uuid`, `path`); `None` if omitted.
        converter: Option<Ident>,
        /// The parameter name.
        name: Ident,
        /// The whole `<…>`.
        span: Span,
    },
}

// ── views ───────────────────────────────────────────────────────────────────

/// `view name(params): kind { clauses }`
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// `///` lines before the view.
    pub doc: Option<String>,
    /// The view's name.
    pub name: Ident,
    /// Parameters, filled from the URL.
    pub params: Vec<Param>,
    /// What kind of view.
    pub kind: ViewKind,
    /// The clauses in the block, in order.
    pub clauses: Vec<Clause>,
    /// The whole declaration.
    pub span: Span,
}

/// `slug: slug` in a view's parameter list.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The name.
    pub name: Ident,
    /// The type: a converter name.
    pub ty: Ident,
    /// The whole parameter.
    pub span: Span,
}

/// The generic views, plus redirects and hand-written Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GenericKind {
    /// Many objects, optionally paginated.
    List,
    /// One object.
    Detail,
    /// A form that creates an object.
    Create,
    /// A form that edits an object.
    Update,
    /// A confirmation page that deletes an object.
    Delete,
}

impl GenericKind {
    /// True for the views that change data: create, update, delete.
    pub fn writes(self) -> bool {
        matches!(
            self,
            GenericKind::Create | GenericKind::Update | GenericKind::Delete
        )
    }
}

/// The kind of a view, as written after the colon.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewKind {
    /// `list Post`, `json detail Post`, …
    Generic {
        /// Whether `json` was written before the kind.
        json: bool,
        /// Which generic view.
        kind: GenericKind,
        /// The model.
        model: Ident,
        /// The whole kind.
        span: Span,
    },
    /// `template "about.html"` (the template may also be given as a clause).
    Template {
        /// The template, if written inline.
        template: Option<StrLit>,
        /// The whole kind.
        span: Span,
    },
    /// `redirect "home"` or `redirect "post-detail"(slug = slug) permanent`.
    Redirect {
        /// Where to.
        target: UrlRef,
        /// `permanent` gives 301/308 instead of 302.
        permanent: bool,
        /// The whole kind.
        span: Span,
    },
    /// `rust "views::dashboard"`
    Rust {
        /// `module::function` under `src/`.
        path: StrLit,
        /// The whole kind.
        span: Span,
    },
}

impl ViewKind {
    /// The span of the kind as written.
    pub fn span(&self) -> Span {
        match self {
            ViewKind::Generic { span, .. }
            | ViewKind::Template { span, .. }
            | ViewKind::Redirect { span, .. }
            | ViewKind::Rust { span, .. } => *span,
        }
    }
}

/// A reference to a named URL with arguments: `"post-detail"(slug = object.slug)`.
/// A string containing `/` or `:` is a literal URL rather than a name.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlRef {
    /// The URL name (or literal URL).
    pub name: StrLit,
    /// Arguments, keyword or positional.
    pub args: Vec<Arg>,
    /// The whole reference.
    pub span: Span,
}

/// A keyword (`slug = object.slug`) or positional argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The keyword, if any.
    pub name: Option<Ident>,
    /// The value.
    pub value: Value,
    /// The whole argument.
    pub span: Span,
}

/// One clause in a view's block.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// What the clause says.
    pub kind: ClauseKind,
    /// The whole clause, keyword included.
    pub span: Span,
    /// The keyword.
    pub keyword: Span,
}

/// The clauses a view block may contain.
#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    /// `query Post.filter(…)`: the objects of a list view.
    Query(Expr),
    /// `get Post.filter(…)`: the one object of a detail / update / delete view.
    Get(Expr),
    /// `context name = expr` (repeatable).
    Context {
        /// The name the template sees.
        name: Ident,
        /// Its value.
        value: Expr,
    },
    /// `fields [a, b.c]`: form fields, or a JSON view's output fields.
    Fields(Vec<FieldPath>),
    /// `paginate 20`
    Paginate(IntLit),
    /// `template "blog/post_list.html"`
    Template(StrLit),
    /// `success "post-detail"(slug = object.slug)` (`redirect` may precede the name).
    Success(UrlRef),
    /// `login_required`
    LoginRequired,
    /// `staff_required`
    StaffRequired,
    /// `public`: explicitly no login required (silences the security lint).
    Public,
    /// `permission = "blog.change_post"`
    Permission(StrLit),
    /// `methods [GET, POST]`
    Methods(Vec<Ident>),
    /// `cache = 300` (seconds)
    Cache(IntLit),
}

/// An integer literal with its span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntLit {
    /// The value.
    pub value: i64,
    /// Where.
    pub span: Span,
}

/// A dotted path of names: `author.name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    /// The parts, at least one.
    pub parts: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

// ── the query language ──────────────────────────────────────────────────────

/// An expression: a query chain, a path, or a literal.
///
/// `Post.filter(status == published).order_by(-created_at)[:10]` is a chain
/// whose head is `Post` followed by three postfix operations.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `head.op(…).op(…)[…]`: a name followed by attribute accesses, method
    /// calls and slices. A plain name or dotted path is a chain without calls.
    Chain(Chain),
    /// A literal value.
    Literal(Literal),
    /// `[a, b, c]`
    List {
        /// The items.
        items: Vec<Expr>,
        /// The whole list.
        span: Span,
    },
}

impl Expr {
    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Chain(c) => c.span,
            Expr::Literal(l) => l.span,
            Expr::List { span, .. } => *span,
        }
    }
}

/// A value in an option, argument or lookup: the same as an expression.
pub type Value = Expr;

/// `head` followed by postfix operations.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    /// The first name (`Post`, `object`, `slug`).
    pub head: Ident,
    /// The operations after it, in order.
    pub ops: Vec<ChainOp>,
    /// The whole chain.
    pub span: Span,
}

/// One postfix operation of a [`Chain`].
#[derive(Clone, Debug, PartialEq)]
pub enum ChainOp {
    /// `.name` (an attribute or relation).
    Attr(Ident),
    /// `.name(args)` (a query method).
    Call {
        /// The method name.
        method: Ident,
        /// The arguments.
        args: Vec<CallArg>,
        /// Method name through `)`.
        span: Span,
    },
    /// `[start:end]` or `[index]`.
    Slice(Slice),
}

/// `[start:end]`, `[:end]`, `[start:]` or `[index]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slice {
    /// Start bound.
    pub start: Option<IntLit>,
    /// End bound.
    pub end: Option<IntLit>,
    /// `true` for `[a:b]` forms, `false` for `[index]`.
    pub is_range: bool,
    /// Brackets included.
    pub span: Span,
}

/// An argument of a query method.
#[derive(Clone, Debug, PartialEq)]
pub enum CallArg {
    /// A condition (`filter`, `exclude`).
    Condition(Condition),
    /// An ordering term (`order_by`): `-created_at`.
    Order(OrderTerm),
}

/// `-created_at` (descending) or `title` (ascending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderTerm {
    /// `true` when written with `-`.
    pub descending: bool,
    /// The field path.
    pub field: FieldPath,
    /// The whole term.
    pub span: Span,
}

/// A boolean condition over a model's fields: lookups combined with
/// `and`, `or`, `not` and parentheses. Commas between filter arguments mean `and`.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `field op value`
    Lookup(Lookup),
    /// `a and b`
    And(Box<Condition>, Box<Condition>, Span),
    /// `a or b`
    Or(Box<Condition>, Box<Condition>, Span),
    /// `not a`
    Not(Box<Condition>, Span),
}

impl Condition {
    /// The span of the whole condition.
    pub fn span(&self) -> Span {
        match self {
            Condition::Lookup(l) => l.span,
            Condition::And(_, _, s) | Condition::Or(_, _, s) | Condition::Not(_, s) => *s,
        }
    }
}

/// `title contains "rust"`, `author.name == "bot"`, `published_at is null`.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup {
    /// The left side: a field path, or a function of one (`length(title)`).
    pub lhs: Operand,
    /// The operator.
    pub op: LookupOp,
    /// The operator as written.
    pub op_span: Span,
    /// The right side; `None` for `is null` / `is not null`.
    pub rhs: Option<Expr>,
    /// The whole lookup.
    pub span: Span,
}

/// The left side of a lookup.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// `author.name`
    Field(FieldPath),
    /// `length(title)`
    Func {
        /// The function name.
        name: Ident,
        /// Its argument.
        arg: FieldPath,
        /// The whole call.
        span: Span,
    },
}

impl Operand {
    /// The span of the operand.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field(f) => f.span,
            Operand::Func { span, .. } => *span,
        }
    }
}

/// Django's field lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LookupOp {
    /// `==`, `exact`
    Eq,
    /// `!=`
    Ne,
    /// `<`, `lt`
    Lt,
    /// `<=`, `lte`
    Le,
    /// `>`, `gt`
    Gt,
    /// `>=`, `gte`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `iexact`
    IExact,
    /// `contains`
    Contains,
    /// `icontains`
    IContains,
    /// `startswith`
    StartsWith,
    /// `istartswith`
    IStartsWith,
    /// `endswith`
    EndsWith,
    /// `iendswith`
    IEndsWith,
    /// `is null`
    IsNull,
    /// `is not null`
    IsNotNull,
}

impl LookupOp {
    /// The Django lookup name (`exact`, `icontains`, `isnull`…).
    pub fn django_name(self) -> &'static str {
        match self {
            LookupOp::Eq | LookupOp::Ne => "exact",
            LookupOp::Lt => "lt",
            LookupOp::Le => "lte",
            LookupOp::Gt => "gt",
            LookupOp::Ge => "gte",
            LookupOp::In | LookupOp::NotIn => "in",
            LookupOp::IExact => "iexact",
            LookupOp::Contains => "contains",
            LookupOp::IContains => "icontains",
            LookupOp::StartsWith => "startswith",
            LookupOp::IStartsWith => "istartswith",
            LookupOp::EndsWith => "endswith",
            LookupOp::IEndsWith => "iendswith",
            LookupOp::IsNull | LookupOp::IsNotNull => "isnull",
        }
    }

    /// True for lookups that only make sense on text.
    pub fn is_text_only(self) -> bool {
        matches!(
            self,
            LookupOp::IExact
                | LookupOp::Contains
                | LookupOp::IContains
                | LookupOp::StartsWith
                | LookupOp::IStartsWith
                | LookupOp::EndsWith
                | LookupOp::IEndsWith
        )
    }
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// The value.
    pub kind: LiteralKind,
    /// Where.
    pub span: Span,
}

/// The kinds of literal.
#[derive(Clone, Debug, PartialEq)]
pub enum LiteralKind {
    /// `"text"`
    Str(String),
    /// `42`, `-1`
    Int(i64),
    /// `9.99` (kept as written, so decimals keep their digits).
    Float(String),
    /// `true` / `false`
    Bool(bool),
    /// `none`
    None,
}

// ── admin and hooks ─────────────────────────────────────────────────────────

/// `admin Post { list_display [title, author] search [title] … }`
#[derive(Clone, Debug, PartialEq)]
pub struct Admin {
    /// The model managed.
    pub model: Ident,
    /// The options, in order.
    pub options: Vec<AdminOption>,
    /// The whole block.
    pub span: Span,
}

/// One admin option: a name and a value (usually a list of field paths).
#[derive(Clone, Debug, PartialEq)]
pub struct AdminOption {
    /// `list_display`, `list_filter`, `search`, `ordering`, `list_per_page`, `fields`, `readonly`.
    pub name: Ident,
    /// The value.
    pub value: AdminValue,
    /// The whole option.
    pub span: Span,
}

/// The value of an admin option.
#[derive(Clone, Debug, PartialEq)]
pub enum AdminValue {
    /// `[title, -created_at, author.name]`
    List(Vec<OrderTerm>),
    /// `50`, `"text"`…
    Literal(Literal),
}

/// `on post_save Post -> rust "hooks::notify"`
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    /// `pre_save`, `post_save`, `pre_delete`, `post_delete`.
    pub signal: Ident,
    /// The model.
    pub model: Ident,
    /// The Rust function.
    pub function: StrLit,
    /// The whole hook.
    pub span: Span,
}
