//! The resolved, typed project: what code generation, the template checker
//! and `djinn docs` consume.
//!
//! Input: built by [`super::check`] from the parsed spec files. Output: one
//! [`Project`], in which every name is resolved to an id and every value has
//! a [`Type`].
//!
//! Conventions:
//! - Ids ([`ModelId`], [`FieldId`], [`ReverseId`], [`ViewId`], [`RouteId`])
//!   are indexes into the vectors of [`Project`] and [`Model`]; look them up
//!   with [`Project::model`], [`Project::field`] and friends.
//! - Every node keeps the [`Span`] of the text it came from, so later stages
//!   (template checking, docs) can point back at the spec.
//! - Name tables are `BTreeMap`s, so iteration order is deterministic.
//! - When the checker reported errors, the project is a best-effort
//!   approximation: erroneous parts are left out, or replaced by their
//!   defaults (an invalid list query by `Model.all()`). Code generation only
//!   runs on projects without errors.

use crate::rust_src::RustFn;
use crate::source::{FileId, Span};
use std::collections::BTreeMap;

pub use crate::rust_src::ConverterType;
pub use crate::syntax::ast::{GenericKind, LiteralKind, LookupOp};

// ── ids ─────────────────────────────────────────────────────────────────────

/// A model: an index into [`Project::models`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModelId(pub u32);

/// A field: the model and an index into its [`Model::fields`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldId {
    /// The model the field belongs to.
    pub model: ModelId,
    /// The index in [`Model::fields`].
    pub index: u32,
}

/// A reverse relation: the target model and an index into its [`Model::reverse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReverseId {
    /// The model the reverse relation is reached from (the relation's target).
    pub model: ModelId,
    /// The index in [`Model::reverse`].
    pub index: u32,
}

/// A view: an index into [`Project::views`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ViewId(pub u32);

/// A route: an index into [`Project::routes`] (which is in match order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RouteId(pub u32);

// ── the project ─────────────────────────────────────────────────────────────

/// The checked project.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The app label (`[project] name`): prefix of table names and permissions.
    pub app_label: String,
    /// Every model, in declaration order.
    pub models: Vec<Model>,
    /// Model name → id.
    pub model_names: BTreeMap<String, ModelId>,
    /// Every route, flattened through includes, in match order.
    pub routes: Vec<Route>,
    /// URL name → the first route declared with it.
    pub url_names: BTreeMap<String, RouteId>,
    /// Where the built-in admin site is mounted (`include "admin/" admin`).
    pub admin_site: Option<AdminSite>,
    /// Every view, in declaration order.
    pub views: Vec<View>,
    /// View name → id.
    pub view_names: BTreeMap<String, ViewId>,
    /// `admin Model { … }` blocks, in declaration order.
    pub admins: Vec<Admin>,
    /// `on signal Model -> rust "…"` hooks, in declaration order.
    pub hooks: Vec<Hook>,
}

impl Project {
    /// The model with this id.
    pub fn model(&self, id: ModelId) -> &Model {
        &self.models[id.0 as usize]
    }

    /// The field with this id.
    pub fn field(&self, id: FieldId) -> &Field {
        &self.model(id.model).fields[id.index as usize]
    }

    /// The reverse relation with this id.
    pub fn reverse(&self, id: ReverseId) -> &Reverse {
        &self.model(id.model).reverse[id.index as usize]
    }

    /// The view with this id.
    pub fn view(&self, id: ViewId) -> &View {
        &self.views[id.0 as usize]
    }

    /// The route with this id.
    pub fn route(&self, id: RouteId) -> &Route {
        &self.routes[id.0 as usize]
    }

    /// The model called `name`.
    pub fn model_named(&self, name: &str) -> Option<ModelId> {
        self.model_names.get(name).copied()
    }

    /// The route a URL name refers to.
    pub fn route_named(&self, name: &str) -> Option<&Route> {
        self.url_names.get(name).map(|&id| self.route(id))
    }

    /// The model a path step leads to, if it is a relation.
    pub fn step_target(&self, step: StepKind) -> Option<ModelId> {
        match step {
            StepKind::Field(id) => self.field(id).ty.target(),
            StepKind::Reverse(id) => Some(self.reverse(id).model),
        }
    }

    /// The name of a path step (`author`, `posts`).
    pub fn step_name(&self, step: StepKind) -> &str {
        match step {
            StepKind::Field(id) => &self.field(id).name,
            StepKind::Reverse(id) => &self.reverse(id).name,
        }
    }

