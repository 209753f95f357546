//! Hand-written Rust under `src/`: an index of its functions, read with `syn`.
//!
//! Stage input: the Rust files of a [`ProjectInput`]. Output: a
//! [`RustIndex`] from `module::function` to each function's signature, used
//! by the checker to validate `rust "module::function"` views and hooks
//! through [`RustIndex::check_view`] and [`RustIndex::check_hook`].
//!
//! Module paths follow Rust's own layout: `src/views.rs` and
//! `src/views/mod.rs` are `views`, `src/a/b.rs` is `a::b` (declared by
//! `mod b;` in `a`), an inline `mod b { … }` in `src/a.rs` is `a::b`.
//! The generated crate owns `src/main.rs` and `src/lib.rs` and declares every
//! top-level module. Indexing reports E0318 for files that do not parse or
//! cannot be modules; the checks report E0320, E0305 and E0306. The contract
//! a function must meet is in `docs/rust-functions.md`.

// The checker's API returns one `Diagnostic` by value, like every stage.
#![allow(clippy::result_large_err, reason = "diagnostics are returned by value")]

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::project::ProjectInput;
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::ast::StrLit;
use proc_macro2::LineColumn;
use std::collections::BTreeMap;
use syn::ext::IdentExt;
use syn::spanned::Spanned;

/// Root files the generated crate writes itself.
const RESERVED_ROOT_FILES: [&str; 2] = ["main.rs", "lib.rs"];

// ── the index ───────────────────────────────────────────────────────────────

/// The modules and free functions found under `src/`.
#[derive(Clone, Debug, Default)]
pub struct RustIndex {
    modules: BTreeMap<String, RustModule>,
    functions: BTreeMap<String, RustFn>,
}

/// One module: a file under `src/` or an inline `mod name { … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustModule {
    /// The path from the crate root, without `crate::` (`views`, `a::b`).
    pub path: String,
    /// The file holding the module's items.
    pub file: FileId,
    /// How the crate comes to include the module.
    pub declaration: ModuleDeclaration,
    /// False when the file does not parse, so its functions are unknown.
    pub parsed: bool,
}

/// How a module becomes part of the generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleDeclaration {
    /// A file directly under `src/`: the generated crate declares it.
    Root,
    /// `mod name;` or `mod name { … }` in the parent module.
    InParent {
        /// Whether the generated code, at the crate root, can name it
        /// (`pub`, `pub(crate)`, or `pub(super)` inside a top-level module).
        is_pub: bool,
        /// The module's name in the declaration.
        span: Span,
    },
    /// A file in a module directory whose parent has no `mod name;`, so
    /// rustc never compiles it.
    Missing,
}

/// A free function (not in an `impl` block) and its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustFn {
    /// `module::function`, as `.djinn` files write it.
    pub path: String,
    /// The module part of the path.
    pub module: String,
    /// The function's name.
    pub name: String,
    /// The name in the `fn` item.
    pub span: Span,
    /// The `fn` keyword (where `async` belongs).
    pub fn_token: Span,
    /// Whether the generated code, at the crate root, can call it: `pub`,
    /// `pub(crate)`, or `pub(super)` inside a top-level module.
    pub is_pub: bool,
    /// Whether it is an `async fn`.
    pub is_async: bool,
    /// The parameters, in order.
    pub params: Vec<RustParam>,
    /// The parenthesised parameter list.
    pub params_span: Span,
    /// The type after `->`; `None` when there is no `->`.
    pub output: Option<RustType>,
}

/// One parameter of a [`RustFn`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustParam {
    /// The name, when the pattern is a plain identifier (`mut` and `ref`
    /// allowed); `None` for `_` and destructuring patterns.
    pub name: Option<String>,
    /// The pattern as written.
    pub pattern: Span,
    /// The type.
    pub ty: RustType,
    /// The whole parameter.
    pub span: Span,
}

/// A type written in a signature: its text and a simplified shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustType {
    /// The type in normal form, e.g. `&mut djinn_runtime::Request`.
    pub text: String,
    /// What the type is made of, as far as signature checks need it.
    pub shape: TypeShape,
    /// Where the type is written.
    pub span: Span,
}

/// The shape of a [`RustType`]. Parentheses around a type are looked through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeShape {
    /// `&T` or `&mut T`; the lifetime is ignored.
    Reference {
        /// Whether it is `&mut`.
        mutable: bool,
        /// The referenced type.
        target: Box<RustType>,
    },
    /// A path, by its last segment: `djinn_runtime::Result<Response>` has
    /// last segment `Result` and generic arguments `[Response]`.
    Path {
        /// The last segment's identifier.
        last_segment: String,
        /// The last segment's type arguments (lifetimes and constants left out).
        generic_args: Vec<RustType>,
    },
    /// A tuple; `()` is the empty tuple.
    Tuple(Vec<RustType>),
    /// Anything else: slices, arrays, `impl Trait`, function pointers…
    Other,
}

impl RustType {
    /// The last path segment and its type arguments, when the type is a path.
    pub fn as_path(&self) -> Option<(&str, &[RustType])> {
        match &self.shape {
            TypeShape::Path {
                last_segment,
                generic_args,
            } => Some((last_segment, generic_args)),
            _ => None,
        }
    }

    /// Whether it is `&mut`, and the referenced type, when the type is a reference.
    pub fn as_reference(&self) -> Option<(bool, &RustType)> {
        match &self.shape {
            TypeShape::Reference { mutable, target } => Some((*mutable, target)),
            _ => None,
        }
    }

    /// True for `()`.
    pub fn is_unit(&self) -> bool {
        matches!(&self.shape, TypeShape::Tuple(elements) if elements.is_empty())
    }

    /// True for a path whose last segment is one of `names`.
    fn is_path_named(&self, names: &[&str]) -> bool {
        self.as_path()
            .is_some_and(|(last, _)| names.contains(&last))
    }

    /// The first type argument of a path whose last segment is `name`.
    fn first_arg_of(&self, name: &str) -> Option<&RustType> {
        match self.as_path() {
            Some((last, args)) if last == name => args.first(),
            _ => None,
        }
    }
}

impl RustIndex {
    /// The function at `module::function`, if the index has it.
    pub fn get(&self, path: &str) -> Option<&RustFn> {
        self.functions.get(path)
    }

    /// Every indexed function, sorted by path.
    pub fn functions(&self) -> impl Iterator<Item = &RustFn> {
        self.functions.values()
    }

    /// The functions defined directly in `module`, sorted by name.
    pub fn functions_in<'a>(&'a self, module: &'a str) -> impl Iterator<Item = &'a RustFn> {
        let prefix = format!("{module}::");
        self.functions
            .range(prefix.clone()..)
            .take_while(move |(path, _)| path.starts_with(&prefix))
            .map(|(_, function)| function)
            .filter(move |function| function.module == module)
    }

    /// Every module, sorted by path. Codegen declares those whose
    /// declaration is [`ModuleDeclaration::Root`].
    pub fn modules(&self) -> impl Iterator<Item = &RustModule> {
        self.modules.values()
    }

    /// The path of a function in the same module whose name is close to the
    /// last segment of `path` (a did-you-mean candidate).
    pub fn candidates_near(&self, path: &str) -> Option<&str> {
        let (module, name) = path.rsplit_once("::")?;
        let best = did_you_mean(name, self.functions_in(module).map(|f| f.name.as_str()))?;
        self.functions
            .get(&format!("{module}::{best}"))
            .map(|function| function.path.as_str())
    }

    /// Checks that `reference` names a function a `rust` view can call with
    /// the request and `url_params` (in order, by name), and returns it.
    ///
    /// The contract: `pub async fn NAME(request: &mut Request, <url params>)
    /// -> Result<Response>`, with the variants `docs/rust-functions.md` lists.
    pub fn check_view(
        &self,
        reference: &StrLit,
        url_params: &[(String, ConverterType)],
    ) -> Result<&RustFn, Diagnostic> {
        let function = self.resolve(reference)?;
        let mut params = vec![ExpectedParam {
            name: "request",
            named: false,
            rule: ParamRule::Request,
        }];
        params.extend(url_params.iter().map(|(name, converter)| ExpectedParam {
            name: name.as_str(),
            named: true,
            rule: ParamRule::Url(name.as_str(), *converter),
        }));
        let contract = Contract {
            caller: "the view",
            function,
            reference,
            params,
            output: OutputRule::Response,
        };
        contract.check()?;
        Ok(function)
    }

    /// Checks that `reference` names a function a hook on `model` can call
    /// with the transaction and the object, and returns it.
    ///
    /// The contract: `pub async fn NAME(db: &mut Transaction, object:
    /// &crate::models::MODEL) -> Result<()>`.
    pub fn check_hook(&self, reference: &StrLit, model: &str) -> Result<&RustFn, Diagnostic> {
        let function = self.resolve(reference)?;
        let contract = Contract {
            caller: "the hook",
            function,
            reference,
            params: vec![
                ExpectedParam {
                    name: "db",
                    named: false,
                    rule: ParamRule::Transaction,
                },
                ExpectedParam {
                    name: "object",
                    named: false,
                    rule: ParamRule::Object(model),
                },
            ],
            output: OutputRule::Unit,
        };
        contract.check()?;
        Ok(function)
    }

