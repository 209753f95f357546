//! The template type system: what a template expression can be at run time.
//!
//! Input: the checked project (models, views, [`ir::Type`]s of context
//! entries). Output: [`Type`], the type of every value a template sees, and
//! [`RelationPath`], the provenance of model objects (which relations a view
//! must fetch). The checker (`check.rs`) computes them; code generation reads
//! them from [`super::TemplateChecks`].
//!
//! Conventions, following Django's semantics:
//! - Safety is part of the type: [`Type::SafeStr`] is Django's `SafeString`
//!   (never escaped); a few types render as HTML they build themselves
//!   ([`Type::renders_html`]). Everything else is escaped where autoescaping
//!   is on.
//! - [`Type::Optional`] is a value that may be Python's `None` (a `null`
//!   field, `first`); it prints as `None`.
//! - [`Type::Fallible`] is a lookup that may fail at run time without an
//!   error (an attribute of a `None` relation, a `request.GET` key): Django
//!   then uses `string_if_invalid` — `""` where printed or filtered, `None`
//!   in `{% if %}`, `{% for %}` and `firstof`.
//! - [`Type::Either`] is one of two types, chosen at run time (`default`,
//!   `first` of a possibly empty list).

use crate::check::ir::{self, FieldId, ModelId, Project, ReverseId, StepKind, ViewId};

/// The type of a template value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    /// Text (Python `str`), escaped when printed with autoescaping on.
    Str,
    /// Text marked safe (Django's `SafeString`): never escaped.
    SafeStr,
    /// An integer.
    Int,
    /// A float.
    Float,
    /// A decimal number (`decimal.Decimal`).
    Decimal,
    /// `True` / `False`.
    Bool,
    /// A date (`datetime.date`).
    Date,
    /// A date and time (`datetime.datetime`).
    DateTime,
    /// A UUID.
    Uuid,
    /// A JSON value (dict, list, str, number, bool or `None`).
    Json,
    /// Python's `None` and nothing else.
    None,
    /// The value, or `None`.
    Optional(Box<Type>),
    /// The value, or `string_if_invalid` after a lookup failed on the way.
    Fallible(Box<Type>),
    /// One of two types, known only at run time.
    Either(Box<Type>, Box<Type>),
    /// One object of a model; prints with the model's `str` format.
    Object(ModelId),
    /// A related manager (`object.tags`, `author.posts`): not iterable itself;
    /// `.all`, `.count`, `.exists`, `.first`, `.last`.
    Manager(ModelId),
    /// Rows of a model: a query's result, `.all` of a related manager.
    QuerySet(ModelId),
    /// A Python list.
    List(Box<Type>),
    /// A fixed-size tuple (the items of `form.errors.items`).
    Tuple(Vec<Type>),
    /// `page_obj` of a paginated list view over the model.
    Page(ModelId),
    /// `paginator` of a paginated list view over the model.
    Paginator(ModelId),
    /// `form` of a create, update or delete view.
    Form(ViewId),
    /// `form.fields`: the form's field definitions by name.
    FormFields(ViewId),
    /// `form.fields.<name>` or `field.field`: a form field's definition
    /// (`None`: whichever field a loop over the form is at).
    FormFieldDef(Option<FieldId>),
    /// `form.<name>` or an item of `{% for field in form %}`: a bound field,
    /// which renders as its widget (`None`: whichever field the loop is at).
    BoundField(ViewId, Option<FieldId>),
    /// A bound field's `value`: the submitted text after a POST, the
    /// object's value before (its primary key for a relation).
    FormValue,
    /// A list of error messages; renders as `<ul class="errorlist">`.
    ErrorList,
    /// `form.errors` of a view's form: field name → [`Type::ErrorList`].
    ErrorDict(ViewId),
    /// `user`: the signed-in user or the anonymous user.
    User,
    /// `request`
    Request,
    /// `request.GET` / `request.POST`: key → last value.
    QueryDict,
    /// `perms`: `perms.<app>.<codename>`.
    Perms,
    /// `perms.<app>`: the permissions of the project's app.
    AppPerms,
    /// `messages`: the request's one-time messages.
    Messages,
    /// One message: `message`, `level`, `tags`, `extra_tags`, `level_tag`.
    Message,
    /// `forloop` inside a loop nested `depth` loops deep (0 for the outermost).
    ForLoop(u32),
    /// A Python dict with known keys, in insertion order: a JSON object of
    /// the context `djinn template-cases` reads. Its keys are looked up with
    /// dots; `items`, `keys` and `values` are its methods.
    Dict(Vec<(String, Type)>),
}