    /// True when following the step can give several objects (a
    /// many-to-many relation or a reverse foreign key).
    pub fn step_is_many(&self, step: StepKind) -> bool {
        match step {
            StepKind::Field(id) => matches!(self.field(id).ty, FieldType::ManyToMany(_)),
            StepKind::Reverse(id) => self.reverse(id).kind == ReverseKind::Many,
        }
    }

    /// The type of what a path designates, for one row of its root model:
    /// a field's value, a related object, or a list when the path crosses a
    /// many relation.
    pub fn path_type(&self, path: &FieldPath) -> Type {
        let mut many = false;
        let mut ty = Type::Object(path.model);
        for step in &path.steps {
            ty = match step.kind {
                StepKind::Field(id) => {
                    let field = self.field(id);
                    let value = field.ty.value_type();
                    match &field.ty {
                        FieldType::ManyToMany(_) => {
                            many = true;
                            value.element().clone()
                        }
                        _ if field.null => Type::Optional(Box::new(value)),
                        _ => value,
                    }
                }
                StepKind::Reverse(id) => {
                    let reverse = self.reverse(id);
                    match reverse.kind {
                        ReverseKind::Many => {
                            many = true;
                            Type::Object(reverse.model)
                        }
                        ReverseKind::One => Type::Optional(Box::new(Type::Object(reverse.model))),
                    }
                }
            };
        }
        if many { Type::List(Box::new(ty)) } else { ty }
    }

    /// The path written with dots (`author.name`).
    pub fn path_text(&self, path: &FieldPath) -> String {
        let names: Vec<&str> = path.steps.iter().map(|s| self.step_name(s.kind)).collect();
        names.join(".")
    }
}

// ── models ──────────────────────────────────────────────────────────────────

/// A model: a database table and its Rust struct.
#[derive(Clone, Debug)]
pub struct Model {
    /// The name, as declared (`BlogPost`).
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
    /// The table: `<app>_<model lowercase>` unless `meta { db_table = … }`.
    pub table: String,
    /// The fields, the implicit `id` first when there is one.
    pub fields: Vec<Field>,
    /// Relations from other models into this one.
    pub reverse: Vec<Reverse>,
    /// Field and reverse-relation name → member; the names a path can use.
    pub members: BTreeMap<String, Member>,
    /// The primary key: an index into `fields`.
    pub primary_key: u32,
    /// Default ordering (`meta { ordering = […] }`); empty for none.
    pub ordering: Vec<Order>,
    /// `meta { index (…) }`
    pub indexes: Vec<Index>,
    /// `meta { unique (…) }`
    pub unique_together: Vec<UniqueTogether>,
    /// `meta { check (…) }`
    pub checks: Vec<CheckConstraint>,
    /// `meta { str = "…" }`; `None` shows `<Model> object (<pk>)` as Django does.
    pub str_format: Option<StrFormat>,
    /// `meta { permission codename "label" }`
    pub permissions: Vec<CustomPermission>,
    /// `meta { verbose_name = … }`, by default the name split into lowercase words.
    pub verbose_name: String,
    /// `meta { verbose_name_plural = … }`, by default the verbose name plus `s`.
    pub verbose_name_plural: String,
}

impl Model {
    /// The primary key field.
    pub fn pk(&self) -> &Field {
        &self.fields[self.primary_key as usize]
    }

    /// The field called `name`.
    pub fn field_named(&self, name: &str) -> Option<(u32, &Field)> {
        match self.members.get(name) {
            Some(Member::Field(index)) => Some((*index, &self.fields[*index as usize])),
            _ => None,
        }
    }
}

/// A name a model answers to in a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// An index into [`Model::fields`].
    Field(u32),
    /// An index into [`Model::reverse`].
    Reverse(u32),
}

/// A field of a model.
#[derive(Clone, Debug)]
pub struct Field {
    /// The name.
    pub name: String,
    /// Where the name is written (the model's name for the implicit `id`).
    pub name_span: Span,
    /// The whole field line.
    pub span: Span,
    /// The resolved type.
    pub ty: FieldType,
    /// The column (`author_id` for a relation); `None` for many-to-many.
    pub column: Option<String>,
    /// `null`: the column accepts NULL.
    pub null: bool,
    /// `blank`: forms accept an empty value.
    pub blank: bool,
    /// `unique` (also true for primary keys and one-to-one relations).
    pub unique: bool,
    /// `index`: a single-column index.
    pub index: bool,
    /// `primary_key`, or the implicit `id`.
    pub primary_key: bool,
    /// `auto_now`: set on every save.
    pub auto_now: bool,
    /// `auto_now_add`: set when created.
    pub auto_now_add: bool,
    /// `editable = false` makes this false; see [`Field::is_form_editable`].
    pub editable: bool,
    /// True for the implicit `id` primary key.
    pub implicit: bool,
    /// `default = …`, typed against the field.
    pub default: Option<Value>,
    /// `renamed_from = old_name`, for migrations.
    pub renamed_from: Option<String>,
    /// `verbose_name = "…"`, by default the name with spaces for `_`.
    pub verbose_name: String,
    /// `help = "…"`: help text in forms and the admin.
    pub help: Option<String>,
    /// `///` documentation.
    pub doc: Option<String>,
}