    /// Finds the function a `"module::function"` literal names, or explains
    /// why it cannot be called.
    fn resolve(&self, reference: &StrLit) -> Result<&RustFn, Diagnostic> {
        let (module_segments, name) = parse_reference(reference)?;
        let module = module_segments.join("::");
        let Some(found) = self.modules.get(&module) else {
            return Err(self.unknown_module(reference, &module_segments));
        };
        self.check_reachable(reference, found)?;
        if !found.parsed {
            return Err(Diagnostic::new(
                Code::UnknownRustFunction,
                reference.span,
                format!(
                    "cannot check `{}`: its module does not parse",
                    reference.value
                ),
            )
            .with_label(format!("module `{module}` has a syntax error"))
            .with_help("fix the syntax error reported in the Rust file first"));
        }
        let path = format!("{module}::{name}");
        if let Some(function) = self.functions.get(&path) {
            return Ok(function);
        }
        let mut diagnostic = Diagnostic::new(
            Code::UnknownRustFunction,
            reference.span,
            format!("no function `{name}` in Rust module `{module}`"),
        )
        .with_label(format!("not found in `{module}`"))
        .with_suggestion(
            &name,
            "a function",
            self.functions_in(&module).map(|f| f.name.as_str()),
        );
        if diagnostic.help.is_none()
            && let Some(elsewhere) = self.functions().find(|f| f.name == *name)
        {
            diagnostic = diagnostic.with_help(format!(
                "a function with this name exists: `{}`",
                elsewhere.path
            ));
        }
        Err(diagnostic)
    }

    /// E0305 for a module path with no module; names the files looked for.
    fn unknown_module(&self, reference: &StrLit, segments: &[String]) -> Diagnostic {
        let module = segments.join("::");
        let directory = segments.join("/");
        let mut looked_for = format!("`src/{directory}.rs` and `src/{directory}/mod.rs`");
        if let Some((last, parent)) = segments.split_last()
            && !parent.is_empty()
        {
            looked_for = format!(
                "{looked_for}, and `mod {last} {{ … }}` in `{}`",
                parent.join("::")
            );
        }
        let broken_ancestor = (1..segments.len())
            .map(|depth| segments[..depth].join("::"))
            .find(|ancestor| self.modules.get(ancestor).is_some_and(|m| !m.parsed));
        let mut diagnostic = Diagnostic::new(
            Code::UnknownRustFunction,
            reference.span,
            format!("no Rust module `{module}` for `{}`", reference.value),
        )
        .with_label(format!("module `{module}` not found"))
        .with_help(format!("looked for {looked_for}"));
        if let Some(ancestor) = broken_ancestor {
            diagnostic = diagnostic.with_note(format!(
                "module `{ancestor}` does not parse, so its inline modules are unknown"
            ));
        } else if let Some(similar) = did_you_mean(&module, self.modules.keys().map(String::as_str))
        {
            diagnostic =
                diagnostic.with_note(format!("a module with a similar name exists: `{similar}`"));
        }
        diagnostic
    }

    /// Checks that the generated code can name `module` and every module
    /// above it.
    fn check_reachable(&self, reference: &StrLit, module: &RustModule) -> Result<(), Diagnostic> {
        let segments: Vec<&str> = module.path.split("::").collect();
        for depth in 2..=segments.len() {
            let path = segments[..depth].join("::");
            let parent = segments[..depth - 1].join("::");
            let name = segments[depth - 1];
            let Some(ancestor) = self.modules.get(&path) else {
                continue;
            };
            match ancestor.declaration {
                ModuleDeclaration::Root | ModuleDeclaration::InParent { is_pub: true, .. } => {}
                ModuleDeclaration::InParent {
                    is_pub: false,
                    span,
                } => {
                    return Err(Diagnostic::new(
                        Code::RustSignatureMismatch,
                        span,
                        format!(
                            "module `{path}` is private, so the generated code cannot call `{}`",
                            reference.value
                        ),
                    )
                    .with_label("private module")
                    .with_secondary(reference.span, "referenced here")
                    .with_help(format!("declare it `pub mod {name}` in `{parent}`")));
                }
                ModuleDeclaration::Missing => {
                    let help = if self.modules.contains_key(&parent) {
                        format!("add `pub mod {name};` to module `{parent}`")
                    } else {
                        let directory = parent.replace("::", "/");
                        format!(
                            "add `src/{directory}.rs` (or `src/{directory}/mod.rs`) containing `pub mod {name};`"
                        )
                    };
                    return Err(Diagnostic::new(
                        Code::UnknownRustFunction,
                        reference.span,
                        format!("Rust module `{path}` is not part of the crate: `{parent}` does not declare it"),
                    )
                    .with_label(format!("module `{path}` is never declared"))
                    .with_help(help));
                }
            }
        }
        Ok(())
    }
}

/// Splits a `"module::function"` literal into the module's segments and the
/// function's name (E0320 if it is not identifiers joined by `::`).
fn parse_reference(reference: &StrLit) -> Result<(Vec<String>, String), Diagnostic> {
    let value = reference.value.as_str();
    let segments: Option<Vec<String>> = value
        .split("::")
        .map(|segment| {
            syn::parse_str::<syn::Ident>(segment)
                .ok()
                .filter(|ident| ident == segment)
                .map(|ident| ident.unraw().to_string())
        })
        .collect();
    match segments {
        Some(mut segments) if segments.len() >= 2 => {
            let name = segments.pop().unwrap_or_default();
            Ok((segments, name))
        }
        _ => {
            let help = if let Some(rest) = value.strip_prefix("crate::") {
                format!("write the path from `src/`, without `crate::`: `{rest}`")
            } else if segments.is_some() {
                format!(
                    "name the module too: `views::{value}` is `pub async fn {value}` in `src/views.rs`"
                )
            } else {
                "write `module::function`, e.g. `views::dashboard` for `pub async fn dashboard` in `src/views.rs`"
                    .to_owned()
            };
            Err(Diagnostic::new(
                Code::InvalidRustPath,
                reference.span,
                format!("`{value}` is not a Rust function path"),
            )
            .with_label("expected `module::function`")
            .with_help(help))
        }
    }
}

// ── signature contracts ─────────────────────────────────────────────────────

/// The URL converters; each decides the Rust type of a view parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConverterType {
    /// `int`: digits, passed as `i64`.
    Int,
    /// `str`: any text without `/`, passed as `String` or `&str`.
    Str,
    /// `slug`: letters, digits, `-` and `_`, passed as `String` or `&str`.
    Slug,
    /// `uuid`: a UUID, passed as `Uuid`.
    Uuid,
    /// `path`: any text including `/`, passed as `String` or `&str`.
    Path,
}

impl ConverterType {
    /// Every converter, in the order the docs list them.
    pub const ALL: [ConverterType; 5] = [
        ConverterType::Int,
        ConverterType::Str,
        ConverterType::Slug,
        ConverterType::Uuid,
        ConverterType::Path,
    ];

    /// The converter with this name as written in a URL pattern (`int`, `slug`…).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|converter| converter.name() == name)
    }

    /// The name as written in a URL pattern.
    pub fn name(self) -> &'static str {
        match self {
            ConverterType::Int => "int",
            ConverterType::Str => "str",
            ConverterType::Slug => "slug",
            ConverterType::Uuid => "uuid",
            ConverterType::Path => "path",
        }
    }

    /// Whether a hand-written view can take this converter's value as `ty`.
    fn accepts(self, ty: &RustType) -> bool {
        match self {
            ConverterType::Int => ty.is_path_named(&["i64"]),
            ConverterType::Str | ConverterType::Slug | ConverterType::Path => {
                ty.is_path_named(&["String"])
                    || ty
                        .as_reference()
                        .is_some_and(|(mutable, target)| !mutable && target.is_path_named(&["str"]))
            }
            ConverterType::Uuid => ty.is_path_named(&["Uuid"]),
        }
    }

    /// The type shown in the expected signature.
    fn signature_type(self) -> &'static str {
        match self {
            ConverterType::Int => "i64",
            ConverterType::Str | ConverterType::Slug | ConverterType::Path => "&str",
            ConverterType::Uuid => "uuid::Uuid",
        }
    }

    /// Every accepted type, for labels.
    fn accepted_types(self) -> &'static str {
        match self {
            ConverterType::Int => "`i64`",
            ConverterType::Str | ConverterType::Slug | ConverterType::Path => "`String` or `&str`",
            ConverterType::Uuid => "`Uuid`",
        }
    }
}