impl Type {
    /// `Optional(self)`, without nesting optionals.
    pub fn optional(self) -> Type {
        match self {
            Type::Optional(_) | Type::None => self,
            Type::Fallible(inner) => Type::Fallible(Box::new(inner.optional())),
            other => Type::Optional(Box::new(other)),
        }
    }

    /// `Fallible(self)`, without nesting.
    pub fn fallible(self) -> Type {
        match self {
            Type::Fallible(_) => self,
            other => Type::Fallible(Box::new(other)),
        }
    }

    /// One of `self` and `other`; the type itself when both are the same.
    pub fn either(self, other: Type) -> Type {
        if self == other {
            self
        } else {
            Type::Either(Box::new(self), Box::new(other))
        }
    }

    /// The type without `Optional` and `Fallible` wrappers: what a lookup
    /// or a filter sees when there is a value.
    pub fn strip(&self) -> &Type {
        match self {
            Type::Optional(inner) | Type::Fallible(inner) => inner.strip(),
            other => other,
        }
    }

    /// True when the value may be `None` or a failed lookup.
    pub fn may_be_absent(&self) -> bool {
        matches!(self, Type::Optional(_) | Type::Fallible(_) | Type::None)
    }

    /// True for values that print as HTML they build themselves (forms,
    /// bound fields, error lists: Django's `__html__`), never escaped.
    pub fn renders_html(&self) -> bool {
        matches!(
            self.strip(),
            Type::Form(_) | Type::BoundField(..) | Type::ErrorList | Type::ErrorDict(_)
        )
    }

    /// True when the printed value is never escaped: safe text or HTML
    /// built by the value itself. For [`Type::Either`], both must be.
    pub fn is_safe(&self) -> bool {
        match self.strip() {
            Type::SafeStr => true,
            Type::Either(a, b) => a.is_safe() && b.is_safe(),
            other => other.renders_html(),
        }
    }

    /// True for text, safe or not.
    pub fn is_text(&self) -> bool {
        matches!(self, Type::Str | Type::SafeStr)
    }

    /// True for `int`, `float` and `decimal` (and `bool`, an `int` in Python).
    pub fn is_number(&self) -> bool {
        matches!(self, Type::Int | Type::Float | Type::Decimal | Type::Bool)
    }

    /// What iterating over a value of this type gives, if it is iterable
    /// (`Optional` and `Fallible` iterate as empty when absent).
    pub fn element(&self) -> Option<Type> {
        Some(match self.strip() {
            Type::QuerySet(model) | Type::Page(model) => Type::Object(*model),
            Type::List(item) => (**item).clone(),
            Type::Tuple(items) if items.windows(2).all(|w| w[0] == w[1]) => {
                items.first().cloned().unwrap_or(Type::None)
            }
            Type::Str => Type::Str,
            Type::SafeStr => Type::Str,
            Type::Json => Type::Json,
            Type::Form(view) => Type::BoundField(*view, None),
            Type::FormFields(_) | Type::ErrorList | Type::ErrorDict(_) | Type::QueryDict => {
                Type::Str
            }
            Type::Messages => Type::Message,
            // Iterating a dict gives its keys.
            Type::Dict(_) => Type::Str,
            _ => return None,
        })
    }