impl Field {
    /// Whether a form (create/update view, admin) may set this field: not
    /// the implicit key, not automatic timestamps, not `editable = false`.
    pub fn is_form_editable(&self) -> bool {
        self.editable && !self.implicit && !self.auto_now && !self.auto_now_add
    }
}

/// The type of a field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// The implicit `id`: a 64-bit auto-incrementing primary key.
    AutoId,
    /// `int`: 32-bit integer.
    Int,
    /// `bigint`: 64-bit integer.
    BigInt,
    /// `float`: double precision.
    Float,
    /// `decimal(digits, places)`: fixed point.
    Decimal {
        /// Total number of digits.
        digits: u32,
        /// Digits after the point.
        places: u32,
    },
    /// `bool`
    Bool,
    /// `string(max = n)`: bounded text.
    String {
        /// Maximum length in characters.
        max: u32,
    },
    /// `text`: unbounded text.
    Text,
    /// `slug`: letters, digits, `-`, `_` (max 50 by default).
    Slug {
        /// Maximum length in characters.
        max: u32,
    },
    /// `email` (max 254 by default).
    Email {
        /// Maximum length in characters.
        max: u32,
    },
    /// `url` (max 200 by default).
    Url {
        /// Maximum length in characters.
        max: u32,
    },
    /// `uuid`
    Uuid,
    /// `date`
    Date,
    /// `datetime` (stored in UTC).
    DateTime,
    /// `json`
    Json,
    /// `choice { key = "Label", … }`: stored as the key.
    Choice {
        /// The choices, in order.
        choices: Vec<ChoiceOption>,
        /// The length of the longest key (the column's max length).
        max: u32,
    },
    /// A model name: a foreign key.
    ForeignKey(Relation),
    /// `one Model`: a one-to-one relation.
    OneToOne(Relation),
    /// `many Model`: a many-to-many relation through a join table.
    ManyToMany(ManyRelation),
}

impl FieldType {
    /// The model a relation points to.
    pub fn target(&self) -> Option<ModelId> {
        match self {
            FieldType::ForeignKey(r) | FieldType::OneToOne(r) => Some(r.target),
            FieldType::ManyToMany(r) => Some(r.target),
            _ => None,
        }
    }

    /// The type of one value of the field, ignoring `null`: a scalar, the
    /// related object, or a list of related objects.
    pub fn value_type(&self) -> Type {
        match self {
            FieldType::AutoId | FieldType::Int | FieldType::BigInt => Type::Int,
            FieldType::Float => Type::Float,
            FieldType::Decimal { .. } => Type::Decimal,
            FieldType::Bool => Type::Bool,
            FieldType::String { .. }
            | FieldType::Text
            | FieldType::Slug { .. }
            | FieldType::Email { .. }
            | FieldType::Url { .. }
            | FieldType::Choice { .. } => Type::Str,
            FieldType::Uuid => Type::Uuid,
            FieldType::Date => Type::Date,
            FieldType::DateTime => Type::DateTime,
            FieldType::Json => Type::Json,
            FieldType::ForeignKey(r) | FieldType::OneToOne(r) => Type::Object(r.target),
            FieldType::ManyToMany(r) => Type::List(Box::new(Type::Object(r.target))),
        }
    }

