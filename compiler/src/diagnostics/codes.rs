//! The registry of diagnostic codes.
//!
//! Every diagnostic djinn reports has a stable code. The list below is the
//! single source of truth: `docs/diagnostics.md` documents each code with an
//! example, and the fixture corpus under `tests/fixtures/` holds at least one
//! failing project per code (a test enforces both).

use serde::Serialize;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $code:literal, $severity:ident, $title:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in output, e.g. `E0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short title shared by every diagnostic with this code.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// What the code means: its doc comment, one paragraph.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }

            /// The severity diagnostics with this code have by default.
            pub fn default_severity(self) -> super::Severity {
                match self { $(Code::$variant => super::Severity::$severity,)* }
            }
        }
    };
}

codes! {
    // ── syntax ────────────────────────────────────────────────────────────
    /// A `.djinn` file does not follow the grammar.
    SyntaxError = "E0001", Error, "syntax error";
    /// A URL pattern string is malformed (`<int:id` without `>`, empty name).
    InvalidPathPattern = "E0002", Error, "invalid URL pattern";
    /// A number literal does not fit its type.
    InvalidNumber = "E0003", Error, "invalid number";

    // ── settings (djinn.toml) ─────────────────────────────────────────────
    /// `djinn.toml` is not valid TOML.
    SettingsSyntax = "E0010", Error, "invalid TOML";
    /// A key `djinn.toml` does not know.
    SettingsUnknownKey = "E0011", Error, "unknown settings key";
    /// A settings value of the wrong type.
    SettingsWrongType = "E0012", Error, "wrong type for a setting";
    /// A required setting is missing.
    SettingsMissingKey = "E0013", Error, "missing setting";
    /// A setting has a value of the right type that is still not valid.
    SettingsInvalidValue = "E0014", Error, "invalid setting value";
    /// A middleware is named twice, or an unknown middleware is named.
    SettingsMiddleware = "E0015", Error, "invalid middleware order";
    /// The project has no `djinn.toml`.
    SettingsMissingFile = "E0016", Error, "missing djinn.toml";

    // ── models ────────────────────────────────────────────────────────────
    /// A field name that the model (or a relation on the path) does not have.
    UnknownField = "E0101", Error, "unknown field";
    /// A model name that no `model` declares.
    UnknownModel = "E0102", Error, "unknown model";
    /// Two models with the same name.
    DuplicateModel = "E0103", Error, "duplicate model";
    /// Two fields with the same name in one model.
    DuplicateField = "E0104", Error, "duplicate field";
    /// A relation field whose target model does not exist.
    RelationToMissingModel = "E0105", Error, "relation to a missing model";
    /// Two reverse relations (or a reverse relation and a field) share a name.
    RelatedNameClash = "E0106", Error, "related name clash";
    /// A field option that does not apply to the field's type.
    InvalidFieldOption = "E0107", Error, "option not valid for this field";
    /// The same option given twice.
    DuplicateOption = "E0108", Error, "duplicate option";
    /// A field type that needs an argument was given none (`string` without `max`).
    MissingTypeArgument = "E0109", Error, "missing type argument";
    /// A default value of the wrong type.
    InvalidDefault = "E0110", Error, "invalid default";
    /// A choice value that the choice field does not declare.
    UnknownChoice = "E0111", Error, "unknown choice value";
    /// Two choices with the same key.
    DuplicateChoice = "E0112", Error, "duplicate choice";
    /// `on_delete = set_null` on a relation that is not `null`.
    SetNullWithoutNull = "E0113", Error, "set_null needs a nullable relation";
    /// A foreign key or one-to-one relation without `on_delete`.
    MissingOnDelete = "E0114", Error, "missing on_delete";
    /// An unknown field type argument or option name.
    UnknownOption = "E0115", Error, "unknown option";
    /// More than one field is marked `primary_key`.
    MultiplePrimaryKeys = "E0116", Error, "multiple primary keys";
    /// A field named `id` while the model also gets the implicit `id` key.
    ReservedFieldName = "E0117", Error, "reserved name";
    /// An unknown or duplicate entry in a `meta` block.
    InvalidMeta = "E0118", Error, "invalid meta entry";
    /// A type argument with an invalid value (`string(max = 0)`).
    InvalidTypeArgument = "E0119", Error, "invalid type argument";
    /// A `str` format refers to something that is not a field.
    InvalidStrFormat = "E0120", Error, "invalid str format";
    /// A field type that is neither a built-in type nor a model (`strng`).
    UnknownFieldType = "E0121", Error, "unknown field type";

    // ── urls ──────────────────────────────────────────────────────────────
    /// A route names a view that does not exist.
    UnknownView = "E0201", Error, "unknown view";
    /// Two routes with the same `name`.
    DuplicateUrlName = "E0202", Error, "duplicate URL name";
    /// A URL name that no route declares.
    UnknownUrlName = "E0203", Error, "unknown URL name";
    /// A converter other than `int`, `str`, `slug`, `uuid`, `path`.
    UnknownConverter = "E0204", Error, "unknown converter";
    /// A route's converter does not produce the view parameter's type.
    ConverterMismatch = "E0205", Error, "converter does not match the view parameter";
    /// A route and its view disagree on parameter names.
    RouteParameterMismatch = "E0206", Error, "route and view parameters differ";
    /// A URL reverse (redirect, success) with missing, extra or mistyped arguments.
    UrlArgumentMismatch = "E0207", Error, "wrong URL arguments";
    /// A route that an earlier route always matches first.
    ShadowedRoute = "W0208", Warning, "unreachable route";
    /// `include` of a URL group that does not exist.
    UnknownUrlGroup = "E0209", Error, "unknown URL group";
    /// The same parameter name twice in one URL pattern.
    DuplicatePathParameter = "E0210", Error, "duplicate URL parameter";
    /// Two URL groups with the same name, or two unnamed root groups.
    DuplicateUrlGroup = "E0211", Error, "duplicate URL group";
    /// A view that no route serves.
    UnroutedView = "W0212", Warning, "view is never routed";
    /// URL groups that include each other in a cycle.
    IncludeCycle = "E0213", Error, "include cycle";
    /// A URL group that no `include` reaches.
    UnusedUrlGroup = "W0214", Warning, "URL group is never included";

    // ── views ─────────────────────────────────────────────────────────────
    /// Two views with the same name.
    DuplicateView = "E0301", Error, "duplicate view";
    /// A clause that this kind of view does not take.
    ClauseNotAllowed = "E0302", Error, "clause not allowed for this view kind";
    /// A clause this kind of view needs is missing.
    MissingClause = "E0303", Error, "missing clause";
    /// A template file that does not exist under `templates/`.
    UnknownTemplate = "E0304", Error, "unknown template";
    /// A Rust function that does not exist in `src/`.
    UnknownRustFunction = "E0305", Error, "unknown Rust function";
    /// A Rust function whose signature the generated code cannot call.
    RustSignatureMismatch = "E0306", Error, "incompatible Rust function signature";
    /// The same clause twice in one view.
    DuplicateClause = "E0307", Error, "duplicate clause";
    /// A form field that cannot be edited (auto key, `auto_now`, reverse relation).
    FieldNotEditable = "E0308", Error, "field not editable";
    /// A `fields` list that is empty or names a field twice.
    InvalidFieldList = "E0309", Error, "invalid field list";
    /// A query over another model than the view's.
    QueryModelMismatch = "E0310", Error, "query over the wrong model";
    /// An invalid value for `paginate` or `cache`.
    InvalidClauseValue = "E0311", Error, "invalid clause value";
    /// An HTTP method that is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS.
    UnknownHttpMethod = "E0312", Error, "unknown HTTP method";
    /// A permission that is malformed or names a missing model or action.
    UnknownPermission = "E0313", Error, "unknown permission";
    /// Two view parameters with the same name.
    DuplicateParameter = "E0314", Error, "duplicate parameter";
    /// A view parameter type that is not a converter type.
    UnknownParameterType = "E0315", Error, "unknown parameter type";
    /// A query that does not return what the clause needs (a list for `query`, a row for `get`).
    QueryShapeMismatch = "E0316", Error, "query has the wrong shape";
    /// A context entry whose name is reserved or given twice.
    ContextNameClash = "E0317", Error, "context name clash";
    /// A Rust file under `src/` that does not parse.
    RustSyntaxError = "E0318", Error, "Rust syntax error";
    /// A hook on an unknown signal.
    UnknownSignal = "E0319", Error, "unknown signal";
    /// A view or hook path that is not `module::function`.
    InvalidRustPath = "E0320", Error, "invalid Rust path";
    /// A view that changes data and that anyone may call: no
    /// `login_required`, `staff_required` or `permission`, and no `public`.
    UnprotectedWrite = "W0321", Warning, "view changes data without access control";

    // ── queries ───────────────────────────────────────────────────────────
    /// A name in a query value that is neither a parameter, a context entry nor a choice.
    UnknownName = "E0401", Error, "unknown name";
    /// A lookup whose value has the wrong type for the field.
    LookupTypeMismatch = "E0402", Error, "mismatched types in lookup";
    /// A lookup that does not apply to the field's type (`contains` on an int).
    LookupNotApplicable = "E0403", Error, "lookup not applicable to this field";
    /// A path that continues through a field that is not a relation.
    NotARelation = "E0404", Error, "not a relation";
    /// An unknown queryset method.
    UnknownQueryMethod = "E0406", Error, "unknown query method";
    /// `order_by` on a field that cannot be ordered (a many relation).
    InvalidOrdering = "E0407", Error, "invalid ordering";
    /// A slice with negative or reversed bounds.
    InvalidSlice = "E0408", Error, "invalid slice";
    /// A queryset method after `count()` or `first()`.
    MethodAfterTerminal = "E0409", Error, "method after a terminal operation";
    /// `in` with something that is not a list or a relation.
    InNeedsList = "E0410", Error, "`in` needs a list";
    /// A function in a lookup or check constraint that does not exist or gets the wrong type.
    UnknownFunction = "E0411", Error, "unknown function";
    /// A query method called with the wrong number or kind of arguments.
    InvalidQueryArguments = "E0412", Error, "invalid query arguments";

    // ── admin ─────────────────────────────────────────────────────────────
    /// Two `admin` blocks for one model.
    DuplicateAdmin = "E0502", Error, "duplicate admin";
    /// An admin option djinn does not know.
    UnknownAdminOption = "E0503", Error, "unknown admin option";
    /// A `list_filter` on a field that cannot be filtered.
    InvalidAdminFilter = "E0504", Error, "invalid admin filter";
    /// A `search` over a field that is not text.
    InvalidAdminSearch = "E0505", Error, "invalid admin search field";

    // ── templates ─────────────────────────────────────────────────────────
    /// A template tag whose arguments do not parse.
    TemplateSyntax = "E0701", Error, "template syntax error";
    /// A `{% tag %}` that Django's built-in library does not have.
    UnknownTag = "E0702", Error, "unknown template tag";
    /// A block tag (`if`, `for`, `block`…) without its end tag.
    UnclosedTag = "E0703", Error, "unclosed template tag";
    /// An end or intermediate tag (`endif`, `else`…) where none is open.
    UnexpectedTag = "E0704", Error, "unexpected template tag";
    /// `{% extends %}` that is not the first tag, or appears twice.
    MisplacedExtends = "E0705", Error, "misplaced extends";
    /// Two `{% block %}`s with the same name in one template.
    DuplicateBlock = "E0706", Error, "duplicate block";
    /// A template variable that is not in the context of a view rendering
    /// the template (nor bound by `for`, `with` or `as`).
    UnknownVariable = "E0707", Error, "unknown template variable";
    /// An attribute the value does not have: a model field, a form field, an
    /// attribute of a page, a loop, the user, a permission.
    UnknownAttribute = "E0708", Error, "unknown attribute";
    /// A filter that is not one of Django's built-in filters djinn compiles.
    UnknownFilter = "E0709", Error, "unknown filter";
    /// A filter argument that is missing, not expected, or of the wrong type or form.
    FilterArgument = "E0710", Error, "wrong filter argument";
    /// A value used where its type cannot work: looping over a non-iterable,
    /// a filter given a value it cannot handle, a comparison that is always false.
    TemplateTypeMismatch = "E0711", Error, "mismatched types in template";
    /// A template name, URL name or sort key written as a variable where djinn
    /// needs a constant (Django would resolve it at run time).
    NotConstant = "E0712", Error, "not a constant";
    /// A template that no view renders, directly or through `extends` or `include`.
    UnrenderedTemplate = "W0713", Warning, "template is never rendered";
    /// `{% static %}` of a file that is not under `static/`.
    MissingStaticFile = "W0714", Warning, "static file not found";
    /// Templates that extend each other in a cycle.
    ExtendsCycle = "E0715", Error, "extends cycle";
    /// A block of an extending template that no parent template has, so it is never shown.
    UnusedBlock = "W0716", Warning, "block is never rendered";

    // ── hooks ─────────────────────────────────────────────────────────────
    /// Two hooks on the same signal and model calling the same function.
    DuplicateHook = "E0601", Error, "duplicate hook";

    // ── migrations ────────────────────────────────────────────────────────
    /// The project has a `migrations/` directory and its models differ from
    /// the schema of the last migration: a model, field, index or constraint
    /// changed without a migration. `djinn makemigrations` writes one.
    MigrationDrift = "E0801", Error, "models and migrations disagree";
    /// A file under `migrations/` that cannot be read as a migration: a bad
    /// name, invalid TOML or JSON, a missing schema file, two migrations with
    /// one number.
    MalformedMigration = "E0802", Error, "malformed migration file";

    // ── fixtures ──────────────────────────────────────────────────────────
    /// A file under `fixtures/` that is not Django's dumpdata JSON: not
    /// JSON, not a list of objects, an object without a `"model"` string or
    /// a `"fields"` object, or a key given twice.
    MalformedFixture = "E0901", Error, "malformed fixture";
    /// A fixture row whose `"model"` is not the label of a model of the
    /// project: the app label (`[project] name`), a dot and the model's name
    /// in lower case (`blog.post`).
    UnknownFixtureModel = "E0902", Error, "unknown model in fixture";
    /// A key of a fixture row's `"fields"` that is not a field of the
    /// model: a typo, a reverse relation, or the primary key (which goes in
    /// `"pk"`).
    UnknownFixtureField = "E0903", Error, "unknown field in fixture";
    /// A fixture value that `loaddata` cannot store in its field: the wrong
    /// JSON type (a string for an `int`), `null` for a field that is not
    /// `null`, a number out of range, a string longer than the field's
    /// `max`, a key that is not a choice, text that is not a date, datetime,
    /// UUID or decimal, a relation that is not the related model's key, a
    /// many-to-many value that is not a list of keys.
    FixtureValueMismatch = "E0904", Error, "fixture value does not fit its field";
    /// A fixture row without a field that has no `default`, is not `null`,
    /// not an automatic timestamp and not `blank` text, or without `"pk"`
    /// when the model's key is not automatic.
    MissingFixtureField = "E0905", Error, "missing field in fixture";
    /// Two rows of one model with the same key, the same value of a
    /// `unique` field or the same values of a `unique (…)` constraint, or a
    /// many-to-many list naming a key twice: loading the file would fail.
    DuplicateFixtureKey = "E0906", Error, "duplicate key in fixture";
    /// A relation value naming a key that the fixture's rows of the related
    /// model do not have. Only checked when the file has rows of that model;
    /// loading succeeds only if the database already has the row.
    DanglingFixtureReference = "W0907", Warning, "reference to a row the fixture does not have";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} used twice");
            assert_eq!(s.len(), 5, "{s}");
            let expected = match code.default_severity() {
                crate::diagnostics::Severity::Error => 'E',
                crate::diagnostics::Severity::Warning => 'W',
            };
            assert!(
                s.starts_with(expected),
                "{s} has the wrong letter for its severity"
            );
        }
    }
}