    /// The type as diagnostics show it (`str`, `Post`, `queryset of Tag`).
    pub fn describe(&self, project: &Project) -> String {
        match self {
            Type::Str => "str".into(),
            Type::SafeStr => "safe str".into(),
            Type::Int => "int".into(),
            Type::Float => "float".into(),
            Type::Decimal => "decimal".into(),
            Type::Bool => "bool".into(),
            Type::Date => "date".into(),
            Type::DateTime => "datetime".into(),
            Type::Uuid => "uuid".into(),
            Type::Json => "json".into(),
            Type::None => "none".into(),
            Type::Optional(inner) => format!("optional {}", inner.describe(project)),
            Type::Fallible(inner) => inner.describe(project),
            Type::Either(a, b) => format!("{} or {}", a.describe(project), b.describe(project)),
            Type::Object(model) => project.model(*model).name.clone(),
            Type::Manager(model) => format!("related manager of {}", project.model(*model).name),
            Type::QuerySet(model) => format!("queryset of {}", project.model(*model).name),
            Type::List(item) => format!("list of {}", item.describe(project)),
            Type::Tuple(items) => {
                let items: Vec<String> = items.iter().map(|t| t.describe(project)).collect();
                format!("({})", items.join(", "))
            }
            Type::Page(model) => format!("page of {}", project.model(*model).name),
            Type::Paginator(_) => "paginator".into(),
            Type::Form(_) => "form".into(),
            Type::FormFields(_) => "form field definitions".into(),
            Type::FormFieldDef(_) => "form field definition".into(),
            Type::BoundField(..) => "form field".into(),
            Type::FormValue => "form value".into(),
            Type::ErrorList => "error list".into(),
            Type::ErrorDict(_) => "form errors".into(),
            Type::User => "user".into(),
            Type::Request => "request".into(),
            Type::QueryDict => "query dict".into(),
            Type::Perms => "perms".into(),
            Type::AppPerms => "app permissions".into(),
            Type::Messages => "messages".into(),
            Type::Message => "message".into(),
            Type::ForLoop(_) => "forloop".into(),
            Type::Dict(entries) => {
                let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
                format!("dict {{{}}}", keys.join(", "))
            }
        }
    }

    /// The template type of a value the project's checker typed: a context
    /// entry, a field. `query_rows` says a list of objects comes from a
    /// query (a queryset) rather than a computed list.
    pub fn from_ir(ty: &ir::Type, query_rows: bool) -> Type {
        match ty {
            ir::Type::Int => Type::Int,
            ir::Type::Float => Type::Float,
            ir::Type::Decimal => Type::Decimal,
            ir::Type::Bool => Type::Bool,
            ir::Type::Str => Type::Str,
            ir::Type::Uuid => Type::Uuid,
            ir::Type::Date => Type::Date,
            ir::Type::DateTime => Type::DateTime,
            ir::Type::Json => Type::Json,
            ir::Type::Null => Type::None,
            ir::Type::Object(model) => Type::Object(*model),
            ir::Type::Optional(inner) => Type::from_ir(inner, query_rows).optional(),
            ir::Type::List(inner) => match inner.as_ref() {
                ir::Type::Object(model) if query_rows => Type::QuerySet(*model),
                other => Type::List(Box::new(Type::from_ir(other, false))),
            },
        }
    }
}

/// How one `.name` after a variable resolves, for code generation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lookup {
    /// A model field: its value; for a foreign key or one-to-one field the
    /// related object; for a many-to-many field its related manager.
    Field(FieldId),
    /// `<relation>_id`: the raw value of a foreign key or one-to-one field.
    RelationId(FieldId),
    /// `get_<field>_display`: the label of a choice field's value.
    ChoiceDisplay(FieldId),
    /// `pk`: the primary key.
    Pk,
    /// A reverse relation: its related manager, or the object (or a failed
    /// lookup) for the reverse of a one-to-one relation.
    Reverse(ReverseId),
    /// `form.<name>`, `form.fields.<name>`, `form.errors.<name>`: a form's field.
    FormField(FieldId),
    /// `.0`: an item by position.
    Index(usize),
    /// A key of a dict-like value (JSON, `request.GET`).
    Key(String),
    /// An attribute or argument-less method of a built-in type
    /// (`page_obj.number`, `tags.all`, `forloop.counter`, `perms.blog`).
    Attribute(String),
    /// `block.super`: the block of the same name in `template`, an ancestor.
    BlockSuper {
        /// The template whose block is rendered.
        template: String,
    },
}

/// One step of a [`RelationPath`]: a relation followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationStep {
    /// A foreign key, one-to-one or many-to-many field.
    Field(FieldId),
    /// A reverse relation.
    Reverse(ReverseId),
}

impl RelationStep {
    /// The same step as the project's IR names it.
    pub fn kind(self) -> StepKind {
        match self {
            RelationStep::Field(id) => StepKind::Field(id),
            RelationStep::Reverse(id) => StepKind::Reverse(id),
        }
    }
}

