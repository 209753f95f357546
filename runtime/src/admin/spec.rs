//! The static description of an admin site, which the compiler writes.
//!
//! Input: nothing at run time — a generated crate declares one
//! [`AdminSite`] `static` (in its `src/admin.rs`) built from the spec's
//! `admin Model { … }` blocks and the models they reach. Output: the facts
//! every admin page reads — tables, columns and their kinds, the `str` of
//! each model, the change list's columns, filters, search fields and
//! ordering, the edit form — so that the admin's behaviour lives once, in
//! this crate, and a project only contributes data.
//!
//! Everything here is `'static` and `const`-constructible: models refer to
//! each other by `&'static ModelInfo` (cycles are fine between statics),
//! and fields by their index in [`ModelInfo::fields`]. Identifiers in here
//! are the only SQL identifiers the admin ever writes; request data only
//! ever becomes bound parameters.

use futures_util::future::BoxFuture;
use jiff::civil::DateTime;

use crate::app::Handler;
use crate::db::{Row, Transaction, Value};
use crate::forms::FormSpec;

/// The admin site: where it is mounted, and the models it manages.
#[derive(Debug)]
pub struct AdminSite {
    /// The URL prefix, with both slashes (`"/admin/"`).
    pub prefix: &'static str,
    /// The app label (`[project] name`): URL segment and permission prefix.
    pub app_label: &'static str,
    /// The app's name as headings show it (`"Blog"`).
    pub app_name: &'static str,
    /// The header of every page (`"Blog administration"`).
    pub site_header: &'static str,
    /// The models with an `admin` block, in declaration order.
    pub models: &'static [&'static ModelAdmin],
    /// The handler of every admin page: a generated one-liner calling
    /// [`crate::admin::serve`] with this site (a [`Handler`] captures
    /// nothing, so the site is reached through it).
    pub handler: Handler,
}

impl AdminSite {
    /// The admin of the model whose URL name is `model_name` (`"post"`).
    pub fn model_admin(&self, model_name: &str) -> Option<&'static ModelAdmin> {
        self.models
            .iter()
            .copied()
            .find(|admin| admin.model.model_name == model_name)
    }
}

/// One `admin Model { … }` block: Django's `ModelAdmin`.
#[derive(Debug)]
pub struct ModelAdmin {
    /// The model managed.
    pub model: &'static ModelInfo,
    /// The change list's columns; empty shows the row's `str`.
    pub list_display: &'static [ListColumn],
    /// The sidebar's filters.
    pub list_filter: &'static [ListFilter],
    /// The fields the search box looks in (text, `icontains`).
    pub search: &'static [Path],
    /// The change list's order; empty uses the model's, then `-pk`.
    pub ordering: &'static [Order],
    /// Rows per change list page.
    pub list_per_page: u32,
    /// The rows of the add and change pages, in order.
    pub fields: &'static [FormRow],
    /// The form of the editable rows (the rows that are not read-only, in order).
    pub form: &'static FormSpec,
    /// Values that must be unique: one field (an error on that field) or
    /// several (`unique (…)`, a form-wide error), when the form has them all.
    pub unique: &'static [&'static [usize]],
    /// Foreign keys of other models that point at this one: what deleting
    /// a row takes along or is refused by.
    pub related: &'static [Related],
    /// The project's hooks on the model (`on post_save Post -> rust "…"`),
    /// if it has any.
    pub hooks: Option<Hooks>,
}

/// The hooks of a model, generated: decodes the model from `row` (every
/// column of the table, in field order) and calls the project's hooks of
/// `phase` with the transaction of the write. An error rolls it back.
pub type Hooks =
    for<'t> fn(HookPhase, &'t mut Transaction, &'t Row) -> BoxFuture<'t, crate::Result<()>>;

/// When hooks run, as Django's model signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookPhase {
    /// After a row was inserted or updated (its links too): the
    /// `pre_save`, then the `post_save` hooks, given the row as written.
    Saved,
    /// Before a row is deleted: the `pre_delete` hooks.
    BeforeDelete,
    /// After a row was deleted: the `post_delete` hooks, given the row as it was.
    AfterDelete,
}

/// A model, as far as the admin needs to know it.
#[derive(Debug)]
pub struct ModelInfo {
    /// The model's name (`"Post"`).
    pub name: &'static str,
    /// The name in lower case: the URL segment and the permissions' suffix (`"post"`).
    pub model_name: &'static str,
    /// `verbose_name` (`"blog post"`).
    pub verbose_name: &'static str,
    /// `verbose_name_plural` (`"blog posts"`).
    pub verbose_name_plural: &'static str,
    /// The table.
    pub table: &'static str,
    /// Every field, in declaration order (the implicit `id` first).
    pub fields: &'static [Field],
    /// The primary key: an index into `fields`.
    pub pk: usize,
    /// The model's `str` (`meta { str = … }`, or `<Model> object (<pk>)`).
    pub str_parts: &'static [StrPart],
    /// The model's default ordering (`meta { ordering = … }`).
    pub ordering: &'static [Order],
}

impl ModelInfo {
    /// The primary key field.
    pub fn pk_field(&self) -> &'static Field {
        &self.fields[self.pk]
    }

    /// The primary key's column.
    pub fn pk_column(&self) -> &'static str {
        self.pk_field().column.unwrap_or("id")
    }

    /// The field called `name`.
    pub fn field_named(&self, name: &str) -> Option<(usize, &'static Field)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, field)| field.name == name)
    }
}