/// What the generated code passes in one parameter position.
enum ParamRule<'a> {
    /// The request: `Request`, `&Request` or `&mut Request`.
    Request,
    /// A URL parameter, by name and converter.
    Url(&'a str, ConverterType),
    /// The hook's transaction: `&mut Transaction` or `&mut Tx`.
    Transaction,
    /// The hook's object: `&Model`.
    Object(&'a str),
}

impl ParamRule<'_> {
    fn accepts(&self, ty: &RustType) -> bool {
        match self {
            ParamRule::Request => {
                ty.is_path_named(&["Request"])
                    || ty
                        .as_reference()
                        .is_some_and(|(_, target)| target.is_path_named(&["Request"]))
            }
            ParamRule::Url(_, converter) => converter.accepts(ty),
            ParamRule::Transaction => ty.as_reference().is_some_and(|(mutable, target)| {
                mutable && target.is_path_named(&["Transaction", "Tx"])
            }),
            ParamRule::Object(model) => ty
                .as_reference()
                .is_some_and(|(mutable, target)| !mutable && target.is_path_named(&[*model])),
        }
    }

    /// What is passed, for messages: "the request", "the URL parameter `id` (`int`)".
    fn describe(&self) -> String {
        match self {
            ParamRule::Request => "the request".to_owned(),
            ParamRule::Url(name, converter) => {
                format!("the URL parameter `{name}` (`{}`)", converter.name())
            }
            ParamRule::Transaction => "the transaction".to_owned(),
            ParamRule::Object(model) => format!("the `{model}` object"),
        }
    }

    fn signature_type(&self) -> String {
        match self {
            ParamRule::Request => "&mut djinn_runtime::Request".to_owned(),
            ParamRule::Url(_, converter) => converter.signature_type().to_owned(),
            ParamRule::Transaction => "&mut djinn_runtime::Transaction".to_owned(),
            ParamRule::Object(model) => format!("&crate::models::{model}"),
        }
    }

    fn accepted_types(&self) -> String {
        match self {
            ParamRule::Request => "`Request`, `&Request` or `&mut Request`".to_owned(),
            ParamRule::Url(_, converter) => converter.accepted_types().to_owned(),
            ParamRule::Transaction => "`&mut Transaction` or `&mut Tx`".to_owned(),
            ParamRule::Object(model) => format!("`&{model}`"),
        }
    }
}

/// One parameter the generated code passes.
struct ExpectedParam<'a> {
    /// The name shown in the expected signature.
    name: &'a str,
    /// Whether the Rust parameter must have exactly this name.
    named: bool,
    rule: ParamRule<'a>,
}

/// What the function must return.
enum OutputRule {
    /// A view: `Response`, `Result<Response>` or `Result<Response, E>`.
    Response,
    /// A hook: `Result<()>` or `Result<(), E>`.
    Unit,
}

impl OutputRule {
    fn accepts(&self, ty: &RustType) -> bool {
        match self {
            OutputRule::Response => {
                ty.is_path_named(&["Response"])
                    || ty
                        .first_arg_of("Result")
                        .is_some_and(|ok| ok.is_path_named(&["Response"]))
            }
            OutputRule::Unit => ty.first_arg_of("Result").is_some_and(RustType::is_unit),
        }
    }

    fn signature_type(&self) -> &'static str {
        match self {
            OutputRule::Response => "djinn_runtime::Result<djinn_runtime::Response>",
            OutputRule::Unit => "djinn_runtime::Result<()>",
        }
    }

    fn accepted_types(&self) -> &'static str {
        match self {
            OutputRule::Response => "`Response` or `Result<Response, _>`",
            OutputRule::Unit => "`Result<(), _>`",
        }
    }
}

/// A function checked against what the generated code will call it with.
struct Contract<'a> {
    /// "the view" or "the hook".
    caller: &'static str,
    function: &'a RustFn,
    reference: &'a StrLit,
    params: Vec<ExpectedParam<'a>>,
    output: OutputRule,
}

impl Contract<'_> {
    /// The first difference between the function and the contract, in the
    /// order a reader fixes them: visibility, `async`, parameters, return type.
    fn check(&self) -> Result<(), Diagnostic> {
        let function = self.function;
        if !function.is_pub {
            return Err(self.mismatch(
                function.span,
                format!(
                    "`{}` is private, so {} cannot call it",
                    function.path, self.caller
                ),
                "not `pub`",
            ));
        }
        if !function.is_async {
            return Err(self.mismatch(
                function.fn_token,
                format!("`{}` is not `async`", function.path),
                "expected `async fn`",
            ));
        }
        self.check_params()?;
        self.check_output()
    }

    fn check_params(&self) -> Result<(), Diagnostic> {
        let function = self.function;
        let count_message = || {
            format!(
                "`{}` takes {} but {} passes {}",
                function.path,
                plural(function.params.len(), "parameter"),
                self.caller,
                self.params.len()
            )
        };
        for (position, expected) in self.params.iter().enumerate() {
            let Some(param) = function.params.get(position) else {
                let close_paren = Span {
                    start: function.params_span.end.saturating_sub(1),
                    ..function.params_span
                };
                return Err(self.mismatch(
                    close_paren,
                    count_message(),
                    format!(
                        "missing `{}: {}` for {}",
                        expected.name,
                        expected.rule.signature_type(),
                        expected.rule.describe()
                    ),
                ));
            };
            if expected.named && param.name.as_deref() != Some(expected.name) {
                return Err(self.mismatch(
                    param.pattern,
                    format!(
                        "parameter {} of `{}` must be named `{}` after the URL parameter it takes",
                        position + 1,
                        function.path,
                        expected.name
                    ),
                    format!("expected `{}`", expected.name),
                ));
            }
            if !expected.rule.accepts(&param.ty) {
                let which = match &param.name {
                    Some(name) => format!("`{name}`"),
                    None => format!("{}", position + 1),
                };
                return Err(self.mismatch(
                    param.ty.span,
                    format!(
                        "parameter {which} of `{}` has type `{}`, but {} passes {} there",
                        function.path,
                        param.ty.text,
                        self.caller,
                        expected.rule.describe()
                    ),
                    format!("expected {}", expected.rule.accepted_types()),
                ));
            }
        }
        if let Some(extra) = function.params.get(self.params.len()) {
            return Err(self.mismatch(
                extra.span,
                count_message(),
                format!("{} passes nothing here", self.caller),
            ));
        }
        Ok(())
    }

    fn check_output(&self) -> Result<(), Diagnostic> {
        let function = self.function;
        match &function.output {
            Some(output) if self.output.accepts(output) => Ok(()),
            Some(output) => Err(self.mismatch(
                output.span,
                format!(
                    "`{}` returns `{}`, but {} needs `{}`",
                    function.path,
                    output.text,
                    self.caller,
                    self.output.signature_type()
                ),
                format!("expected {}", self.output.accepted_types()),
            )),
            None => Err(self.mismatch(
                Span {
                    start: function.params_span.end.saturating_sub(1),
                    ..function.params_span
                },
                format!(
                    "`{}` returns nothing, but {} needs `{}`",
                    function.path,
                    self.caller,
                    self.output.signature_type()
                ),
                format!("expected `-> {}` after this", self.output.signature_type()),
            )),
        }
    }

    /// E0306 at `span` in the Rust file, pointing back at the reference,
    /// with the expected signature as help.
    fn mismatch(&self, span: Span, message: String, label: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Code::RustSignatureMismatch, span, message)
            .with_label(label)
            .with_secondary(self.reference.span, "referenced here")
            .with_help(format!(
                "{} calls `{}`",
                self.caller,
                self.expected_signature()
            ))
    }

    fn expected_signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|param| format!("{}: {}", param.name, param.rule.signature_type()))
            .collect();
        format!(
            "pub async fn {}({}) -> {}",
            self.function.name,
            params.join(", "),
            self.output.signature_type()
        )
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

// ── indexing ────────────────────────────────────────────────────────────────