    /// True for text stored as a string (`string`, `text`, `slug`, `email`, `url`).
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            FieldType::String { .. }
                | FieldType::Text
                | FieldType::Slug { .. }
                | FieldType::Email { .. }
                | FieldType::Url { .. }
        )
    }

    /// True for integer, float and decimal types.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            FieldType::AutoId
                | FieldType::Int
                | FieldType::BigInt
                | FieldType::Float
                | FieldType::Decimal { .. }
        )
    }

    /// The type as the spec writes it (`string(max = 200)`, `Author`, `many Tag`).
    pub fn describe(&self, project: &Project) -> String {
        match self {
            FieldType::AutoId => "bigint (auto)".into(),
            FieldType::Int => "int".into(),
            FieldType::BigInt => "bigint".into(),
            FieldType::Float => "float".into(),
            FieldType::Decimal { digits, places } => format!("decimal({digits}, {places})"),
            FieldType::Bool => "bool".into(),
            FieldType::String { max } => format!("string(max = {max})"),
            FieldType::Text => "text".into(),
            FieldType::Slug { .. } => "slug".into(),
            FieldType::Email { .. } => "email".into(),
            FieldType::Url { .. } => "url".into(),
            FieldType::Uuid => "uuid".into(),
            FieldType::Date => "date".into(),
            FieldType::DateTime => "datetime".into(),
            FieldType::Json => "json".into(),
            FieldType::Choice { .. } => "choice".into(),
            FieldType::ForeignKey(r) => project.model(r.target).name.clone(),
            FieldType::OneToOne(r) => format!("one {}", project.model(r.target).name),
            FieldType::ManyToMany(r) => format!("many {}", project.model(r.target).name),
        }
    }
}

/// One choice of a `choice` field.
#[derive(Clone, Debug, PartialEq)]
pub struct ChoiceOption {
    /// The stored value, also the name queries use.
    pub key: String,
    /// The human-readable label (the key when none is written).
    pub label: String,
    /// The whole choice.
    pub span: Span,
}

/// A foreign key or one-to-one relation.
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    /// The related model.
    pub target: ModelId,
    /// What deleting the target does.
    pub on_delete: OnDelete,
    /// The reverse relation's name on the target (default `<model>_set`,
    /// `<model>` for one-to-one, as Django).
    pub related_name: String,
    /// The reverse relation on the target.
    pub reverse: ReverseId,
}

/// A many-to-many relation.
#[derive(Clone, Debug, PartialEq)]
pub struct ManyRelation {
    /// The related model.
    pub target: ModelId,
    /// The reverse relation's name on the target (default `<model>_set`).
    pub related_name: String,
    /// The reverse relation on the target.
    pub reverse: ReverseId,
    /// The join table: `<table>_<field>`.
    pub table: String,
}

/// `on_delete = …`
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OnDelete {
    /// Delete the referring rows too.
    Cascade,
    /// Refuse to delete the target while rows refer to it.
    Protect,
    /// Set the reference to NULL (needs `null`).
    SetNull,
    /// Like protect, checked at the end of the transaction.
    Restrict,
    /// Set the reference to its default.
    SetDefault,
    /// Leave the reference dangling (the database decides).
    DoNothing,
}

impl OnDelete {
    /// Every action, with its name as written.
    pub const ALL: [(&'static str, OnDelete); 6] = [
        ("cascade", OnDelete::Cascade),
        ("protect", OnDelete::Protect),
        ("set_null", OnDelete::SetNull),
        ("restrict", OnDelete::Restrict),
        ("set_default", OnDelete::SetDefault),
        ("do_nothing", OnDelete::DoNothing),
    ];
}

/// A relation seen from its target: `author.posts` for `Post.author`.
#[derive(Clone, Debug)]
pub struct Reverse {
    /// The related name.
    pub name: String,
    /// The model holding the forward field.
    pub model: ModelId,
    /// The forward field.
    pub field: FieldId,
    /// One object (reverse one-to-one) or many.
    pub kind: ReverseKind,
    /// The `related_name` option, or the forward field when it is implicit.
    pub span: Span,
}

/// How many objects a reverse relation gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReverseKind {
    /// Reverse of a one-to-one relation: at most one object.
    One,
    /// Reverse of a foreign key or a many-to-many relation.
    Many,
}

/// `meta { index (a, b) name = "…" }`
#[derive(Clone, Debug)]
pub struct Index {
    /// The indexed fields, in order.
    pub fields: Vec<FieldId>,
    /// An explicit index name.
    pub name: Option<String>,
    /// The whole entry.
    pub span: Span,
}

/// `meta { unique (a, b) }`
#[derive(Clone, Debug)]
pub struct UniqueTogether {
    /// The fields unique together.
    pub fields: Vec<FieldId>,
    /// The whole entry.
    pub span: Span,
}

/// `meta { check (condition) name = "…" }`
#[derive(Clone, Debug)]
pub struct CheckConstraint {
    /// The condition, over the model's own row.
    pub condition: Condition,
    /// An explicit constraint name.
    pub name: Option<String>,
    /// The whole entry.
    pub span: Span,
}

/// `meta { str = "{title} by {author.name}" }`
#[derive(Clone, Debug)]
pub struct StrFormat {
    /// Text and field placeholders, in order.
    pub parts: Vec<StrPart>,
    /// The string literal.
    pub span: Span,
}