/// A field of a model.
#[derive(Debug)]
pub struct Field {
    /// The name (`"author"`), also the form field's name.
    pub name: &'static str,
    /// The label: the verbose name with a capital (`"Published at"`).
    pub label: &'static str,
    /// The column (`"author_id"`); `None` for a many-to-many field.
    pub column: Option<&'static str>,
    /// What the column stores (for a relation: the target's key).
    pub scalar: Scalar,
    /// What the field is beyond its stored value.
    pub kind: FieldKind,
    /// `null`: the column accepts NULL (empty text is stored as NULL).
    pub null: bool,
    /// The primary key.
    pub primary_key: bool,
    /// An auto-incrementing key (the implicit `id`): never written.
    pub auto_increment: bool,
    /// `auto_now`: set to now on every save.
    pub auto_now: bool,
    /// `auto_now_add`: set to now when created.
    pub auto_now_add: bool,
    /// `default = …`, given the current UTC time (for `now` and `today`).
    pub default: Option<fn(DateTime) -> Value>,
}

/// What a stored value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// Integers of every size.
    Int,
    /// `float`
    Float,
    /// `decimal(…)`, with its decimal places.
    Decimal(u32),
    /// `bool`
    Bool,
    /// Every kind of text (and choice keys).
    Text,
    /// `uuid`
    Uuid,
    /// `date`
    Date,
    /// `datetime` (UTC).
    DateTime,
    /// `json`
    Json,
}

/// What a field is, beyond its stored value.
#[derive(Debug)]
pub enum FieldKind {
    /// A plain value.
    Plain,
    /// `choice { key = "Label", … }`: `(key, label)` pairs.
    Choice(&'static [(&'static str, &'static str)]),
    /// A foreign key or one-to-one relation to `target`'s primary key.
    ForeignKey(&'static ModelInfo),
    /// A many-to-many relation through a join table.
    ManyToMany(ManyToMany),
}

/// A many-to-many relation: rows of `table` link the two keys.
#[derive(Debug)]
pub struct ManyToMany {
    /// The related model.
    pub target: &'static ModelInfo,
    /// The join table.
    pub table: &'static str,
    /// The join table's column holding this model's key.
    pub near: &'static str,
    /// The join table's column holding the target's key.
    pub far: &'static str,
}

/// A piece of a model's `str`.
#[derive(Debug)]
pub enum StrPart {
    /// Literal text.
    Text(&'static str),
    /// `{field}`: the field's value (a relation: the related row's `str`).
    Field(usize),
    /// `{relation.rest}`: through the relation field, then these parts of
    /// the related model.
    Through(usize, &'static [StrPart]),
}

/// A path from a model through relations: `customer.email`, `author`, `tags`.
#[derive(Debug)]
pub struct Path {
    /// The relations followed, in order.
    pub hops: &'static [Hop],
    /// What the path ends at, on the last model reached.
    pub end: End,
}

/// One relation a [`Path`] follows.
#[derive(Debug)]
pub enum Hop {
    /// A foreign key or one-to-one: `column` of this model holds the target's key.
    Forward {
        /// The key column on this model.
        column: &'static str,
        /// The related model.
        target: &'static ModelInfo,
    },
    /// A many-to-many relation, either way: rows of `table` link this
    /// model's key (`near`) to the target's (`far`).
    ManyToMany {
        /// The join table.
        table: &'static str,
        /// Its column holding this model's key.
        near: &'static str,
        /// Its column holding the target's key.
        far: &'static str,
        /// The related model.
        target: &'static ModelInfo,
    },
    /// A reverse foreign key: rows of the target whose `column` holds this
    /// model's key.
    Reverse {
        /// The key column on the target.
        column: &'static str,
        /// The related model.
        target: &'static ModelInfo,
    },
}

impl Hop {
    /// The model reached.
    pub fn target(&self) -> &'static ModelInfo {
        match self {
            Hop::Forward { target, .. }
            | Hop::ManyToMany { target, .. }
            | Hop::Reverse { target, .. } => target,
        }
    }

    /// Whether the hop can reach several rows.
    pub fn is_many(&self) -> bool {
        !matches!(self, Hop::Forward { .. })
    }
}

/// What a [`Path`] ends at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// A field of the last model: an index into its fields.
    Field(usize),
    /// The row reached itself (its `str`, or its key when filtering).
    Object,
}

/// A column of the change list.
#[derive(Debug)]
pub struct ListColumn {
    /// The header (`"Published at"`).
    pub label: &'static str,
    /// What the column shows.
    pub path: Path,
}

/// A filter of the change list's sidebar.
#[derive(Debug)]
pub struct ListFilter {
    /// What the heading names (`"By status"` shows `status`).
    pub title: &'static str,
    /// The query parameter's stem, Django's lookup path (`"status"`,
    /// `"author__id"`, `"customer__country"`).
    pub param: &'static str,
    /// What is filtered on.
    pub path: Path,
}

/// One term of an ordering: a field, possibly through foreign keys.
#[derive(Debug)]
pub struct Order {
    /// The field (forward relations only).
    pub path: Path,
    /// `-field`
    pub descending: bool,
}

/// A row of the add and change pages.
#[derive(Clone, Copy, Debug)]
pub struct FormRow {
    /// The field: an index into the model's fields.
    pub field: usize,
    /// Shown as text rather than as a form field.
    pub readonly: bool,
}

/// A foreign key of another model pointing at this one.
#[derive(Debug)]
pub struct Related {
    /// The model holding the foreign key.
    pub model: &'static ModelInfo,
    /// The foreign key's column.
    pub column: &'static str,
    /// What deleting a row of this model does to the rows pointing at it.
    pub on_delete: OnDelete,
}

/// `on_delete = …`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDelete {
    /// The referring rows are deleted too.
    Cascade,
    /// The delete is refused while rows refer to it.
    Protect,
    /// Like protect.
    Restrict,
    /// The reference becomes NULL.
    SetNull,
    /// The reference becomes its default.
    SetDefault,
    /// Nothing (the database decides).
    DoNothing,
}
