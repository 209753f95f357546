//! Conformance cases: Django templates with JSON contexts → one Rust
//! program that renders them all.
//!
//! Input: the lines of a cases file, each `{"name", "templates": {"main":
//! …, "other.html": …}, "context": {…}}` (a `{"$date": "2024-03-05"}` value
//! is a date, `{"$date": "2024-03-05T14:30:00"}` a datetime). Output: a
//! [`CasesProgram`] — the files of a crate whose binary prints one JSON line
//! per compiled case, and each case's compile-time outcome (compiled, or
//! rejected with its diagnostics rendered as `djinn check` shows them).
//!
//! Each case is checked and compiled like a view's page: its context's
//! types are inferred from the JSON ([`infer_context`]: objects become
//! dicts with one struct each, arrays lists of the unified item type, mixed
//! values `Optional` or `Either`, keys missing from some objects
//! `Fallible`), the templates are type-checked against it
//! ([`check_template`]) and compiled by [`codegen`](super::codegen). This
//! is pure; [`run`] writes, builds and runs the program.

use super::check::check_template;
use super::codegen::{self, RenderEnv, dict_field};
use super::types::Type;
use crate::diagnostics::{Diagnostic, render};
use crate::project::ProjectInput;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

mod json;
mod run;

pub use json::Json;
pub use run::{CaseResult, RunOptions, run};

/// One case of a cases file.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Its name, as the output reports it.
    pub name: String,
    /// Template name → text; `main` is rendered.
    pub templates: BTreeMap<String, String>,
    /// The context: name → value, in the order written.
    pub context: Vec<(String, Json)>,
}

/// Reads a cases file: one JSON object per non-blank line.
pub fn read_cases(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Json =
            serde_json::from_str(line).map_err(|error| format!("line {}: {error}", number + 1))?;
        let name = value
            .get("name")
            .and_then(Json::as_str)
            .map_or_else(|| format!("line {}", number + 1), str::to_string);
        let mut templates = BTreeMap::new();
        match value.get("templates") {
            Some(Json::Dict(entries)) => {
                for (template, text) in entries {
                    let Some(text) = text.as_str() else {
                        return Err(format!(
                            "line {}: template `{template}` is not text",
                            number + 1
                        ));
                    };
                    templates.insert(template.clone(), text.to_string());
                }
            }
            _ => match value.get("template").and_then(Json::as_str) {
                Some(text) => {
                    templates.insert("main".to_string(), text.to_string());
                }
                None => return Err(format!("line {}: no \"templates\"", number + 1)),
            },
        }
        let context = match value.get("context") {
            None => Vec::new(),
            Some(Json::Dict(entries)) => entries.clone(),
            Some(_) => {
                return Err(format!("line {}: \"context\" is not an object", number + 1));
            }
        };
        cases.push(Case {
            name,
            templates,
            context,
        });
    }
    Ok(cases)
}

/// The program rendering the cases, and what became of each case.
#[derive(Clone, Debug, Default)]
pub struct CasesProgram {
    /// The crate's files, by path relative to its root.
    pub files: BTreeMap<String, String>,
    /// For each case, in input order: its name and `Ok` when the program
    /// renders it (its output lines come in this order), or the rendered
    /// diagnostics that reject it.
    pub outcomes: Vec<(String, Result<(), String>)>,
}

/// Checks and compiles every case into one program depending on the
/// runtime at `runtime_path`.
pub fn compile_cases(cases: &[Case], runtime_path: &str) -> CasesProgram {
    let mut program = CasesProgram::default();
    let mut modules = Vec::new();
    for case in cases {
        let module = format_ident!("case_{:04}", modules.len());
        match compile_case(case) {
            Ok(compiled) => {
                program.files.insert(
                    format!("src/{module}.rs"),
                    rust_file(case_module(case, compiled)),
                );
                modules.push((module, case.name.clone()));
                program.outcomes.push((case.name.clone(), Ok(())));
            }
            Err(error) => program.outcomes.push((case.name.clone(), Err(error))),
        }
    }
    program
        .files
        .insert("src/main.rs".to_string(), rust_file(main_rs(&modules)));
    program
        .files
        .insert("Cargo.toml".to_string(), cargo_toml(runtime_path));
    program
}