/// Where model objects come from: a context value of the view and the
/// relations followed from it. `object_list[*].author` is the author of
/// each listed post; `object.tags` the tags of the view's object.
///
/// Code generation fetches every recorded path with the view's own queries:
/// a JOIN for a chain of foreign keys / one-to-one relations, one batched
/// `IN (…)` query per many-to-many or reverse relation — so the number of
/// queries a page makes does not depend on the data (no N+1).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationPath {
    /// The context name the path starts at: `object`, `object_list`, or a
    /// `context` entry (`object_list` also stands for `page_obj` and the
    /// `<model>_list` alias, `object` for the `<model>` alias).
    pub root: String,
    /// True when the root holds several objects (a list or queryset).
    pub root_many: bool,
    /// The relations followed, in order.
    pub steps: Vec<RelationStep>,
}

impl RelationPath {
    /// A path with no step yet.
    pub fn root(root: impl Into<String>, many: bool) -> RelationPath {
        RelationPath {
            root: root.into(),
            root_many: many,
            steps: Vec::new(),
        }
    }

    /// The path extended by one relation.
    pub fn then(&self, step: RelationStep) -> RelationPath {
        let mut steps = self.steps.clone();
        steps.push(step);
        RelationPath {
            root: self.root.clone(),
            root_many: self.root_many,
            steps,
        }
    }

    /// The path written with `[*]` after each collection that is followed
    /// further: `object_list[*].tags`, `object.comments`.
    pub fn display(&self, project: &Project) -> String {
        let mut text = self.root.clone();
        if self.root_many && !self.steps.is_empty() {
            text.push_str("[*]");
        }
        for (i, step) in self.steps.iter().enumerate() {
            text.push('.');
            text.push_str(project.step_name(step.kind()));
            if project.step_is_many(step.kind()) && i + 1 < self.steps.len() {
                text.push_str("[*]");
            }
        }
        text
    }
}

/// What a template does with a relation: code generation fetches the rows,
/// or only counts them, or only tests that one exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationUse {
    /// The related objects themselves (a foreign key's object, iteration,
    /// `.first`, indexing, filters over the rows).
    Rows,
    /// Only their number (`.count`, `|length`).
    Count,
    /// Only whether there is one (`.exists`, `{% if relation.all %}`).
    Exists,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrappers_do_not_nest() {
        assert_eq!(
            Type::Str.optional().optional(),
            Type::Optional(Box::new(Type::Str))
        );
        assert_eq!(
            Type::Int.fallible().fallible(),
            Type::Fallible(Box::new(Type::Int))
        );
        assert_eq!(Type::Str.either(Type::Str), Type::Str);
        assert_eq!(
            Type::Str.fallible().optional(),
            Type::Fallible(Box::new(Type::Optional(Box::new(Type::Str))))
        );
        assert_eq!(Type::Int.optional().fallible().strip(), &Type::Int);
    }

    #[test]
    fn safety_follows_django() {
        assert!(Type::SafeStr.is_safe());
        assert!(!Type::Str.is_safe());
        assert!(Type::ErrorList.is_safe());
        assert!(Type::SafeStr.optional().is_safe());
        assert!(!Type::SafeStr.either(Type::Str).is_safe());
        assert!(Type::SafeStr.either(Type::ErrorList).is_safe());
    }

    #[test]
    fn iteration() {
        assert_eq!(
            Type::QuerySet(ModelId(0)).element(),
            Some(Type::Object(ModelId(0)))
        );
        assert_eq!(Type::Manager(ModelId(0)).element(), None);
        assert_eq!(Type::Int.element(), None);
        assert_eq!(
            Type::List(Box::new(Type::Int)).optional().element(),
            Some(Type::Int)
        );
        assert_eq!(
            Type::Form(ViewId(1)).element(),
            Some(Type::BoundField(ViewId(1), None))
        );
    }

    #[test]
    fn ir_types_convert() {
        let rows = ir::Type::List(Box::new(ir::Type::Object(ModelId(2))));
        assert_eq!(Type::from_ir(&rows, true), Type::QuerySet(ModelId(2)));
        assert_eq!(
            Type::from_ir(&rows, false),
            Type::List(Box::new(Type::Object(ModelId(2))))
        );
        let optional = ir::Type::Optional(Box::new(ir::Type::DateTime));
        assert_eq!(Type::from_ir(&optional, true), Type::DateTime.optional());
    }
}