/// Parses every Rust file of the project and indexes its modules and free
/// functions. Reports E0318 for a file that does not parse (at syn's error),
/// for `src/main.rs` and `src/lib.rs` (the generated crate owns them), and
/// for top-level files whose name cannot be a module.
pub fn index(input: &ProjectInput, diagnostics: &mut Vec<Diagnostic>) -> RustIndex {
    let mut files: Vec<(Vec<String>, &str, FileId)> = Vec::new();
    // `ProjectInput::load` only collects `.rs` files; anything else is not a module.
    for (relative, &file) in input.rust.iter().filter(|(path, _)| path.ends_with(".rs")) {
        match file_module_segments(relative, file) {
            Ok(Some(segments)) => files.push((segments, relative, file)),
            Ok(None) => {}
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    // Parents first, so that an inline `mod b { … }` is known before a file
    // `b.rs` that it shadows (rustc then ignores the file).
    files.sort_by(|a, b| (a.0.len(), a.1).cmp(&(b.0.len(), b.1)));

    let mut index = RustIndex::default();
    let mut file_modules: BTreeMap<String, &str> = BTreeMap::new();
    let mut declarations: BTreeMap<String, ModuleDeclaration> = BTreeMap::new();
    for (segments, relative, file) in files {
        let module = segments.join("::");
        if let Some(first) = file_modules.get(&module) {
            diagnostics.push(
                Diagnostic::new(
                    Code::RustSyntaxError,
                    Span::new(file, 0, 0),
                    format!(
                        "module `{module}` is defined twice: `src/{first}` and `src/{relative}`"
                    ),
                )
                .with_label("second file for the module")
                .with_help(format!(
                    "keep one of them; rustc rejects both (`src/{first}` is the one indexed)"
                )),
            );
            continue;
        }
        if index.modules.contains_key(&module) {
            continue;
        }
        file_modules.insert(module.clone(), relative);
        let source = input.sources.get(file);
        let locator = Locator::new(file, source);
        let parsed = match syn::parse_file(&source.text) {
            Ok(ast) => {
                collect_items(&module, &ast.items, &locator, &mut index, &mut declarations);
                true
            }
            Err(error) => {
                diagnostics.extend(
                    error
                        .into_iter()
                        .map(|error| syntax_error(&error, &locator)),
                );
                false
            }
        };
        let declaration = if segments.len() == 1 {
            ModuleDeclaration::Root
        } else {
            ModuleDeclaration::Missing
        };
        index.modules.insert(
            module.clone(),
            RustModule {
                path: module,
                file,
                declaration,
                parsed,
            },
        );
    }
    for module in index.modules.values_mut() {
        if module.declaration == ModuleDeclaration::Missing
            && let Some(declaration) = declarations.get(&module.path)
        {
            module.declaration = *declaration;
        }
    }
    index
}

/// E0318 at the place syn's error points to.
///
/// Two kinds of syn errors carry no width: "unexpected end of input"
/// (placed at the call site, which is not in the file; it goes to the end
/// of the text) and errors of the tokenizer, whose message does not say
/// what is wrong (it is named here from the text at the error).
fn syntax_error(error: &syn::Error, at: &Locator) -> Diagnostic {
    let span = at.span(error.span());
    let message = error.to_string();
    if span.start != span.end {
        return Diagnostic::new(Code::RustSyntaxError, span, message);
    }
    let text = &at.source.text;
    if message.starts_with("unexpected end of input") {
        let end = text.trim_end().len();
        return Diagnostic::new(Code::RustSyntaxError, Span::new(at.file, end, end), message)
            .with_label("the file ends here");
    }
    let start = span.start as usize;
    let rest = &text[start..];
    let (message, width) = match rest.chars().next() {
        _ if rest.starts_with("/*") => ("unterminated block comment".to_owned(), 2),
        Some(open @ ('(' | '[' | '{')) => (format!("unclosed delimiter `{open}`"), 1),
        Some(close @ (')' | ']' | '}')) => (format!("unexpected closing delimiter `{close}`"), 1),
        Some('\'') => ("unterminated character literal".to_owned(), 1),
        Some('"' | 'r' | 'b' | 'c') => ("unterminated string literal".to_owned(), 1),
        Some(other) => ("invalid token".to_owned(), other.len_utf8()),
        None => ("invalid token".to_owned(), 0),
    };
    Diagnostic::new(
        Code::RustSyntaxError,
        Span::new(at.file, start, start + width),
        message,
    )
}

/// The module path a file under `src/` defines: `a/b.rs` and `a/b/mod.rs`
/// are `[a, b]`. `None` for a nested file that no `mod` could declare; an
/// error for a file the generated crate would have to declare but cannot.
fn file_module_segments(relative: &str, file: FileId) -> Result<Option<Vec<String>>, Diagnostic> {
    let at_start = Span::new(file, 0, 0);
    if RESERVED_ROOT_FILES.contains(&relative) {
        return Err(Diagnostic::new(
            Code::RustSyntaxError,
            at_start,
            format!("`src/{relative}` is reserved for the generated crate"),
        )
        .with_label("djinn writes this file itself")
        .with_help("move this code into a module such as `src/views.rs`; djinn declares every top-level module under `src/`"));
    }
    let stem = relative.strip_suffix(".rs").unwrap_or(relative);
    let mut segments: Vec<&str> = stem.split('/').collect();
    if segments.len() > 1 && segments.last() == Some(&"mod") {
        segments.pop();
    }
    let is_identifier = |segment: &&str| {
        syn::parse_str::<syn::Ident>(segment)
            .is_ok_and(|ident| ident == segment && !segment.starts_with("r#"))
    };
    match segments.iter().find(|segment| !is_identifier(segment)) {
        None => Ok(Some(segments.into_iter().map(str::to_owned).collect())),
        Some(_) if segments.len() > 1 => Ok(None),
        Some(name) => Err(Diagnostic::new(
            Code::RustSyntaxError,
            at_start,
            format!("`src/{relative}` cannot be a Rust module: `{name}` is not an identifier"),
        )
        .with_label("djinn declares every top-level file under `src/` as a module")
        .with_help(
            "rename the file: letters, digits and `_`, not starting with a digit, not a keyword",
        )),
    }
}

/// Indexes the free functions of `module` and of its inline modules, and
/// records its `mod name;` declarations.
fn collect_items(
    module: &str,
    items: &[syn::Item],
    at: &Locator,
    index: &mut RustIndex,
    declarations: &mut BTreeMap<String, ModuleDeclaration>,
) {
    for item in items {
        match item {
            syn::Item::Fn(item_fn) => {
                let function = rust_fn(module, item_fn, at);
                // rustc rejects a second definition; the first one stands.
                index
                    .functions
                    .entry(function.path.clone())
                    .or_insert(function);
            }
            syn::Item::Mod(item_mod) => {
                let child = format!("{module}::{}", item_mod.ident.unraw());
                let declaration = ModuleDeclaration::InParent {
                    is_pub: visible_from_crate_root(&item_mod.vis, module),
                    span: at.span(item_mod.ident.span()),
                };
                match &item_mod.content {
                    Some((_, items)) if !index.modules.contains_key(&child) => {
                        index.modules.insert(
                            child.clone(),
                            RustModule {
                                path: child.clone(),
                                file: at.file,
                                declaration,
                                parsed: true,
                            },
                        );
                        collect_items(&child, items, at, index, declarations);
                    }
                    Some(_) => {}
                    None => {
                        declarations.entry(child).or_insert(declaration);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether an item declared in `module` with visibility `vis` can be named
/// from the crate root, where the generated code calls it.
fn visible_from_crate_root(vis: &syn::Visibility, module: &str) -> bool {
    match vis {
        syn::Visibility::Public(_) => true,
        syn::Visibility::Restricted(restricted) => {
            restricted.path.is_ident("crate")
                || (restricted.path.is_ident("super") && !module.contains("::"))
        }
        syn::Visibility::Inherited => false,
    }
}

fn rust_fn(module: &str, item: &syn::ItemFn, at: &Locator) -> RustFn {
    let signature = &item.sig;
    let name = signature.ident.unraw().to_string();
    RustFn {
        path: format!("{module}::{name}"),
        module: module.to_owned(),
        name,
        span: at.span(signature.ident.span()),
        fn_token: at.span(signature.fn_token.span),
        is_pub: visible_from_crate_root(&item.vis, module),
        is_async: signature.asyncness.is_some(),
        params: signature
            .inputs
            .iter()
            .map(|input| rust_param(input, at))
            .collect(),
        params_span: at.span(signature.paren_token.span.join()),
        output: match &signature.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, ty) => Some(rust_type(ty, at)),
        },
    }
}

fn rust_param(input: &syn::FnArg, at: &Locator) -> RustParam {
    match input {
        syn::FnArg::Typed(typed) => RustParam {
            name: match &*typed.pat {
                syn::Pat::Ident(ident) if ident.subpat.is_none() => {
                    Some(ident.ident.unraw().to_string())
                }
                _ => None,
            },
            pattern: at.span(typed.pat.span()),
            ty: rust_type(&typed.ty, at),
            span: at.span(typed.span()),
        },
        // Only methods take `self`; rustc rejects it in a free function.
        syn::FnArg::Receiver(receiver) => {
            let span = at.span(receiver.span());
            RustParam {
                name: Some("self".to_owned()),
                pattern: span,
                ty: RustType {
                    text: "Self".to_owned(),
                    shape: TypeShape::Other,
                    span,
                },
                span,
            }
        }
    }
}

fn rust_type(ty: &syn::Type, at: &Locator) -> RustType {
    let shape = match ty {
        syn::Type::Paren(inner) => return rust_type(&inner.elem, at),
        syn::Type::Group(inner) => return rust_type(&inner.elem, at),
        syn::Type::Reference(reference) => TypeShape::Reference {
            mutable: reference.mutability.is_some(),
            target: Box::new(rust_type(&reference.elem, at)),
        },
        syn::Type::Path(path) => match path.path.segments.last() {
            Some(last) => TypeShape::Path {
                last_segment: last.ident.unraw().to_string(),
                generic_args: match &last.arguments {
                    syn::PathArguments::AngleBracketed(arguments) => arguments
                        .args
                        .iter()
                        .filter_map(|argument| match argument {
                            syn::GenericArgument::Type(ty) => Some(rust_type(ty, at)),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                },
            },
            None => TypeShape::Other,
        },
        syn::Type::Tuple(tuple) => {
            TypeShape::Tuple(tuple.elems.iter().map(|ty| rust_type(ty, at)).collect())
        }
        _ => TypeShape::Other,
    };
    RustType {
        text: type_text(ty),
        shape,
        span: at.span(ty.span()),
    }
}

/// The type as prettyplease prints it, on one line.
fn type_text(ty: &syn::Type) -> String {
    let printed = syn::parse2::<syn::File>(quote::quote!(type T = #ty;))
        .map(|file| prettyplease::unparse(&file))
        .unwrap_or_else(|_| quote::ToTokens::to_token_stream(ty).to_string());
    let text = printed
        .trim()
        .strip_prefix("type T = ")
        .and_then(|rest| rest.strip_suffix(';'))
        .unwrap_or(&printed);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Turns `proc_macro2` spans of one parsed file into byte spans.
///
/// syn reports line (from 1) and column (in characters, from 0) of the text
/// it parsed, which lacks a leading byte-order mark; lines are unaffected by
/// the shebang it strips, since it keeps the shebang's newline.
struct Locator<'a> {
    file: FileId,
    source: &'a SourceFile,
    bom_len: usize,
}

impl<'a> Locator<'a> {
    fn new(file: FileId, source: &'a SourceFile) -> Self {
        let bom_len = if source.text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        Locator {
            file,
            source,
            bom_len,
        }
    }

    fn span(&self, span: proc_macro2::Span) -> Span {
        let start = self.offset(span.start());
        let end = self.offset(span.end()).max(start);
        Span::new(self.file, start, end)
    }

    fn offset(&self, at: LineColumn) -> usize {
        let text = &self.source.text;
        let Some(&line_start) = at
            .line
            .checked_sub(1)
            .and_then(|line| self.source.line_starts().get(line))
        else {
            return 0;
        };
        let line_start = line_start as usize + if at.line == 1 { self.bom_len } else { 0 };
        text[line_start..]
            .char_indices()
            .nth(at.column)
            .map_or(text.len(), |(offset, _)| line_start + offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust files plus one spec file holding a `rust "…"` literal per
    /// reference, so diagnostics can point at both.
    struct Fixture {
        input: ProjectInput,
        index: RustIndex,
        diagnostics: Vec<Diagnostic>,
    }

    fn fixture(rust: &[(&str, &str)], references: &[&str]) -> Fixture {
        let spec: String = references
            .iter()
            .enumerate()
            .map(|(i, reference)| format!("view v{i}: rust \"{reference}\"\n"))
            .collect();
        let mut builder = ProjectInput::builder().spec("app.djinn", spec);
        for (path, text) in rust {
            builder = builder.rust(*path, *text);
        }
        let input = builder.build();
        let mut diagnostics = Vec::new();
        let index = index(&input, &mut diagnostics);
        Fixture {
            input,
            index,
            diagnostics,
        }
    }

    impl Fixture {
        /// The literal `"value"` in the spec file.
        fn reference(&self, value: &str) -> StrLit {
            let file = self.input.specs[0];
            let text = &self.input.sources.get(file).text;
            let quoted = format!("\"{value}\"");
            let start = text.find(&quoted).expect("reference is in the spec");
            StrLit {
                value: value.to_owned(),
                span: Span::new(file, start, start + quoted.len()),
            }
        }

        /// The file and text a span points at.
        fn at(&self, span: Span) -> (&str, &str) {
            (
                self.input.sources.get(span.file).path.as_str(),
                self.input.sources.snippet(span),
            )
        }

        fn view_error(&self, reference: &str, url_params: &[(&str, ConverterType)]) -> Diagnostic {
            let params: Vec<(String, ConverterType)> = url_params
                .iter()
                .map(|(name, converter)| (name.to_string(), *converter))
                .collect();
            self.index
                .check_view(&self.reference(reference), &params)
                .expect_err("the view check fails")
        }

        fn hook_error(&self, reference: &str, model: &str) -> Diagnostic {
            self.index
                .check_hook(&self.reference(reference), model)
                .expect_err("the hook check fails")
        }

        /// Asserts E0306 at `snippet` in `file`, pointing back at the reference.
        fn assert_mismatch(
            &self,
            diagnostic: &Diagnostic,
            file: &str,
            snippet: &str,
            reference: &str,
        ) {
            assert_eq!(
                diagnostic.code,
                Code::RustSignatureMismatch,
                "{diagnostic:?}"
            );
            assert_eq!(
                self.at(diagnostic.primary.span),
                (file, snippet),
                "{diagnostic:?}"
            );
            assert_eq!(diagnostic.secondary.len(), 1);
            assert_eq!(
                self.at(diagnostic.secondary[0].span),
                ("app.djinn", format!("\"{reference}\"").as_str())
            );
            assert_eq!(diagnostic.secondary[0].message, "referenced here");
        }
    }

    const VIEW_OK: &str = "pub async fn dashboard(request: &mut djinn_runtime::Request) \
                           -> djinn_runtime::Result<djinn_runtime::Response> { todo!() }";

    // ── indexing ────────────────────────────────────────────────────────────

    #[test]
    fn module_paths_follow_the_file_layout() {
        let f = fixture(
            &[
                ("views.rs", "pub fn a() {}"),
                ("hooks/mod.rs", "pub mod mail;\npub fn b() {}"),
                (
                    "hooks/mail.rs",
                    "pub fn c() {}\npub mod inner { pub fn d() {} }",
                ),
                (
                    "pages.rs",
                    "pub mod admin { pub mod deep { pub fn e() {} } }",
                ),
            ],
            &[],
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let paths: Vec<&str> = f
            .index
            .functions()
            .map(|function| function.path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "hooks::b",
                "hooks::mail::c",
                "hooks::mail::inner::d",
                "pages::admin::deep::e",
                "views::a"
            ]
        );
        let c = f.index.get("hooks::mail::c").unwrap();
        assert_eq!((c.module.as_str(), c.name.as_str()), ("hooks::mail", "c"));
        assert_eq!(f.at(c.span), ("src/hooks/mail.rs", "c"));
        let modules: Vec<(&str, ModuleDeclaration)> = f
            .index
            .modules()
            .map(|module| (module.path.as_str(), module.declaration))
            .collect();
        assert_eq!(modules[0], ("hooks", ModuleDeclaration::Root));
        assert!(matches!(
            modules[1],
            (
                "hooks::mail",
                ModuleDeclaration::InParent { is_pub: true, .. }
            )
        ));
        assert_eq!(modules.len(), 7);
    }

    #[test]
    fn only_free_functions_are_indexed_and_the_first_definition_stands() {
        let f = fixture(
            &[(
                "views.rs",
                "struct S;\nimpl S { pub fn method(&self) {} }\ntrait T { fn provided() {} }\n\
                 pub fn twice() {}\nfn twice(x: i64) {}",
            )],
            &[],
        );
        let paths: Vec<&str> = f
            .index
            .functions()
            .map(|function| function.path.as_str())
            .collect();
        assert_eq!(paths, ["views::twice"]);
        assert!(f.index.get("views::twice").unwrap().params.is_empty());
    }

    #[test]
    fn signatures_record_visibility_async_params_and_output() {
        let f = fixture(
            &[(
                "views.rs",
                "pub async fn a(mut request: &'_ mut djinn_runtime :: Request, _: i64, (x, y): (i64, i64)) \
                     -> Result<Response, Box<dyn std::error::Error + Send>> { todo!() }\n\
                     pub(crate) fn b() {}\npub(super) fn c() {}\nfn d() {}\npub(self) fn e() {}\n\
                     pub mod inner { pub(super) fn f() {} pub(crate) fn g() {} }",
            )],
            &[],
        );
        let a = f.index.get("views::a").unwrap();
        assert!(a.is_pub && a.is_async);
        assert_eq!(f.at(a.fn_token).1, "fn");
        let names: Vec<Option<&str>> = a.params.iter().map(|p| p.name.as_deref()).collect();
        assert_eq!(names, [Some("request"), None, None]);
        let request = &a.params[0];
        assert_eq!(request.ty.text, "&'_ mut djinn_runtime::Request");
        assert_eq!(f.at(request.ty.span).1, "&'_ mut djinn_runtime :: Request");
        assert_eq!(f.at(request.pattern).1, "mut request");
        let (mutable, target) = request.ty.as_reference().unwrap();
        assert!(mutable);
        assert_eq!(
            target.as_path().map(|(last, args)| (last, args.len())),
            Some(("Request", 0))
        );
        assert!(matches!(&a.params[2].ty.shape, TypeShape::Tuple(items) if items.len() == 2));
        let output = a.output.as_ref().unwrap();
        assert_eq!(
            output.text,
            "Result<Response, Box<dyn std::error::Error + Send>>"
        );
        let (last, args) = output.as_path().unwrap();
        assert_eq!(last, "Result");
        assert_eq!(args[0].text, "Response");
        assert_eq!(args[1].as_path().map(|(last, _)| last), Some("Box"));
        assert_eq!(f.at(a.params_span).1.chars().next(), Some('('));

        let visibility = |path: &str| f.index.get(path).unwrap().is_pub;
        assert!(visibility("views::b"));
        assert!(
            visibility("views::c"),
            "pub(super) in a top-level module reaches the crate root"
        );
        assert!(!visibility("views::d"));
        assert!(!visibility("views::e"));
        assert!(
            !visibility("views::inner::f"),
            "pub(super) in a nested module stops at its parent"
        );
        assert!(visibility("views::inner::g"));
        let b = f.index.get("views::b").unwrap();
        assert!(!b.is_async && b.output.is_none());
    }

    #[test]
    fn functions_in_and_candidates_near_stay_in_the_module() {
        let f = fixture(
            &[
                (
                    "views.rs",
                    "pub fn dashboard() {}\npub fn about() {}\npub mod sub { pub fn dashbord() {} }",
                ),
                ("viewsx.rs", "pub fn other() {}"),
            ],
            &[],
        );
        let names: Vec<&str> = f
            .index
            .functions_in("views")
            .map(|function| function.name.as_str())
            .collect();
        assert_eq!(names, ["about", "dashboard"]);
        assert_eq!(
            f.index.candidates_near("views::dashbord"),
            Some("views::dashboard")
        );
        assert_eq!(
            f.index.candidates_near("views::sub::dashboard"),
            Some("views::sub::dashbord")
        );
        assert_eq!(f.index.candidates_near("views::zzz"), None);
        assert_eq!(f.index.candidates_near("nothing"), None);
    }

    #[test]
    fn a_file_that_does_not_parse_is_reported_at_syn_s_error() {
        let f = fixture(
            &[
                (
                    "views.rs",
                    "pub fn ok() {}\npub fn broken() {\n    let é = ;\n}\n",
                ),
                ("hooks.rs", "\u{feff}pub fn f() { \"never closed }\n"),
                ("pages.rs", "pub fn f() { ) }"),
                ("admin.rs", "pub struct\n\n"),
                ("mail.rs", "fn f() {} /* open"),
            ],
            &[],
        );
        let found: Vec<(Code, &str, &str, &str)> = f
            .diagnostics
            .iter()
            .map(|d| {
                let (file, snippet) = f.at(d.primary.span);
                (d.code, file, snippet, d.message.as_str())
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    Code::RustSyntaxError,
                    "src/admin.rs",
                    "",
                    "unexpected end of input, expected identifier"
                ),
                (
                    Code::RustSyntaxError,
                    "src/hooks.rs",
                    "\"",
                    "unterminated string literal"
                ),
                (
                    Code::RustSyntaxError,
                    "src/mail.rs",
                    "/*",
                    "unterminated block comment"
                ),
                (
                    Code::RustSyntaxError,
                    "src/pages.rs",
                    ")",
                    "unexpected closing delimiter `)`"
                ),
                (
                    Code::RustSyntaxError,
                    "src/views.rs",
                    ";",
                    "expected an expression"
                ),
            ]
        );
        // The end of input is placed after the last token, the rest exactly.
        assert_eq!(
            f.diagnostics[0].primary.span.start,
            "pub struct".len() as u32
        );
        assert_eq!(
            f.input.sources.line_col(f.diagnostics[4].primary.span),
            (3, 13)
        );
        assert!(f.index.get("views::ok").is_none());
        assert!(f.index.modules().all(|module| !module.parsed));
    }

    #[test]
    fn main_and_lib_are_reserved() {
        let f = fixture(
            &[
                ("main.rs", "fn main() {}"),
                ("lib.rs", ""),
                ("bin/main.rs", "fn main() {}"),
            ],
            &[],
        );
        let messages: Vec<(&str, &str)> = f
            .diagnostics
            .iter()
            .map(|d| (f.at(d.primary.span).0, d.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (
                    "src/lib.rs",
                    "`src/lib.rs` is reserved for the generated crate"
                ),
                (
                    "src/main.rs",
                    "`src/main.rs` is reserved for the generated crate"
                ),
            ]
        );
        assert!(
            f.diagnostics
                .iter()
                .all(|d| d.code == Code::RustSyntaxError)
        );
        assert!(
            f.diagnostics[0]
                .help
                .as_deref()
                .unwrap()
                .contains("move this code into a module")
        );
        assert!(f.index.get("main::main").is_none());
        assert!(f.index.get("bin::main::main").is_some());
    }

    #[test]
    fn top_level_file_names_must_be_identifiers() {
        let f = fixture(
            &[
                ("my-views.rs", "pub fn f() {}"),
                ("type.rs", "pub fn f() {}"),
                ("mod.rs", "pub fn f() {}"),
                ("notes/old-stuff.rs", "pub fn f() {}"),
            ],
            &[],
        );
        let messages: Vec<&str> = f.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`src/mod.rs` cannot be a Rust module: `mod` is not an identifier",
                "`src/my-views.rs` cannot be a Rust module: `my-views` is not an identifier",
                "`src/type.rs` cannot be a Rust module: `type` is not an identifier",
            ]
        );
        assert_eq!(f.index.functions().count(), 0);
    }

    #[test]
    fn a_module_in_two_files_is_reported_on_the_second() {
        let f = fixture(
            &[
                ("views.rs", "pub fn a() {}"),
                ("views/mod.rs", "pub fn b() {}"),
            ],
            &[],
        );
        assert_eq!(f.diagnostics.len(), 1);
        let diagnostic = &f.diagnostics[0];
        assert_eq!(diagnostic.code, Code::RustSyntaxError);
        assert_eq!(f.at(diagnostic.primary.span).0, "src/views/mod.rs");
        assert_eq!(
            diagnostic.message,
            "module `views` is defined twice: `src/views.rs` and `src/views/mod.rs`"
        );
        assert!(f.index.get("views::a").is_some());
        assert!(f.index.get("views::b").is_none());
    }

    #[test]
    fn an_inline_module_shadows_a_file_of_the_same_path() {
        let f = fixture(
            &[
                ("a.rs", "pub mod b { pub fn inline() {} }"),
                ("a/b.rs", "pub fn file() {}"),
            ],
            &[],
        );
        assert!(f.diagnostics.is_empty());
        assert!(f.index.get("a::b::inline").is_some());
        assert!(f.index.get("a::b::file").is_none());
    }

    #[test]
    fn converter_names_round_trip() {
        for converter in ConverterType::ALL {
            assert_eq!(ConverterType::from_name(converter.name()), Some(converter));
        }
        assert_eq!(ConverterType::from_name("slug"), Some(ConverterType::Slug));
        assert_eq!(ConverterType::from_name("float"), None);
    }

    // ── views ───────────────────────────────────────────────────────────────

    #[test]
    fn views_accept_every_documented_variant() {
        let f = fixture(
            &[(
                "views.rs",
                "use djinn_runtime::{Request, Response, Result};\n\
                 pub async fn canonical(request: &mut djinn_runtime::Request, id: i64, slug: &str, \
                 key: uuid::Uuid, rest: String) -> djinn_runtime::Result<djinn_runtime::Response> { todo!() }\n\
                 pub(crate) async fn by_value(_req: Request, id: i64, slug: String, key: Uuid, rest: &'static str) \
                 -> Response { todo!() }\n\
                 pub async fn shared(r: &Request, id: std::primitive::i64, slug: &'_ str, key: Uuid, rest: &str) \
                 -> Result<Response, MyError> { todo!() }\n\
                 pub async fn no_params(request: &mut Request) -> Result<Response> { todo!() }",
            )],
            &[
                "views::canonical",
                "views::by_value",
                "views::shared",
                "views::no_params",
            ],
        );
        let params = [
            ("id".to_owned(), ConverterType::Int),
            ("slug".to_owned(), ConverterType::Slug),
            ("key".to_owned(), ConverterType::Uuid),
            ("rest".to_owned(), ConverterType::Path),
        ];
        for name in ["canonical", "by_value", "shared"] {
            let path = format!("views::{name}");
            let function = f.index.check_view(&f.reference(&path), &params);
            assert_eq!(
                function.map(|function| function.path.as_str()),
                Ok(path.as_str())
            );
        }
        assert!(
            f.index
                .check_view(&f.reference("views::no_params"), &[])
                .is_ok()
        );
        let str_param = [("name".to_owned(), ConverterType::Str)];
        let text = "pub async fn s(request: &mut Request, name: String) -> Response { todo!() }";
        let g = fixture(&[("pages.rs", text)], &["pages::s"]);
        assert!(
            g.index
                .check_view(&g.reference("pages::s"), &str_param)
                .is_ok()
        );
    }

    #[test]
    fn invalid_paths_are_e0320_at_the_literal() {
        let cases = [
            ("views.dashboard", "write `module::function`"),
            ("dashboard", "name the module too: `views::dashboard`"),
            (
                "crate::views::dashboard",
                "without `crate::`: `views::dashboard`",
            ),
            ("views::", "write `module::function`"),
            ("views::fn", "write `module::function`"),
            ("views :: dashboard", "write `module::function`"),
            ("", "write `module::function`"),
        ];
        for (reference, help) in cases {
            let f = fixture(&[("views.rs", VIEW_OK)], &[reference]);
            let diagnostic = f.view_error(reference, &[]);
            assert_eq!(diagnostic.code, Code::InvalidRustPath, "{reference}");
            assert_eq!(f.at(diagnostic.primary.span).1, format!("\"{reference}\""));
            assert_eq!(
                diagnostic.message,
                format!("`{reference}` is not a Rust function path")
            );
            assert!(
                diagnostic.help.as_deref().unwrap().contains(help),
                "{reference}: {diagnostic:?}"
            );
        }
    }

    #[test]
    fn a_missing_module_lists_the_files_looked_for() {
        let f = fixture(
            &[("views.rs", VIEW_OK), ("a.rs", "pub fn x() {}")],
            &["veiws::dashboard", "a::b::f", "zzz::f"],
        );
        let diagnostic = f.view_error("veiws::dashboard", &[]);
        assert_eq!(diagnostic.code, Code::UnknownRustFunction);
        assert_eq!(f.at(diagnostic.primary.span).1, "\"veiws::dashboard\"");
        assert_eq!(
            diagnostic.message,
            "no Rust module `veiws` for `veiws::dashboard`"
        );
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("looked for `src/veiws.rs` and `src/veiws/mod.rs`")
        );
        assert_eq!(
            diagnostic.notes,
            ["a module with a similar name exists: `views`"]
        );

        let nested = f.view_error("a::b::f", &[]);
        assert_eq!(
            nested.help.as_deref(),
            Some("looked for `src/a/b.rs` and `src/a/b/mod.rs`, and `mod b { … }` in `a`")
        );
        assert!(f.view_error("zzz::f", &[]).notes.is_empty());
    }

    #[test]
    fn a_missing_function_suggests_a_close_name() {
        let f = fixture(
            &[
                ("views.rs", VIEW_OK),
                ("pages.rs", "pub async fn about() {}"),
            ],
            &["views::dashbord", "views::about", "views::zzz"],
        );
        let diagnostic = f.view_error("views::dashbord", &[]);
        assert_eq!(diagnostic.code, Code::UnknownRustFunction);
        assert_eq!(f.at(diagnostic.primary.span).1, "\"views::dashbord\"");
        assert_eq!(
            diagnostic.message,
            "no function `dashbord` in Rust module `views`"
        );
        assert_eq!(
            diagnostic.help.as_deref(),
            Some("a function with a similar name exists: `dashboard`")
        );
        let elsewhere = f.view_error("views::about", &[]);
        assert_eq!(
            elsewhere.help.as_deref(),
            Some("a function with this name exists: `pages::about`")
        );
        assert_eq!(f.view_error("views::zzz", &[]).help, None);
    }

    #[test]
    fn a_function_in_a_file_that_does_not_parse_is_not_checked() {
        let f = fixture(
            &[("views.rs", "pub async fn dashboard( {}")],
            &["views::dashboard", "views::inner::f"],
        );
        assert_eq!(f.diagnostics.len(), 1);
        let diagnostic = f.view_error("views::dashboard", &[]);
        assert_eq!(diagnostic.code, Code::UnknownRustFunction);
        assert_eq!(
            diagnostic.message,
            "cannot check `views::dashboard`: its module does not parse"
        );
        let inner = f.view_error("views::inner::f", &[]);
        assert_eq!(
            inner.notes,
            ["module `views` does not parse, so its inline modules are unknown"]
        );
    }

    #[test]
    fn nested_modules_must_be_declared_and_public() {
        let f = fixture(
            &[
                (
                    "a.rs",
                    "mod private;\npub mod public;\nmod inline { pub async fn f() {} }",
                ),
                ("a/private.rs", VIEW_OK),
                ("a/public.rs", VIEW_OK),
                ("a/orphan.rs", VIEW_OK),
                ("lost/child.rs", VIEW_OK),
            ],
            &[
                "a::private::dashboard",
                "a::public::dashboard",
                "a::orphan::dashboard",
                "a::inline::f",
                "lost::child::dashboard",
            ],
        );
        assert!(
            f.index
                .check_view(&f.reference("a::public::dashboard"), &[])
                .is_ok()
        );

        let private = f.view_error("a::private::dashboard", &[]);
        f.assert_mismatch(&private, "src/a.rs", "private", "a::private::dashboard");
        assert_eq!(
            private.message,
            "module `a::private` is private, so the generated code cannot call `a::private::dashboard`"
        );
        assert_eq!(
            private.help.as_deref(),
            Some("declare it `pub mod private` in `a`")
        );
        let inline = f.view_error("a::inline::f", &[]);
        f.assert_mismatch(&inline, "src/a.rs", "inline", "a::inline::f");

        let orphan = f.view_error("a::orphan::dashboard", &[]);
        assert_eq!(orphan.code, Code::UnknownRustFunction);
        assert_eq!(
            orphan.message,
            "Rust module `a::orphan` is not part of the crate: `a` does not declare it"
        );
        assert_eq!(
            orphan.help.as_deref(),
            Some("add `pub mod orphan;` to module `a`")
        );
        let lost = f.view_error("lost::child::dashboard", &[]);
        assert_eq!(
            lost.help.as_deref(),
            Some("add `src/lost.rs` (or `src/lost/mod.rs`) containing `pub mod child;`")
        );
    }

    #[test]
    fn a_private_view_is_reported_at_its_name() {
        let f = fixture(
            &[(
                "views.rs",
                "async fn dashboard(request: &mut Request) -> Response { todo!() }",
            )],
            &["views::dashboard"],
        );
        let diagnostic = f.view_error("views::dashboard", &[]);
        f.assert_mismatch(&diagnostic, "src/views.rs", "dashboard", "views::dashboard");
        assert_eq!(
            diagnostic.message,
            "`views::dashboard` is private, so the view cannot call it"
        );
        assert_eq!(diagnostic.primary.message, "not `pub`");
        assert_eq!(
            diagnostic.help.as_deref(),
            Some(
                "the view calls `pub async fn dashboard(request: &mut djinn_runtime::Request) \
                 -> djinn_runtime::Result<djinn_runtime::Response>`"
            )
        );
    }

    #[test]
    fn a_view_that_is_not_async_is_reported_at_fn() {
        let f = fixture(
            &[(
                "views.rs",
                "pub fn dashboard(request: &mut Request) -> Response { todo!() }",
            )],
            &["views::dashboard"],
        );
        let diagnostic = f.view_error("views::dashboard", &[]);
        f.assert_mismatch(&diagnostic, "src/views.rs", "fn", "views::dashboard");
        assert_eq!(diagnostic.message, "`views::dashboard` is not `async`");
        assert_eq!(diagnostic.primary.message, "expected `async fn`");
    }

    #[test]
    fn missing_and_extra_parameters_are_counted() {
        let f = fixture(
            &[(
                "views.rs",
                "pub async fn none() -> Response { todo!() }\n\
                 pub async fn short(request: &mut Request) -> Response { todo!() }\n\
                 pub async fn long(request: &mut Request, id: i64, page: i64) -> Response { todo!() }",
            )],
            &["views::none", "views::short", "views::long"],
        );
        let id = [("id", ConverterType::Int)];
        let none = f.view_error("views::none", &[]);
        f.assert_mismatch(&none, "src/views.rs", ")", "views::none");
        assert_eq!(
            none.message,
            "`views::none` takes 0 parameters but the view passes 1"
        );
        assert_eq!(
            none.primary.message,
            "missing `request: &mut djinn_runtime::Request` for the request"
        );

        let short = f.view_error("views::short", &id);
        f.assert_mismatch(&short, "src/views.rs", ")", "views::short");
        assert_eq!(
            short.message,
            "`views::short` takes 1 parameter but the view passes 2"
        );
        assert_eq!(
            short.primary.message,
            "missing `id: i64` for the URL parameter `id` (`int`)"
        );
        assert!(
            short
                .help
                .as_deref()
                .unwrap()
                .contains("fn short(request: &mut djinn_runtime::Request, id: i64)")
        );

        let long = f.view_error("views::long", &id);
        f.assert_mismatch(&long, "src/views.rs", "page: i64", "views::long");
        assert_eq!(
            long.message,
            "`views::long` takes 3 parameters but the view passes 2"
        );
        assert_eq!(long.primary.message, "the view passes nothing here");
    }

    #[test]
    fn url_parameters_must_match_in_order_name_and_type() {
        let f = fixture(
            &[(
                "views.rs",
                "pub async fn swapped(request: &mut Request, slug: &str, id: i64) -> Response { todo!() }\n\
                 pub async fn typed(request: &mut Request, id: String, slug: &mut str) -> Response { todo!() }\n\
                 pub async fn unnamed(request: &mut Request, _: i64) -> Response { todo!() }\n\
                 pub async fn uuid(request: &mut Request, key: &Uuid) -> Response { todo!() }",
            )],
            &[
                "views::swapped",
                "views::typed",
                "views::unnamed",
                "views::uuid",
            ],
        );
        let params = [("id", ConverterType::Int), ("slug", ConverterType::Slug)];
        let swapped = f.view_error("views::swapped", &params);
        f.assert_mismatch(&swapped, "src/views.rs", "slug", "views::swapped");
        assert_eq!(
            swapped.message,
            "parameter 2 of `views::swapped` must be named `id` after the URL parameter it takes"
        );
        assert_eq!(swapped.primary.message, "expected `id`");

        let typed = f.view_error("views::typed", &params);
        f.assert_mismatch(&typed, "src/views.rs", "String", "views::typed");
        assert_eq!(
            typed.message,
            "parameter `id` of `views::typed` has type `String`, but the view passes \
             the URL parameter `id` (`int`) there"
        );
        assert_eq!(typed.primary.message, "expected `i64`");
        let slug = f.view_error(
            "views::typed",
            &[("id", ConverterType::Str), ("slug", ConverterType::Slug)],
        );
        f.assert_mismatch(&slug, "src/views.rs", "&mut str", "views::typed");
        assert_eq!(slug.primary.message, "expected `String` or `&str`");

        let unnamed = f.view_error("views::unnamed", &params[..1]);
        f.assert_mismatch(&unnamed, "src/views.rs", "_", "views::unnamed");
        let uuid = f.view_error("views::uuid", &[("key", ConverterType::Uuid)]);
        f.assert_mismatch(&uuid, "src/views.rs", "&Uuid", "views::uuid");
        assert_eq!(uuid.primary.message, "expected `Uuid`");
        assert!(uuid.help.as_deref().unwrap().contains("key: uuid::Uuid"));
    }

    #[test]
    fn the_first_view_parameter_takes_the_request() {
        let f = fixture(
            &[(
                "views.rs",
                "pub async fn dashboard(id: i64) -> Response { todo!() }",
            )],
            &["views::dashboard"],
        );
        let diagnostic = f.view_error("views::dashboard", &[]);
        f.assert_mismatch(&diagnostic, "src/views.rs", "i64", "views::dashboard");
        assert_eq!(
            diagnostic.message,
            "parameter `id` of `views::dashboard` has type `i64`, but the view passes the request there"
        );
        assert_eq!(
            diagnostic.primary.message,
            "expected `Request`, `&Request` or `&mut Request`"
        );
    }

    #[test]
    fn a_view_must_return_a_response() {
        let f = fixture(
            &[(
                "views.rs",
                "pub async fn nothing(request: &mut Request) { }\n\
                 pub async fn text(request: &mut Request) -> Result<String> { todo!() }\n\
                 pub async fn boxed(request: &mut Request) -> Box<Response> { todo!() }",
            )],
            &["views::nothing", "views::text", "views::boxed"],
        );
        let nothing = f.view_error("views::nothing", &[]);
        f.assert_mismatch(&nothing, "src/views.rs", ")", "views::nothing");
        assert_eq!(
            nothing.message,
            "`views::nothing` returns nothing, but the view needs \
             `djinn_runtime::Result<djinn_runtime::Response>`"
        );
        let text = f.view_error("views::text", &[]);
        f.assert_mismatch(&text, "src/views.rs", "Result<String>", "views::text");
        assert_eq!(
            text.message,
            "`views::text` returns `Result<String>`, but the view needs \
             `djinn_runtime::Result<djinn_runtime::Response>`"
        );
        assert_eq!(
            text.primary.message,
            "expected `Response` or `Result<Response, _>`"
        );
        let boxed = f.view_error("views::boxed", &[]);
        f.assert_mismatch(&boxed, "src/views.rs", "Box<Response>", "views::boxed");
    }

    // ── hooks ───────────────────────────────────────────────────────────────

    #[test]
    fn hooks_accept_every_documented_variant() {
        let f = fixture(
            &[(
                "hooks.rs",
                "pub async fn canonical(db: &mut djinn_runtime::Transaction, object: &crate::models::Post) \
                 -> djinn_runtime::Result<()> { Ok(()) }\n\
                 pub(crate) async fn short(tx: &mut Tx, post: &Post) -> Result<(), MyError> { Ok(()) }",
            )],
            &["hooks::canonical", "hooks::short"],
        );
        for path in ["hooks::canonical", "hooks::short"] {
            let function = f.index.check_hook(&f.reference(path), "Post");
            assert_eq!(function.map(|function| function.path.as_str()), Ok(path));
        }
    }

    #[test]
    fn hook_parameters_take_the_transaction_and_the_object() {
        let f = fixture(
            &[(
                "hooks.rs",
                "pub async fn shared_tx(db: &Transaction, object: &Post) -> Result<()> { Ok(()) }\n\
                 pub async fn wrong_model(db: &mut Tx, object: &Comment) -> Result<()> { Ok(()) }\n\
                 pub async fn owned(db: &mut Tx, object: Post) -> Result<()> { Ok(()) }\n\
                 pub async fn one(db: &mut Tx) -> Result<()> { Ok(()) }",
            )],
            &[
                "hooks::shared_tx",
                "hooks::wrong_model",
                "hooks::owned",
                "hooks::one",
            ],
        );
        let shared = f.hook_error("hooks::shared_tx", "Post");
        f.assert_mismatch(&shared, "src/hooks.rs", "&Transaction", "hooks::shared_tx");
        assert_eq!(
            shared.message,
            "parameter `db` of `hooks::shared_tx` has type `&Transaction`, but the hook passes \
             the transaction there"
        );
        assert_eq!(
            shared.primary.message,
            "expected `&mut Transaction` or `&mut Tx`"
        );
        assert_eq!(
            shared.help.as_deref(),
            Some(
                "the hook calls `pub async fn shared_tx(db: &mut djinn_runtime::Transaction, \
                 object: &crate::models::Post) -> djinn_runtime::Result<()>`"
            )
        );
        let wrong = f.hook_error("hooks::wrong_model", "Post");
        f.assert_mismatch(&wrong, "src/hooks.rs", "&Comment", "hooks::wrong_model");
        assert_eq!(
            wrong.message,
            "parameter `object` of `hooks::wrong_model` has type `&Comment`, but the hook passes \
             the `Post` object there"
        );
        assert_eq!(wrong.primary.message, "expected `&Post`");
        let owned = f.hook_error("hooks::owned", "Post");
        f.assert_mismatch(&owned, "src/hooks.rs", "Post", "hooks::owned");
        let one = f.hook_error("hooks::one", "Post");
        f.assert_mismatch(&one, "src/hooks.rs", ")", "hooks::one");
        assert_eq!(
            one.primary.message,
            "missing `object: &crate::models::Post` for the `Post` object"
        );
    }

    #[test]
    fn a_hook_must_return_a_unit_result() {
        let f = fixture(
            &[(
                "hooks.rs",
                "pub async fn unit(db: &mut Tx, object: &Post) { }\n\
                 pub async fn value(db: &mut Tx, object: &Post) -> Result<i64> { Ok(1) }\n\
                 async fn private(db: &mut Tx, object: &Post) -> Result<()> { Ok(()) }\n\
                 pub fn blocking(db: &mut Tx, object: &Post) -> Result<()> { Ok(()) }",
            )],
            &[
                "hooks::unit",
                "hooks::value",
                "hooks::private",
                "hooks::blocking",
            ],
        );
        let unit = f.hook_error("hooks::unit", "Post");
        f.assert_mismatch(&unit, "src/hooks.rs", ")", "hooks::unit");
        assert_eq!(
            unit.message,
            "`hooks::unit` returns nothing, but the hook needs `djinn_runtime::Result<()>`"
        );
        let value = f.hook_error("hooks::value", "Post");
        f.assert_mismatch(&value, "src/hooks.rs", "Result<i64>", "hooks::value");
        assert_eq!(value.primary.message, "expected `Result<(), _>`");
        let private = f.hook_error("hooks::private", "Post");
        f.assert_mismatch(&private, "src/hooks.rs", "private", "hooks::private");
        assert_eq!(
            private.message,
            "`hooks::private` is private, so the hook cannot call it"
        );
        let blocking = f.hook_error("hooks::blocking", "Post");
        f.assert_mismatch(&blocking, "src/hooks.rs", "fn", "hooks::blocking");
    }

    // ── the documentation ───────────────────────────────────────────────────

    #[test]
    fn the_examples_in_the_docs_pass_the_checks() {
        let doc = include_str!("../../docs/rust-functions.md");
        let files: Vec<(&str, &str)> = doc
            .split("```rust\n// src/")
            .skip(1)
            .map(|block| {
                let (path, rest) = block.split_once('\n').unwrap();
                (path, rest.split("```").next().unwrap())
            })
            .collect();
        assert_eq!(
            files.iter().map(|(path, _)| *path).collect::<Vec<_>>(),
            ["views.rs", "hooks.rs"]
        );
        let f = fixture(
            &files,
            &[
                "views::dashboard",
                "views::post_stats",
                "hooks::notify_followers",
            ],
        );
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let stats_params = [
            ("slug".to_owned(), ConverterType::Slug),
            ("year".to_owned(), ConverterType::Int),
        ];
        assert!(
            f.index
                .check_view(&f.reference("views::dashboard"), &[])
                .is_ok()
        );
        assert!(
            f.index
                .check_view(&f.reference("views::post_stats"), &stats_params)
                .is_ok()
        );
        assert!(
            f.index
                .check_hook(&f.reference("hooks::notify_followers"), "Post")
                .is_ok()
        );
    }
}