fn rust_file(tokens: TokenStream) -> String {
    let header = "// Generated by `djinn template-cases`. Do not edit.\n";
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => format!("{header}\n{}", prettyplease::unparse(&file)),
        Err(error) => format!(
            "{header}\ncompile_error!({:?});\n{tokens}\n",
            error.to_string()
        ),
    }
}

fn cargo_toml(runtime_path: &str) -> String {
    let runtime = toml::Value::String(runtime_path.to_string());
    format!(
        "# Generated by `djinn template-cases`. Do not edit.\n\
         [package]\n\
         name = \"djinn-template-cases\"\n\
         version = \"0.0.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         djinn-runtime = {{ path = {runtime} }}\n\
         \n\
         [workspace]\n\
         \n\
         [profile.dev]\n\
         debug = false\n\
         \n\
         [profile.dev.package.\"*\"]\n\
         opt-level = 1\n"
    )
}

fn main_rs(modules: &[(Ident, String)]) -> TokenStream {
    let declarations = modules.iter().map(|(module, _)| quote!(mod #module;));
    let entries = modules
        .iter()
        .map(|(module, _)| quote!(#module::run as Render));
    quote! {
        //! Renders every compiled case and prints one JSON line per case:
        //! `{"output": …}` or `{"error": …}`, in order.

        #(#declarations)*

        type Render = fn(&mut ::std::string::String) -> ::core::result::Result<(), ::djinn_runtime::template::FilterError>;

        fn main() {
            let cases: &[Render] = &[#(#entries),*];
            for render in cases {
                let mut out = ::std::string::String::new();
                let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| render(&mut out)));
                let line = match outcome {
                    ::core::result::Result::Ok(::core::result::Result::Ok(())) => {
                        ::djinn_runtime::serde_json::json!({ "output": out })
                    }
                    ::core::result::Result::Ok(::core::result::Result::Err(error)) => {
                        ::djinn_runtime::serde_json::json!({ "error": error.to_string() })
                    }
                    ::core::result::Result::Err(_) => {
                        ::djinn_runtime::serde_json::json!({ "error": "panic" })
                    }
                };
                println!("{line}");
            }
        }
    }
}

/// The settings every case is checked with.
const SETTINGS: &str = "[project]\nname = \"cases\"\n";

/// A case's templates compiled against its context's types.
#[derive(Clone, Debug)]
pub struct CompiledCase {
    /// The items of a module: the structs of the context's dicts, `pub
    /// struct Context` (a field per context name, named by
    /// [`dict_field`]) and `pub fn render(context: &Context, out: &mut
    /// String) -> Result<(), FilterError>`, the compiled `main` template.
    pub items: TokenStream,
    /// A `Context { … }` expression holding the case's values.
    pub context: TokenStream,
}

impl CompiledCase {
    /// The items as the text of a Rust file (formatted), for a crate that
    /// includes them in a module of its own.
    pub fn module_text(&self) -> String {
        rust_file(self.items.clone())
    }
}

/// The module of one case in the program: its items and `run`, which
/// renders the case's context.
fn case_module(case: &Case, compiled: CompiledCase) -> TokenStream {
    let doc = format!("Case `{}`.", case.name);
    let CompiledCase { items, context } = compiled;
    quote! {
        #![doc = #doc]
        // The context is the case's data: a float near π is not a constant,
        // and values the template does not use are still part of it.
        #![allow(clippy::approx_constant, dead_code)]

        #items

        /// Renders the case.
        pub fn run(out: &mut ::std::string::String) -> ::core::result::Result<(), ::djinn_runtime::template::FilterError> {
            render(&#context, out)
        }
    }
}

/// Checks a case's templates against the types of its context and compiles
/// `main`; the rendered diagnostics when djinn rejects them.
pub fn compile_case(case: &Case) -> Result<CompiledCase, String> {
    let mut builder = ProjectInput::builder().settings(SETTINGS);
    for (name, text) in &case.templates {
        builder = builder.template(name, text);
    }
    let input = builder.build();
    let rendered = |diagnostics: &[Diagnostic]| render::human(diagnostics, &input.sources, false);
    if !case.templates.contains_key("main") {
        return Err("the case has no `main` template".to_string());
    }
    let output = crate::check_project(&input);
    let mut diagnostics: Vec<Diagnostic> = output
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    if !diagnostics.is_empty() {
        return Err(rendered(&diagnostics));
    }
    let context = infer_context(&case.context);
    let (checks, rendering) = check_template(
        &input,
        &output.project,
        &output.templates,
        "main",
        &context,
        &mut diagnostics,
    );
    diagnostics.retain(Diagnostic::is_error);
    if !diagnostics.is_empty() {
        return Err(rendered(&diagnostics));
    }
    let Some(rendering) = rendering else {
        return Err("the template's `extends` chain is broken".to_string());
    };
    let mut dict_types = Vec::new();
    for ty in context.values() {
        collect_dicts(ty, &mut dict_types);
    }
    let dicts: BTreeMap<Type, TokenStream> = dict_types
        .iter()
        .enumerate()
        .map(|(index, ty)| {
            let name = format_ident!("Dict{}", index);
            (ty.clone(), quote!(#name))
        })
        .collect();
    let env = RenderEnv {
        project: &output.project,
        templates: &output.templates,
        checks: &checks,
        static_url: "",
        dicts: &dicts,
        models: quote!(crate::models),
        urls: None,
    };
    let names: BTreeMap<String, TokenStream> = context
        .keys()
        .map(|name| {
            let field = dict_field(name);
            (name.clone(), quote!(__djinn_context.#field))
        })
        .collect();
    let body = codegen::render_body(&env, rendering, &names).map_err(|errors| rendered(&errors))?;
    let mut aliases = Vec::new();
    let structs: Vec<TokenStream> = dict_types
        .iter()
        .map(|ty| dict_struct(ty, &dicts, &mut aliases))
        .collect();
    let fields: Vec<TokenStream> = context
        .iter()
        .map(|(name, ty)| {
            let field = dict_field(name);
            let rust = storage_alias(ty, &dicts, &mut aliases);
            quote!(pub #field: #rust,)
        })
        .collect();
    let values = context.iter().map(|(name, ty)| {
        let field = dict_field(name);
        let value = construct(
            ty,
            case.context
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v),
            &dicts,
        );
        quote!(#field: #value,)
    });
    Ok(CompiledCase {
        items: quote! {
            #(#aliases)*

            #(#structs)*

            /// The context: one field per name.
            pub struct Context {
                #(#fields)*
            }

            /// Renders the `main` template with `context` into `out`.
            pub fn render(
                __djinn_context: &Context,
                __djinn_out: &mut ::std::string::String,
            ) -> ::core::result::Result<(), ::djinn_runtime::template::FilterError> {
                #body
                ::core::result::Result::Ok(())
            }
        },
        context: quote!(Context { #(#values)* }),
    })
}

// ── types of JSON values ────────────────────────────────────────────────────

/// The kinds of value seen at one place of the JSON (a context name, a
/// key of the objects of a list, the items of lists).
#[derive(Clone, Debug, Default)]
struct Shape {
    none: bool,
    boolean: bool,
    int: bool,
    float: bool,
    text: bool,
    date: bool,
    datetime: bool,
    /// The items of the arrays seen here.
    list: Option<Box<Shape>>,
    /// The keys of the objects seen here, in first-seen order, with how
    /// many objects had each.
    dict: Option<Vec<(String, Shape, usize)>>,
    /// How many objects were seen here.
    objects: usize,
}

/// A `{"$date": …}` value: a date or a datetime.
fn date_value(value: &Json) -> Option<&str> {
    match value {
        Json::Dict(entries) if entries.len() == 1 && entries[0].0 == "$date" => {
            entries[0].1.as_str()
        }
        _ => None,
    }
}

impl Shape {
    fn add(&mut self, value: &Json) {
        if let Some(text) = date_value(value) {
            if text.contains('T') || text.contains(' ') {
                self.datetime = true;
            } else {
                self.date = true;
            }
            return;
        }
        match value {
            Json::Null => self.none = true,
            Json::Bool(_) => self.boolean = true,
            Json::Int(_) => self.int = true,
            Json::Float(_) => self.float = true,
            Json::Str(_) => self.text = true,
            Json::List(items) => {
                let list = self.list.get_or_insert_with(Default::default);
                for item in items {
                    list.add(item);
                }
            }
            Json::Dict(entries) => {
                self.objects += 1;
                let keys = self.dict.get_or_insert_with(Vec::new);
                for (key, value) in entries {
                    match keys.iter_mut().find(|(k, _, _)| k == key) {
                        Some((_, shape, count)) => {
                            shape.add(value);
                            *count += 1;
                        }
                        None => {
                            let mut shape = Shape::default();
                            shape.add(value);
                            keys.push((key.clone(), shape, 1));
                        }
                    }
                }
            }
        }
    }

    /// The most precise template type of the values seen.
    fn to_type(&self) -> Type {
        let mut kinds = Vec::new();
        if self.boolean {
            kinds.push(Type::Bool);
        }
        if self.int {
            kinds.push(Type::Int);
        }
        if self.float {
            kinds.push(Type::Float);
        }
        if self.text {
            kinds.push(Type::Str);
        }
        if self.date {
            kinds.push(Type::Date);
        }
        if self.datetime {
            kinds.push(Type::DateTime);
        }
        if let Some(items) = &self.list {
            kinds.push(Type::List(Box::new(items.to_type())));
        }
        if let Some(keys) = &self.dict {
            let entries = keys
                .iter()
                .map(|(key, shape, count)| {
                    let ty = shape.to_type();
                    let ty = if *count < self.objects {
                        ty.fallible()
                    } else {
                        ty
                    };
                    (key.clone(), ty)
                })
                .collect();
            kinds.push(Type::Dict(entries));
        }
        match kinds.into_iter().reduce(Type::either) {
            Some(ty) if self.none => ty.optional(),
            Some(ty) => ty,
            None if self.none => Type::None,
            // Only the items of empty lists: any value.
            None => Type::Json,
        }
    }
}

/// The type of each context name, inferred from its JSON value.
pub fn infer_context(context: &[(String, Json)]) -> BTreeMap<String, Type> {
    context
        .iter()
        .map(|(name, value)| {
            let mut shape = Shape::default();
            shape.add(value);
            (name.clone(), shape.to_type())
        })
        .collect()
}

/// Every dict type inside `ty`, inner ones first, each once.
fn collect_dicts(ty: &Type, out: &mut Vec<Type>) {
    match ty {
        Type::Optional(inner) | Type::Fallible(inner) | Type::List(inner) => {
            collect_dicts(inner, out)
        }
        Type::Either(a, b) => {
            collect_dicts(a, out);
            collect_dicts(b, out);
        }
        Type::Tuple(items) => items.iter().for_each(|item| collect_dicts(item, out)),
        Type::Dict(entries) => {
            for (_, value) in entries {
                collect_dicts(value, out);
            }
            if !out.contains(ty) {
                out.push(ty.clone());
            }
        }
        _ => {}
    }
}

/// The Rust type a context value of `ty` is stored as.
fn storage_type(ty: &Type, dicts: &BTreeMap<Type, TokenStream>) -> TokenStream {
    match ty {
        Type::Str | Type::SafeStr => quote!(::std::string::String),
        Type::Int => quote!(i64),
        Type::Float => quote!(f64),
        Type::Bool => quote!(bool),
        Type::Date => quote!(::djinn_runtime::jiff::civil::Date),
        Type::DateTime => quote!(::djinn_runtime::jiff::civil::DateTime),
        Type::Optional(inner) | Type::Fallible(inner) => {
            let inner = storage_type(inner, dicts);
            quote!(::core::option::Option<#inner>)
        }
        Type::Either(a, b) => {
            let a = storage_type(a, dicts);
            let b = storage_type(b, dicts);
            quote!(::djinn_runtime::template::Either<#a, #b>)
        }
        Type::List(item) => {
            let item = storage_type(item, dicts);
            quote!(::std::vec::Vec<#item>)
        }
        Type::Dict(_) => dicts.get(ty).cloned().unwrap_or_else(|| quote!(())),
        Type::Json => quote!(::djinn_runtime::serde_json::Value),
        _ => quote!(()),
    }
}

/// The storage type of `ty`, through a type alias when clippy would find
/// it too complex (its `type_complexity`: 10 per type times its depth).
fn storage_alias(
    ty: &Type,
    dicts: &BTreeMap<Type, TokenStream>,
    aliases: &mut Vec<TokenStream>,
) -> TokenStream {
    fn complexity(ty: &Type, depth: u32) -> u32 {
        10 * depth
            + match ty {
                Type::Optional(inner) | Type::Fallible(inner) | Type::List(inner) => {
                    complexity(inner, depth + 1)
                }
                Type::Either(a, b) => complexity(a, depth + 1) + complexity(b, depth + 1),
                _ => 0,
            }
    }
    let rust = storage_type(ty, dicts);
    if complexity(ty, 1) < 200 {
        return rust;
    }
    let alias = format_ident!("Field{}", aliases.len());
    aliases.push(quote!(type #alias = #rust;));
    quote!(#alias)
}

/// Whether a JSON value is one of `ty`'s values.
fn accepts(ty: &Type, value: &Json) -> bool {
    let date = date_value(value);
    match ty {
        Type::None => *value == Json::Null,
        Type::Bool => matches!(value, Json::Bool(_)),
        Type::Int => matches!(value, Json::Int(_)),
        Type::Float => matches!(value, Json::Float(_)),
        Type::Str => matches!(value, Json::Str(_)),
        Type::Date => date.is_some_and(|d| !d.contains('T') && !d.contains(' ')),
        Type::DateTime => date.is_some_and(|d| d.contains('T') || d.contains(' ')),
        Type::List(_) => matches!(value, Json::List(_)),
        Type::Dict(_) => matches!(value, Json::Dict(_)) && date.is_none(),
        Type::Json => true,
        Type::Optional(inner) => *value == Json::Null || accepts(inner, value),
        Type::Fallible(inner) => accepts(inner, value),
        Type::Either(a, b) => accepts(a, value) || accepts(b, value),
        _ => false,
    }
}

/// The Rust expression of a context value of `ty` (`None`: a key the
/// object does not have).
fn construct(ty: &Type, value: Option<&Json>, dicts: &BTreeMap<Type, TokenStream>) -> TokenStream {
    let Some(value) = value else {
        return quote!(::core::option::Option::None);
    };
    match (ty, value) {
        (Type::Fallible(inner), _) => {
            let inner = construct(inner, Some(value), dicts);
            quote!(::core::option::Option::Some(#inner))
        }
        (Type::Optional(_), Json::Null) => quote!(::core::option::Option::None),
        (Type::Optional(inner), _) => {
            let inner = construct(inner, Some(value), dicts);
            quote!(::core::option::Option::Some(#inner))
        }
        (Type::Either(a, b), _) => {
            if accepts(a, value) {
                let inner = construct(a, Some(value), dicts);
                quote!(::djinn_runtime::template::Either::Left(#inner))
            } else {
                let inner = construct(b, Some(value), dicts);
                quote!(::djinn_runtime::template::Either::Right(#inner))
            }
        }
        (Type::Str, Json::Str(text)) => quote!(::std::string::String::from(#text)),
        (Type::Int, Json::Int(number)) => {
            let number = proc_macro2::Literal::i64_suffixed(*number);
            quote!(#number)
        }
        (Type::Float, Json::Float(number)) => {
            let number = proc_macro2::Literal::f64_suffixed(*number);
            quote!(#number)
        }
        (Type::Bool, Json::Bool(flag)) => quote!(#flag),
        (Type::Date | Type::DateTime, _) => construct_date(date_value(value).unwrap_or_default()),
        (Type::List(item), Json::List(items)) => {
            let items = items.iter().map(|v| construct(item, Some(v), dicts));
            quote!(::std::vec![#(#items),*])
        }
        (Type::Dict(entries), _) => {
            let path = dicts.get(ty).cloned().unwrap_or_else(|| quote!(()));
            let fields = entries.iter().map(|(key, ty)| {
                let field = dict_field(key);
                let value = construct(ty, value.get(key), dicts);
                quote!(#field: #value,)
            });
            quote!(#path { #(#fields)* })
        }
        (Type::Json, _) => {
            let text = value.to_text();
            quote!(::djinn_runtime::serde_json::from_str(#text).unwrap_or_default())
        }
        _ => quote!(()),
    }
}

/// A date or datetime literal as Python's `fromisoformat` reads it.
fn construct_date(text: &str) -> TokenStream {
    let civil = quote!(::djinn_runtime::jiff::civil);
    let normalized = text.replacen(' ', "T", 1);
    if let Ok(datetime) = normalized.parse::<jiff::civil::DateTime>()
        && normalized.contains('T')
    {
        let (y, mo, d) = (datetime.year(), datetime.month(), datetime.day());
        let (h, mi, s, ns) = (
            datetime.hour(),
            datetime.minute(),
            datetime.second(),
            datetime.subsec_nanosecond(),
        );
        return quote!(#civil::date(#y, #mo, #d).at(#h, #mi, #s, #ns));
    }
    match normalized.parse::<jiff::civil::Date>() {
        Ok(date) => {
            let (y, mo, d) = (date.year(), date.month(), date.day());
            quote!(#civil::date(#y, #mo, #d))
        }
        Err(_) => quote!(#civil::date(1970, 1, 1)),
    }
}

/// The struct of a dict type, with what templates do with dicts: print it
/// (Python's `repr`), test it, compare it, serialize it, its methods.
fn dict_struct(
    ty: &Type,
    dicts: &BTreeMap<Type, TokenStream>,
    aliases: &mut Vec<TokenStream>,
) -> TokenStream {
    let Type::Dict(entries) = ty else {
        return quote!();
    };
    let name = dicts.get(ty).cloned().unwrap_or_default();
    let rt = quote!(::djinn_runtime::template);
    let fields: Vec<Ident> = entries.iter().map(|(key, _)| dict_field(key)).collect();
    let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
    let types: Vec<TokenStream> = entries
        .iter()
        .map(|(_, ty)| storage_alias(ty, dicts, aliases))
        .collect();
    // A key missing from this object is left out, as Python's dict has no entry for it.
    let present: Vec<TokenStream> = entries
        .iter()
        .zip(&fields)
        .map(|((_, ty), field)| match ty {
            Type::Fallible(_) => quote!(self.#field.is_some()),
            _ => quote!(true),
        })
        .collect();
    // Code run with `key` and `value` bound to each present entry.
    let each = |body: TokenStream| -> Vec<TokenStream> {
        entries
            .iter()
            .zip(&fields)
            .zip(&keys)
            .map(|(((_, ty), field), key)| match ty {
                Type::Fallible(_) => quote! {
                    if let ::core::option::Option::Some(value) = &self.#field {
                        let key = #key;
                        #body
                    }
                },
                _ => quote! {
                    {
                        let (key, value) = (#key, &self.#field);
                        #body
                    }
                },
            })
            .collect()
    };
    let truth = if entries
        .iter()
        .any(|(_, ty)| !matches!(ty, Type::Fallible(_)))
    {
        quote!(true)
    } else if present.is_empty() {
        quote!(false)
    } else {
        quote!(#(#present)||*)
    };
    let (repr, py, json) = if entries.is_empty() {
        (
            quote!(out.push_str("{}");),
            quote!(#rt::render::Py::Dict(::std::vec::Vec::new())),
            quote!(#rt::render::Json::Map(::std::vec::Vec::new())),
        )
    } else {
        let repr = each(quote! {
            if out.len() > start {
                out.push_str(", ");
            }
            #rt::display::write_str_repr(out, key);
            out.push_str(": ");
            #rt::DjangoStr::write_repr(value, out);
        });
        let py = each(quote! {
            entries.push((::std::borrow::Cow::Borrowed(key), #rt::render::ToPy::to_py(value)));
        });
        let json = each(quote! {
            entries.push((::std::borrow::Cow::Borrowed(key), #rt::render::ToJson::to_json(value)));
        });
        (
            quote! {
                out.push('{');
                let start = out.len();
                #(#repr)*
                out.push('}');
            },
            quote! {
                let mut entries = ::std::vec::Vec::new();
                #(#py)*
                #rt::render::Py::Dict(entries)
            },
            quote! {
                let mut entries = ::std::vec::Vec::new();
                #(#json)*
                #rt::render::Json::Map(entries)
            },
        )
    };
    quote! {
        /// A dict of the context.
        #[derive(Clone, Debug)]
        pub struct #name {
            #(pub #fields: #types,)*
        }

        impl #rt::DjangoStr for #name {
            fn write_str(&self, out: &mut ::std::string::String) {
                self.write_repr(out);
            }
            fn write_repr(&self, out: &mut ::std::string::String) {
                #repr
            }
        }

        impl #rt::Truthy for #name {
            fn is_truthy(&self) -> bool {
                #truth
            }
        }

        impl #rt::render::Itself for #name {}

        impl #rt::render::ToPy for #name {
            fn to_py(&self) -> #rt::render::Py<'_> {
                #py
            }
        }

        impl #rt::render::ToJson for #name {
            fn to_json(&self) -> #rt::render::Json<'_> {
                #json
            }
        }

        impl #rt::render::ToNested for #name {
            fn to_nested(&self) -> #rt::filters::lists::Nested<#rt::render::ListText<'_>> {
                #rt::filters::lists::Nested::Item(#rt::render::ListText::Plain(#rt::DjangoStr::django_str(self)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(json: &str) -> BTreeMap<String, Type> {
        let Json::Dict(entries) = serde_json::from_str(json).unwrap() else {
            panic!("not an object");
        };
        infer_context(&entries)
    }

    #[test]
    fn infers_precise_types() {
        let t = types(
            r#"{"n": 1, "x": 1.5, "s": "a", "d": {"$date": "2024-03-05"},
                "dt": {"$date": "2024-03-05T14:30:00"}, "o": null,
                "mixed": [1, "a", null], "empty": [],
                "rows": [{"a": 1, "b": "x"}, {"a": 2}]}"#,
        );
        assert_eq!(t["n"], Type::Int);
        assert_eq!(t["x"], Type::Float);
        assert_eq!(t["d"], Type::Date);
        assert_eq!(t["dt"], Type::DateTime);
        assert_eq!(t["o"], Type::None);
        assert_eq!(
            t["mixed"],
            Type::List(Box::new(Type::Int.either(Type::Str).optional()))
        );
        assert_eq!(t["empty"], Type::List(Box::new(Type::Json)));
        assert_eq!(
            t["rows"],
            Type::List(Box::new(Type::Dict(vec![
                ("a".into(), Type::Int),
                ("b".into(), Type::Str.fallible()),
            ])))
        );
    }

    #[test]
    fn reads_cases_and_rejects_with_diagnostics() {
        let cases = read_cases(
            "{\"name\": \"ok\", \"templates\": {\"main\": \"{{ a }}\"}, \"context\": {\"a\": 1}}\n\n\
             {\"name\": \"bad\", \"templates\": {\"main\": \"{{ b }}\"}, \"context\": {\"a\": 1}}\n",
        )
        .unwrap();
        assert_eq!(cases.len(), 2);
        let program = compile_cases(&cases, "/runtime");
        assert!(program.outcomes[0].1.is_ok());
        let error = program.outcomes[1].1.as_ref().unwrap_err();
        assert!(error.contains("E0707"), "{error}");
        assert!(program.files.contains_key("src/case_0000.rs"));
        assert!(program.files["Cargo.toml"].contains("path = \"/runtime\""));
    }
}