/// A piece of a [`StrFormat`].
#[derive(Clone, Debug)]
pub enum StrPart {
    /// Literal text (`{{` and `}}` already unescaped).
    Text(String),
    /// `{field}` or `{relation.field}`.
    Field(FieldPath),
}

/// `meta { permission publish "Can publish posts" }` on `Post`: the
/// permission `<app>.publish_post`, as Django names custom permissions.
#[derive(Clone, Debug)]
pub struct CustomPermission {
    /// The code as written (`publish`).
    pub code: String,
    /// The codename: the code, `_` and the model's name in lower case (`publish_post`).
    pub codename: String,
    /// The description.
    pub label: String,
    /// The whole entry.
    pub span: Span,
}

// ── paths, types and values ─────────────────────────────────────────────────

/// A dotted path from a model across fields and relations: `author.name`.
#[derive(Clone, Debug)]
pub struct FieldPath {
    /// The model the path starts from.
    pub model: ModelId,
    /// The steps; empty for the object itself (`object`).
    pub steps: Vec<Step>,
    /// The whole path as written.
    pub span: Span,
}

impl FieldPath {
    /// The field the path ends at, if it ends at a field.
    pub fn last_field(&self) -> Option<FieldId> {
        match self.steps.last()?.kind {
            StepKind::Field(id) => Some(id),
            StepKind::Reverse(_) => None,
        }
    }
}

/// One step of a [`FieldPath`].
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// What the step follows.
    pub kind: StepKind,
    /// The name as written.
    pub span: Span,
}

/// What a path step follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// A field (a value, or a forward relation).
    Field(FieldId),
    /// A reverse relation.
    Reverse(ReverseId),
}

/// The type of a value: a query operand, a context entry, a URL argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// An integer (`int`, `bigint`, ids).
    Int,
    /// A float.
    Float,
    /// A decimal number.
    Decimal,
    /// `true` / `false`.
    Bool,
    /// Text.
    Str,
    /// A UUID.
    Uuid,
    /// A date.
    Date,
    /// A date and time.
    DateTime,
    /// Any JSON value.
    Json,
    /// `none`
    Null,
    /// One object of a model.
    Object(ModelId),
    /// A value that may be absent (a nullable field, `first()`).
    Optional(Box<Type>),
    /// Several values (a query's rows, a many relation, a list literal).
    List(Box<Type>),
}

impl Type {
    /// The type without an `Optional` wrapper.
    pub fn strip_optional(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner.strip_optional(),
            other => other,
        }
    }

    /// The element type of a list (the type itself otherwise).
    pub fn element(&self) -> &Type {
        match self {
            Type::List(inner) => inner,
            other => other,
        }
    }

    /// The type as diagnostics and docs show it (`int`, `Post`, `list of Tag`).
    pub fn describe(&self, project: &Project) -> String {
        match self {
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Decimal => "decimal".into(),
            Type::Bool => "bool".into(),
            Type::Str => "str".into(),
            Type::Uuid => "uuid".into(),
            Type::Date => "date".into(),
            Type::DateTime => "datetime".into(),
            Type::Json => "json".into(),
            Type::Null => "none".into(),
            Type::Object(model) => project.model(*model).name.clone(),
            Type::Optional(inner) => format!("optional {}", inner.describe(project)),
            Type::List(inner) => format!("list of {}", inner.describe(project)),
        }
    }
}

/// The type a URL converter gives a parameter.
pub fn converter_type(converter: ConverterType) -> Type {
    match converter {
        ConverterType::Int => Type::Int,
        ConverterType::Uuid => Type::Uuid,
        ConverterType::Str | ConverterType::Slug | ConverterType::Path => Type::Str,
    }
}

/// A typed value: the right side of a lookup, a default, a URL argument.
#[derive(Clone, Debug)]
pub struct Value {
    /// Where it comes from.
    pub kind: ValueKind,
    /// Its type.
    pub ty: Type,
    /// As written.
    pub span: Span,
}

/// Where a [`Value`] comes from.
#[derive(Clone, Debug)]
pub enum ValueKind {
    /// A literal. Dates, datetimes and UUIDs written as strings are
    /// `Str` literals whose [`Value::ty`] says what they were checked as.
    Literal(LiteralKind),
    /// A key of a choice field (`published`, or `"published"`).
    Choice {
        /// The choice field.
        field: FieldId,
        /// The key.
        key: String,
    },
    /// A parameter of the view (from the URL).
    Param {
        /// The parameter's name.
        name: String,
        /// Its index in [`View::params`].
        index: u32,
    },
    /// `object` or `object.<path>`: the view's object (detail, update, delete).
    Object(FieldPath),
    /// A context entry defined earlier in the view, optionally followed by a path.
    Context {
        /// The entry's name.
        name: String,
        /// `entry.<path>` when the entry is an object.
        path: Option<FieldPath>,
    },
    /// Another column of the same row (in `check` constraints): `end > start`.
    Column(FieldPath),
    /// `now`: the current date and time.
    Now,
    /// `today`: the current date.
    Today,
    /// `[a, b, c]`
    List(Vec<Value>),
}

// ── queries ─────────────────────────────────────────────────────────────────

/// A typed query: `Post.filter(…).exclude(…).order_by(…)[a:b].count()`.
#[derive(Clone, Debug)]
pub struct Query {
    /// The model queried.
    pub model: ModelId,
    /// `filter` and `exclude` calls, in order; all must hold.
    pub filters: Vec<Filter>,
    /// `order_by(…)` (the last one wins); `None` keeps the model's ordering.
    pub order_by: Option<Vec<Order>>,
    /// `[a:b]`, or `[i]` (then `end` is `start + 1` and the shape is [`Shape::One`]).
    pub slice: Option<SliceBounds>,
    /// `count()`, `first()` or `exists()`.
    pub terminal: Option<Terminal>,
    /// What running the query gives.
    pub shape: Shape,
    /// The whole query.
    pub span: Span,
}

impl Query {
    /// `Model.all()` at `span`: the default query of a view.
    pub fn all(model: ModelId, span: Span) -> Query {
        Query {
            model,
            filters: Vec::new(),
            order_by: None,
            slice: None,
            terminal: None,
            shape: Shape::Many,
            span,
        }
    }

    /// The type of the query's result.
    pub fn result_type(&self) -> Type {
        let object = Type::Object(self.model);
        match self.shape {
            Shape::Many => Type::List(Box::new(object)),
            Shape::One => object,
            Shape::Optional => Type::Optional(Box::new(object)),
            Shape::Count => Type::Int,
            Shape::Bool => Type::Bool,
        }
    }
}

/// One `filter(…)` or `exclude(…)` call; its arguments are joined with `and`.
#[derive(Clone, Debug)]
pub struct Filter {
    /// True for `exclude`.
    pub exclude: bool,
    /// The condition.
    pub condition: Condition,
    /// The call.
    pub span: Span,
}

/// A typed condition over a model's rows.
#[derive(Clone, Debug)]
pub enum Condition {
    /// `field op value`
    Lookup(Lookup),
    /// All must hold.
    And(Vec<Condition>, Span),
    /// One must hold.
    Or(Vec<Condition>, Span),
    /// Must not hold.
    Not(Box<Condition>, Span),
}

/// `author.name == "bot"`, `length(title) > 0`, `published_at is null`.
#[derive(Clone, Debug)]
pub struct Lookup {
    /// The left side.
    pub operand: Operand,
    /// The operator.
    pub op: LookupOp,
    /// The right side; `None` for `is null` / `is not null`.
    pub value: Option<Value>,
    /// The whole lookup.
    pub span: Span,
}

/// The left side of a lookup: a field path, possibly inside a function.
#[derive(Clone, Debug)]
pub struct Operand {
    /// The path from the queried model.
    pub path: FieldPath,
    /// `length(…)`, `lower(…)`, `upper(…)`.
    pub function: Option<Function>,
    /// As written.
    pub span: Span,
}

/// A function applied to a field in a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// `length(text)`: an int.
    Length,
    /// `lower(text)`
    Lower,
    /// `upper(text)`
    Upper,
}

/// `-created_at` or `title` in `order_by` or `ordering`.
#[derive(Clone, Debug)]
pub struct Order {
    /// The field.
    pub path: FieldPath,
    /// True for `-field`.
    pub descending: bool,
    /// The whole term.
    pub span: Span,
}

/// `[start:end]` (`end` absent for `[start:]`).
#[derive(Clone, Copy, Debug)]
pub struct SliceBounds {
    /// The first row (0-based).
    pub start: u64,
    /// One past the last row.
    pub end: Option<u64>,
    /// The brackets.
    pub span: Span,
}

/// A call that ends a query.
#[derive(Clone, Copy, Debug)]
pub struct Terminal {
    /// Which.
    pub kind: TerminalKind,
    /// The call.
    pub span: Span,
}

/// `count()`, `first()`, `exists()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerminalKind {
    /// The number of rows.
    Count,
    /// The first row, if any.
    First,
    /// Whether there is a row.
    Exists,
}

/// What a query gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Rows (a queryset). As a view's `get`, exactly one row is expected
    /// and none is a 404.
    Many,
    /// The row at an index (`[i]`). In a `get`, no such row is a 404; in a
    /// context entry, the template sees none.
    One,
    /// At most one row (`first()`).
    Optional,
    /// A number (`count()`).
    Count,
    /// A boolean (`exists()`).
    Bool,
}

// ── urls ────────────────────────────────────────────────────────────────────

/// A route, with its full pattern after includes.
#[derive(Clone, Debug)]
pub struct Route {
    /// The full pattern as Django writes it (`blog/posts/<slug:slug>/`).
    pub pattern: String,
    /// The pattern's pieces, include prefixes first.
    pub segments: Vec<Segment>,
    /// The parameters, in pattern order.
    pub params: Vec<RouteParam>,
    /// The view served.
    pub view: ViewId,
    /// The URL name.
    pub name: Option<String>,
    /// The `path` entry.
    pub span: Span,
    /// The pattern string of the `path` entry (without include prefixes).
    pub pattern_span: Span,
    /// The `include` entries crossed to reach it, outermost first.
    pub included_at: Vec<Span>,
}

/// A piece of a URL pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Literal text, slashes included (`posts/`).
    Literal {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
    /// `<converter:name>`: an index into [`Route::params`].
    Param(u32),
}

/// A URL parameter of a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteParam {
    /// The name.
    pub name: String,
    /// The converter (`str` when omitted).
    pub converter: ConverterType,
    /// The whole `<…>`.
    pub span: Span,
}

/// The built-in admin site, mounted by `include "admin/" admin`.
#[derive(Clone, Debug)]
pub struct AdminSite {
    /// The URL prefix, with the prefixes of enclosing includes.
    pub prefix: String,
    /// The `include` entry.
    pub span: Span,
}

/// A reverse of a URL: a `success` or `redirect` target.
#[derive(Clone, Debug)]
pub enum UrlTarget {
    /// A named route with its arguments.
    Route {
        /// The route.
        route: RouteId,
        /// The URL name.
        name: String,
        /// One argument per route parameter, in the route's order.
        args: Vec<UrlArg>,
        /// The reference as written.
        span: Span,
    },
    /// A literal URL (contains `/` or `:`).
    Literal {
        /// The URL.
        url: String,
        /// The string literal.
        span: Span,
    },
}

/// An argument of a URL reverse.
#[derive(Clone, Debug)]
pub struct UrlArg {
    /// The route parameter it fills.
    pub param: String,
    /// The value.
    pub value: Value,
    /// The argument as written.
    pub span: Span,
}

// ── views ───────────────────────────────────────────────────────────────────

/// A view.
#[derive(Clone, Debug)]
pub struct View {
    /// The name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole declaration.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
    /// Parameters, filled from the URL.
    pub params: Vec<ViewParam>,
    /// What the view does.
    pub kind: ViewKind,
    /// The template rendered (HTML views).
    pub template: Option<TemplateRef>,
    /// `context name = …` entries, in order.
    pub context: Vec<ContextEntry>,
    /// Who may call the view and how.
    pub access: Access,
    /// The routes serving the view.
    pub routes: Vec<RouteId>,
}

/// `slug: slug` in a view's parameter list.
#[derive(Clone, Debug)]
pub struct ViewParam {
    /// The name.
    pub name: String,
    /// The converter type.
    pub converter: ConverterType,
    /// The whole parameter.
    pub span: Span,
}

/// What a view does.
#[derive(Clone, Debug)]
pub enum ViewKind {
    /// `list`, `detail`, `create`, `update`, `delete`, optionally `json`.
    Generic(GenericView),
    /// `template`: renders a template with the context entries.
    Template,
    /// `redirect "name"(args) [permanent]`
    Redirect {
        /// Where to.
        target: UrlTarget,
        /// 301/308 instead of 302.
        permanent: bool,
    },
    /// `rust "module::function"`
    Rust {
        /// `module::function` as written.
        function: String,
        /// The function found under `src/`; `None` only after an error.
        signature: Option<RustFn>,
        /// The string literal.
        span: Span,
    },
}

/// A generic view over one model.
#[derive(Clone, Debug)]
pub struct GenericView {
    /// Which generic view.
    pub kind: GenericKind,
    /// True for the JSON variant.
    pub json: bool,
    /// The model.
    pub model: ModelId,
    /// List views: the rows shown (`query`, default `Model.all()`).
    /// Detail, update and delete views: the object (`get`, default: each
    /// view parameter equal to the field of the same name). `None` for create.
    pub query: Option<Query>,
    /// Create and update: the form fields (one step each). JSON views: the
    /// fields in the output, possibly across relations (by default every
    /// field of the model; every editable field for JSON create/update).
    pub fields: Vec<FieldPath>,
    /// `paginate n` (list views).
    pub paginate: Option<u32>,
    /// `success …`: where HTML create, update and delete views redirect.
    pub success: Option<UrlTarget>,
    /// The kind as written.
    pub span: Span,
}

/// A template named by a view.
#[derive(Clone, Debug)]
pub struct TemplateRef {
    /// The name relative to `templates/`.
    pub name: String,
    /// The template file.
    pub file: FileId,
    /// The string literal in the spec.
    pub span: Span,
}

/// `context name = value`
#[derive(Clone, Debug)]
pub struct ContextEntry {
    /// The name the template sees.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The value.
    pub value: ContextValue,
    /// Its type.
    pub ty: Type,
    /// The whole clause.
    pub span: Span,
}

/// The value of a context entry.
#[derive(Clone, Debug)]
pub enum ContextValue {
    /// A query.
    Query(Query),
    /// A plain value (literal, parameter, `object.path`, earlier entry).
    Value(Value),
}

/// Access rules of a view.
#[derive(Clone, Debug, Default)]
pub struct Access {
    /// `login_required`
    pub login_required: bool,
    /// `staff_required`
    pub staff_required: bool,
    /// `public`: open to anonymous users on purpose.
    pub public: bool,
    /// `permission = "app.codename"`
    pub permission: Option<PermissionRef>,
    /// `methods [GET, POST]`; `None` when not written (the kind decides).
    pub methods: Option<Vec<HttpMethod>>,
    /// `cache = seconds`
    pub cache: Option<u32>,
}

/// A checked permission name.
#[derive(Clone, Debug)]
pub struct PermissionRef {
    /// The app label.
    pub app: String,
    /// `add_post`, `publish_post`…
    pub codename: String,
    /// The model a built-in permission (`add_`, `change_`, `delete_`,
    /// `view_`) or a custom one is declared on.
    pub model: ModelId,
    /// The string literal.
    pub span: Span,
}

/// An HTTP method a view accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HttpMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
    /// HEAD
    Head,
    /// OPTIONS
    Options,
}

impl HttpMethod {
    /// Every method, with its name as written.
    pub const ALL: [(&'static str, HttpMethod); 7] = [
        ("GET", HttpMethod::Get),
        ("POST", HttpMethod::Post),
        ("PUT", HttpMethod::Put),
        ("PATCH", HttpMethod::Patch),
        ("DELETE", HttpMethod::Delete),
        ("HEAD", HttpMethod::Head),
        ("OPTIONS", HttpMethod::Options),
    ];
}

// ── admin and hooks ─────────────────────────────────────────────────────────

/// `admin Model { … }`
#[derive(Clone, Debug)]
pub struct Admin {
    /// The model managed.
    pub model: ModelId,
    /// Columns of the change list (may follow foreign keys).
    pub list_display: Vec<FieldPath>,
    /// Sidebar filters.
    pub list_filter: Vec<FieldPath>,
    /// Fields searched by the search box (text, possibly across foreign keys).
    pub search: Vec<FieldPath>,
    /// Ordering of the change list.
    pub ordering: Vec<Order>,
    /// Rows per page.
    pub list_per_page: Option<u32>,
    /// Fields of the edit form; empty for every editable field.
    pub fields: Vec<FieldId>,
    /// Fields shown read-only on the edit form.
    pub readonly: Vec<FieldId>,
    /// The whole block.
    pub span: Span,
}

/// `on post_save Post -> rust "hooks::notify"`
#[derive(Clone, Debug)]
pub struct Hook {
    /// When it runs.
    pub signal: Signal,
    /// The model whose saves or deletes trigger it.
    pub model: ModelId,
    /// `module::function` as written.
    pub function: String,
    /// The function found under `src/`; `None` only after an error.
    pub signature: Option<RustFn>,
    /// The whole hook.
    pub span: Span,
}

/// A model signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signal {
    /// Before an insert or update.
    PreSave,
    /// After an insert or update.
    PostSave,
    /// Before a delete.
    PreDelete,
    /// After a delete.
    PostDelete,
}

impl Signal {
    /// Every signal, with its name as written.
    pub const ALL: [(&'static str, Signal); 4] = [
        ("pre_save", Signal::PreSave),
        ("post_save", Signal::PostSave),
        ("pre_delete", Signal::PreDelete),
        ("post_delete", Signal::PostDelete),
    ];
}
