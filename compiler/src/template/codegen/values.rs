//! Template values in generated code: how each [`Type`] is held, converted,
//! printed and tested.
//!
//! A value of template type `T` is any Rust value that implements the
//! runtime's traits for `T` (`DjangoStr`, `Truthy`, `ToPy`, …), behind any
//! number of references: text may be a `String`, a `&str`, a `Cow<str>` or
//! a `Safe<…>` of them; an integer any integer type; `Optional(T)` and
//! `Fallible(T)` an `Option` of a value of `T`; `Either(A, B)` the runtime's
//! `Either`; `List(T)` a `Vec` or slice of values of `T`; a dict the struct
//! the caller generated for it. Safe text is always held in a `Safe`, text
//! that is not safe never, so the runtime's dynamic checks agree with the
//! checker's types.
//!
//! Where code must give one Rust type to values of different origins (the
//! branches of a generated `match`), each is converted to the *canonical*
//! type of the target ([`Gen::canonical_type`]): `Cow<str>` for text
//! (`Safe<Cow<str>>` when safe), `i64`, `f64`, `Option`, `Either` and `Vec`
//! of canonical values, references to structs.

use super::{Gen, Result, internal};
use crate::check::ir::ConverterType;
use crate::source::Span;
use crate::template::types::Type;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// A value in generated code.
#[derive(Clone, Debug)]
pub(super) struct Val {
    /// A place holding the value (`__djinn_v3`, `__djinn_context.title`),
    /// or, with `by_ref`, an expression of a reference to it.
    pub(super) expr: TokenStream,
    /// `expr` is a reference expression rather than a place.
    pub(super) by_ref: bool,
    /// The template type.
    pub(super) ty: Type,
    /// The value is owned by a local of the match arm being generated, so
    /// text converted out of the arm must be copied.
    pub(super) arm_local: bool,
    /// `expr` is a constant of a `Copy` type, passed by value where a
    /// function takes a value.
    pub(super) constant: bool,
}

impl Val {
    /// A value at a place.
    pub(super) fn place(expr: TokenStream, ty: Type, arm_local: bool) -> Val {
        Val {
            expr,
            by_ref: false,
            ty,
            arm_local,
            constant: false,
        }
    }

    /// A value given by a reference expression.
    pub(super) fn reference(expr: TokenStream, ty: Type) -> Val {
        Val {
            expr,
            by_ref: true,
            ty,
            arm_local: false,
            constant: false,
        }
    }

    /// A string literal of the template: safe text.
    pub(super) fn literal_str(text: &str) -> Val {
        Val {
            constant: true,
            ..Val::place(
                quote!(::djinn_runtime::template::Safe(#text)),
                Type::SafeStr,
                false,
            )
        }
    }

    /// Text that is not safe (Django's `string_if_invalid`, `str(None)`).
    pub(super) fn plain_str(text: &str) -> Val {
        Val::reference(quote!(#text), Type::Str)
    }

    /// An expression of a reference to the value.
    pub(super) fn reference_expr(&self) -> TokenStream {
        let expr = &self.expr;
        if self.by_ref {
            expr.clone()
        } else {
            quote!(&#expr)
        }
    }

    /// An expression for field access and method calls (auto-deref makes
    /// a reference and a place work alike).
    pub(super) fn place_expr(&self) -> TokenStream {
        let expr = &self.expr;
        let single = expr.clone().into_iter().count() == 1;
        if self.by_ref && !single {
            quote!((#expr))
        } else {
            expr.clone()
        }
    }

    /// The type without `Optional`/`Fallible`.
    pub(super) fn strip_ty(&self) -> &Type {
        self.ty.strip()
    }

    /// A pattern binding of this value's inner value (`Some(x)`).
    pub(super) fn inner(&self, binding: &Ident, ty: Type) -> Val {
        Val {
            expr: quote!(#binding),
            by_ref: true,
            ty,
            arm_local: self.arm_local,
            constant: false,
        }
    }
}

/// The struct member of a dict key: the key itself when it is a Rust
/// identifier, else a name made of its characters' codes.
pub fn dict_field(key: &str) -> Ident {
    let plain = !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && !key.starts_with('_');
    if plain {
        format_ident!("k_{}", key)
    } else {
        let codes: Vec<String> = key.chars().map(|c| format!("{:x}", c as u32)).collect();
        format_ident!("k_x{}", codes.join("_"))
    }
}

/// The identifier of a model's member, as the models' code generator
/// names it (`codegen::names::ident`): the name, `r#name` for a keyword,
/// `name_` for the few keywords Rust refuses even as raw identifiers.
pub(super) fn member(name: &str) -> Ident {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
        "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
        "return", "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe",
        "unsized", "use", "virtual", "where", "while", "yield",
    ];
    if matches!(name, "crate" | "self" | "super" | "Self" | "_") {
        format_ident!("{}_", name)
    } else if KEYWORDS.contains(&name) {
        Ident::new_raw(name, proc_macro2::Span::call_site())
    } else {
        format_ident!("{}", name)
    }
}

/// Text of the value, as a `Cow<str>` expression (Python's `str()`).
pub(super) fn text_ref(value: &Val) -> TokenStream {
    let reference = value.reference_expr();
    quote!(::djinn_runtime::template::DjangoStr::django_str(#reference))
}

/// `Some(x)` and `None` patterns.
fn some(binding: &Ident) -> TokenStream {
    quote!(::core::option::Option::Some(#binding))
}

const NONE: &str = "::core::option::Option::None";

fn none() -> TokenStream {
    NONE.parse().unwrap_or_default()
}

impl Gen<'_> {
    /// The canonical Rust type of values of `ty` (see the module docs),
    /// with elided lifetimes.
    pub(super) fn canonical_type(&self, ty: &Type) -> Result<TokenStream> {
        self.canonical_type_in(ty, &quote!('_))
    }

    /// The canonical type with `lifetime` for its borrows (`'a` in a type alias).
    pub(super) fn canonical_type_in(
        &self,
        ty: &Type,
        lifetime: &TokenStream,
    ) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        Ok(match ty {
            Type::Str => quote!(::std::borrow::Cow<#lifetime, str>),
            Type::SafeStr => quote!(#rt::Safe<::std::borrow::Cow<#lifetime, str>>),
            Type::Int => quote!(i64),
            Type::Float => quote!(f64),
            Type::Bool => quote!(bool),
            Type::Date => quote!(::djinn_runtime::jiff::civil::Date),
            Type::DateTime => quote!(::djinn_runtime::jiff::civil::DateTime),
            Type::None => quote!(()),
            Type::Json => quote!(&#lifetime ::djinn_runtime::serde_json::Value),
            Type::Optional(inner) | Type::Fallible(inner) => {
                let inner = self.canonical_type_in(inner, lifetime)?;
                quote!(::core::option::Option<#inner>)
            }
            Type::Either(a, b) => {
                let a = self.canonical_type_in(a, lifetime)?;
                let b = self.canonical_type_in(b, lifetime)?;
                quote!(#rt::Either<#a, #b>)
            }
            Type::List(item) => {
                let item = self.canonical_type_in(item, lifetime)?;
                quote!(::std::vec::Vec<#item>)
            }
            Type::Tuple(items) => {
                let items = items
                    .iter()
                    .map(|item| self.canonical_type_in(item, lifetime))
                    .collect::<Result<Vec<_>>>()?;
                quote!((#(#items,)*))
            }
            Type::Dict(_) => {
                let path = self.dict_path(ty)?;
                quote!(&#lifetime #path)
            }
            Type::Object(model) => {
                let model = self.model_path(*model);
                quote!(&#lifetime #model)
            }
            Type::ForLoop(_) => quote!(&#lifetime #rt::render::ForLoop<#lifetime>),
            Type::QuerySet(model) | Type::Manager(model) => {
                let model = self.model_path(*model);
                quote!(::std::vec::Vec<&#lifetime #model>)
            }
            Type::Page(model) => {
                let model = self.model_path(*model);
                quote!(&#lifetime #rt::context::PageOf<#lifetime, #model>)
            }
            Type::Paginator(_) => quote!(&#lifetime ::djinn_runtime::pagination::Paginator),
            Type::User => quote!(&#lifetime #rt::context::User),
            Type::Perms | Type::AppPerms => quote!(&#lifetime #rt::context::Perms),
            Type::Message => quote!(&#lifetime #rt::context::Message),
            Type::Form(_) => quote!(&#lifetime ::djinn_runtime::forms::Form),
            Type::ErrorList => quote!(&#lifetime ::djinn_runtime::forms::ErrorList),
            Type::Messages => quote!(::std::vec::Vec<&#lifetime #rt::context::Message>),
            Type::Uuid => quote!(::djinn_runtime::uuid::Uuid),
            Type::Decimal => quote!(::std::borrow::Cow<#lifetime, str>),
            other => {
                return Err(internal(
                    Span::default(),
                    format!(
                        "values of type `{}` cannot be converted",
                        other.describe(self.env.project)
                    ),
                ));
            }
        })
    }

    /// The Rust struct of a model (`crate::models::Post`).
    pub(super) fn model_path(&self, model: crate::check::ir::ModelId) -> TokenStream {
        let models = &self.env.models;
        let name = member(&self.env.project.model(model).name);
        quote!(#models::#name)
    }

    /// The Rust struct generated for a dict type.
    pub(super) fn dict_path(&self, ty: &Type) -> Result<TokenStream> {
        self.env.dicts.get(ty).cloned().ok_or_else(|| {
            internal(
                Span::default(),
                format!("no struct for `{}`", ty.describe(self.env.project)),
            )
        })
    }

    /// An expression of `to`'s canonical type holding `value` (of a type
    /// that [`fits`] into `to`).
    pub(super) fn canon(&mut self, value: &Val, to: &Type) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        let from = &value.ty;
        let reference = value.reference_expr();
        let place = value.place_expr();
        // What functions taking a value (`text`) are given.
        let given = if value.constant {
            place.clone()
        } else {
            reference.clone()
        };
        let mismatch = || {
            internal(
                Span::default(),
                format!(
                    "a value of type `{}` where `{}` is expected",
                    from.describe(self.env.project),
                    to.describe(self.env.project)
                ),
            )
        };
        // Distribute over a value of one of two types first.
        if let Type::Either(a, b) = from
            && (from == to || !fits_exactly(from, to))
        {
            let left = self.fresh("l");
            let right = self.fresh("r");
            let left_code = self.canon(&value.inner(&left, (**a).clone()), to)?;
            let right_code = self.canon(&value.inner(&right, (**b).clone()), to)?;
            return Ok(quote! {
                match #reference {
                    #rt::Either::Left(#left) => #left_code,
                    #rt::Either::Right(#right) => #right_code,
                }
            });
        }
        Ok(match (from, to) {
            (Type::Str | Type::SafeStr, Type::Str) => {
                if value.arm_local {
                    let owned = if is_local(value) { &place } else { &given };
                    quote!(#rt::render::owned_text(#owned))
                } else {
                    quote!(#rt::render::text(#given))
                }
            }
            (Type::Str | Type::SafeStr, Type::SafeStr) => {
                if value.arm_local {
                    let owned = if is_local(value) { &place } else { &given };
                    quote!(#rt::Safe(#rt::render::owned_text(#owned)))
                } else {
                    quote!(#rt::render::safe_text(#given))
                }
            }
            (Type::Int | Type::Bool, Type::Int) => quote!(#rt::render::int(#reference)),
            (Type::Float, Type::Float) => quote!(#rt::render::copy::<f64, _>(#reference)),
            (Type::Bool, Type::Bool) => quote!(#rt::render::copy::<bool, _>(#reference)),
            (Type::Date, Type::Date) => {
                quote!(#rt::render::copy::<::djinn_runtime::jiff::civil::Date, _>(#reference))
            }
            (Type::DateTime, Type::DateTime) => {
                quote!(#rt::render::copy::<::djinn_runtime::jiff::civil::DateTime, _>(#reference))
            }
            (Type::None, Type::None) => quote!(()),
            // A reference to the value, whatever references lead to it.
            (Type::Json, Type::Json) | (Type::ForLoop(_), Type::ForLoop(_)) => {
                self.uses_itself = true;
                quote!(#place.itself())
            }
            (Type::Dict(_), Type::Dict(_))
            | (Type::Object(_), Type::Object(_))
            | (Type::Page(_), Type::Page(_))
            | (Type::Paginator(_), Type::Paginator(_))
            | (Type::User, Type::User)
            | (Type::Message, Type::Message)
            | (Type::Perms | Type::AppPerms, Type::Perms | Type::AppPerms)
                if from == to =>
            {
                self.uses_itself = true;
                quote!(#place.itself())
            }
            (Type::QuerySet(a) | Type::Manager(a), Type::QuerySet(b) | Type::Manager(b))
                if a == b =>
            {
                self.uses_itself = true;
                quote!(#place.iter().map(|x| x.itself()).collect::<::std::vec::Vec<_>>())
            }
            (Type::Messages, Type::Messages) => {
                self.uses_itself = true;
                quote!(#place.iter().map(|x| x.itself()).collect::<::std::vec::Vec<_>>())
            }
            (Type::Uuid, Type::Uuid) => {
                quote!(#rt::render::copy::<::djinn_runtime::uuid::Uuid, _>(#reference))
            }
            (Type::Decimal, Type::Decimal) => quote!(#rt::render::text(#given)),
            (Type::None, Type::Optional(_) | Type::Fallible(_)) => none(),
            (Type::Optional(inner_from), Type::Optional(inner_to))
            | (Type::Fallible(inner_from), Type::Fallible(inner_to)) => {
                let x = self.fresh("x");
                let code = self.canon(&value.inner(&x, (**inner_from).clone()), inner_to)?;
                let function = closure(&x, code);
                quote!(#place.as_ref().map(#function))
            }
            (_, Type::Optional(inner) | Type::Fallible(inner)) if fits(from, inner) => {
                let code = self.canon(value, inner)?;
                quote!(::core::option::Option::Some(#code))
            }
            (_, Type::Either(a, b)) => {
                let side = if fits_exactly(from, a) {
                    Some(true)
                } else if fits_exactly(from, b) {
                    Some(false)
                } else if fits(from, a) {
                    Some(true)
                } else if fits(from, b) {
                    Some(false)
                } else {
                    None
                };
                match side {
                    Some(true) => {
                        let code = self.canon(value, a)?;
                        quote!(#rt::Either::Left(#code))
                    }
                    Some(false) => {
                        let code = self.canon(value, b)?;
                        quote!(#rt::Either::Right(#code))
                    }
                    None => return Err(mismatch()),
                }
            }
            (Type::List(item_from), Type::List(item_to)) => {
                let x = self.fresh("x");
                let item = Val {
                    arm_local: value.arm_local,
                    ..Val::reference(quote!(#x), (**item_from).clone())
                };
                let code = self.canon(&item, item_to)?;
                let function = closure(&x, code);
                quote!(#place.iter().map(#function).collect::<::std::vec::Vec<_>>())
            }
            (Type::Tuple(items_from), Type::Tuple(items_to))
                if items_from.len() == items_to.len() =>
            {
                let mut parts = Vec::new();
                for (i, (a, b)) in items_from.iter().zip(items_to).enumerate() {
                    let index = syn::Index::from(i);
                    let part = Val::place(quote!(#place.#index), a.clone(), value.arm_local);
                    parts.push(self.canon(&part, b)?);
                }
                quote!((#(#parts,)*))
            }
            _ => return Err(mismatch()),
        })
    }

    /// The value of a failed lookup in a slot of type `to` (a `Fallible`,
    /// possibly inside an `Either`).
    pub(super) fn missing(&self, to: &Type) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        match to {
            Type::Fallible(_) => Ok(none()),
            Type::Either(a, b) => match self.missing(a) {
                Ok(code) => Ok(quote!(#rt::Either::Left(#code))),
                Err(_) => {
                    let code = self.missing(b)?;
                    Ok(quote!(#rt::Either::Right(#code)))
                }
            },
            other => Err(internal(
                Span::default(),
                format!(
                    "a failed lookup where `{}` is expected",
                    other.describe(self.env.project)
                ),
            )),
        }
    }

    /// Statements writing `value` as `{{ value }}` shows it: escaped when
    /// autoescaping is on and its type is not safe.
    pub(super) fn print(&mut self, value: &Val) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        let reference = value.reference_expr();
        let place = value.place_expr();
        let escape = self.autoescape;
        Ok(match &value.ty {
            Type::Str if escape => quote!(#rt::render::escape_text(__djinn_out, #reference);),
            Type::Str | Type::SafeStr => quote!(#rt::render::push_text(__djinn_out, #reference);),
            Type::Int => quote!(#rt::render::write_int(__djinn_out, #reference);),
            // Their text never has a character to escape.
            Type::Float | Type::Bool | Type::Date | Type::DateTime | Type::Decimal | Type::Uuid => {
                quote!(#rt::DjangoStr::write_localized(#reference, __djinn_out);)
            }
            Type::None => quote!(__djinn_out.push_str("None");),
            Type::Optional(inner) => {
                let x = self.fresh("x");
                let some_pattern = some(&x);
                let body = self.print(&value.inner(&x, (**inner).clone()))?;
                quote! {
                    if let #some_pattern = #reference {
                        #body
                    } else {
                        __djinn_out.push_str("None");
                    }
                }
            }
            Type::Fallible(inner) => {
                let x = self.fresh("x");
                let some_pattern = some(&x);
                let body = self.print(&value.inner(&x, (**inner).clone()))?;
                quote! {
                    if let #some_pattern = #reference {
                        #body
                    }
                }
            }
            Type::Either(a, b) => {
                let left = self.fresh("l");
                let right = self.fresh("r");
                let left_body = self.print(&value.inner(&left, (**a).clone()))?;
                let right_body = self.print(&value.inner(&right, (**b).clone()))?;
                quote! {
                    match #reference {
                        #rt::Either::Left(#left) => { #left_body }
                        #rt::Either::Right(#right) => { #right_body }
                    }
                }
            }
            Type::QuerySet(_) => {
                quote!(#rt::render::write_queryset(__djinn_out, &#place[..], #escape);)
            }
            _ => quote!(#rt::render_into(__djinn_out, #reference, #escape);),
        })
    }

    /// A `bool` expression: the value's truth, as Python's `bool()`.
    pub(super) fn truth(&mut self, value: &Val) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        let reference = value.reference_expr();
        Ok(match &value.ty {
            Type::None => quote!(false),
            Type::Tuple(items) => {
                let truth = !items.is_empty();
                quote!(#truth)
            }
            Type::Dict(entries) => {
                let truth = !entries.is_empty();
                quote!(#truth)
            }
            // Objects are always true; a related manager too.
            Type::Object(_)
            | Type::Manager(_)
            | Type::Paginator(_)
            | Type::User
            | Type::Perms
            | Type::Message => quote!(true),
            Type::AppPerms => {
                let app = &self.env.project.app_label;
                let place = value.place_expr();
                quote!(#place.has_module(#app))
            }
            Type::Decimal => {
                quote!(#rt::context::decimal_truth(&#rt::DjangoStr::django_str(#reference)))
            }
            Type::Optional(inner) | Type::Fallible(inner) => {
                let x = self.fresh("x");
                let inner_truth = self.truth(&value.inner(&x, (**inner).clone()))?;
                if inner_truth.to_string() == "true" {
                    let place = value.place_expr();
                    quote!(#place.is_some())
                } else {
                    let some_pattern = some(&x);
                    quote!(::core::matches!(#reference, #some_pattern if #inner_truth))
                }
            }
            Type::Either(a, b) => {
                let left = self.fresh("l");
                let right = self.fresh("r");
                let left_truth = self.truth(&value.inner(&left, (**a).clone()))?;
                let right_truth = self.truth(&value.inner(&right, (**b).clone()))?;
                quote! {
                    match #reference {
                        #rt::Either::Left(#left) => #left_truth,
                        #rt::Either::Right(#right) => #right_truth,
                    }
                }
            }
            _ => quote!(#rt::Truthy::is_truthy(#reference)),
        })
    }

    /// The value as a Python value for comparisons (`Py`).
    pub(super) fn py(&mut self, value: &Val) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        let reference = value.reference_expr();
        Ok(match value.strip_ty() {
            Type::Decimal if !value.ty.may_be_absent() => {
                quote!(#rt::context::decimal_py(&#rt::DjangoStr::django_str(#reference)))
            }
            Type::Page(_)
            | Type::Paginator(_)
            | Type::Perms
            | Type::AppPerms
            | Type::Messages
            | Type::Message
            | Type::Manager(_) => quote!(#rt::render::Py::Other),
            _ => quote!(#rt::render::ToPy::to_py(#reference)),
        })
    }

    /// What `{% for %}` iterates: a place with `.len()` and `.iter()` over
    /// the items, and the items' type.
    pub(super) fn sequence(&mut self, value: &Val, span: Span) -> Result<(TokenStream, Type)> {
        let rt = quote!(::djinn_runtime::template);
        let reference = value.reference_expr();
        match &value.ty {
            Type::List(item) => Ok((value.place_expr(), (**item).clone())),
            Type::QuerySet(model) | Type::Page(model) => {
                Ok((value.place_expr(), Type::Object(*model)))
            }
            Type::Messages => Ok((value.place_expr(), Type::Message)),
            Type::Form(view) => {
                let fields = self.bind(quote!(#reference.fields()), Type::None);
                Ok((fields.expr, Type::BoundField(*view, None)))
            }
            Type::Str | Type::SafeStr => {
                let chars = self.bind(quote!(#rt::render::chars(#reference)), Type::None);
                Ok((chars.expr, Type::Str))
            }
            Type::Dict(entries) => {
                let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
                let keys = self.bind(quote!([#(#keys),*]), Type::None);
                Ok((keys.expr, Type::Str))
            }
            Type::Json => {
                let items = self.bind(quote!(#rt::render::json_items(#reference)), Type::None);
                Ok((items.expr, Type::Json))
            }
            Type::Tuple(items) if items.windows(2).all(|w| w[0] == w[1]) => {
                let place = value.place_expr();
                let parts = (0..items.len()).map(syn::Index::from);
                let array = self.bind(quote!([#(&#place.#parts),*]), Type::None);
                Ok((array.expr, items.first().cloned().unwrap_or(Type::None)))
            }
            Type::Optional(inner) | Type::Fallible(inner) => {
                let x = self.fresh("x");
                let inner_value = value.inner(&x, (**inner).clone());
                let (stmts, (items, element)) = self.scoped(|g| g.sequence(&inner_value, span))?;
                let collected = self.bind(
                    quote! {
                        match #reference {
                            ::core::option::Option::Some(#x) => {
                                #(#stmts)*
                                #items.iter().collect::<::std::vec::Vec<_>>()
                            }
                            ::core::option::Option::None => ::std::vec::Vec::new(),
                        }
                    },
                    Type::None,
                );
                Ok((collected.expr, element))
            }
            other => Err(internal(
                span,
                format!("cannot loop over `{}`", other.describe(self.env.project)),
            )),
        }
    }

    /// Python's `float(value)` as an `Option<f64>` expression (`None` where
    /// Python raises), for `widthratio`.
    pub(super) fn float_of(&mut self, value: &Val) -> Result<TokenStream> {
        let reference = value.reference_expr();
        Ok(quote!(::djinn_runtime::template::render::AsFloat::as_float(#reference)))
    }

    /// Python's `int(value)` as an `Option<i64>` expression.
    pub(super) fn int_of(&mut self, value: &Val) -> Result<TokenStream> {
        let reference = value.reference_expr();
        Ok(quote!(::djinn_runtime::template::render::py_int(#reference)))
    }

    /// A reference to the value, for functions that take any printable value.
    pub(super) fn printable_text(&mut self, value: &Val) -> Result<TokenStream> {
        Ok(value.reference_expr())
    }

    /// An argument of a `reverse_<name>` function.
    pub(super) fn url_argument(
        &mut self,
        value: &Val,
        converter: ConverterType,
    ) -> Result<TokenStream> {
        let rt = quote!(::djinn_runtime::template);
        let reference = value.reference_expr();
        Ok(match converter {
            ConverterType::Int => quote!(#rt::render::int(#reference)),
            ConverterType::Uuid => quote!(*#reference),
            _ => quote!(&#rt::DjangoStr::django_str(#reference)),
        })
    }

    /// `firstof … as name`: the first true value converted to `ty`, else `rest`.
    pub(super) fn first_true(
        &mut self,
        value: &Val,
        ty: &Type,
        rest: &TokenStream,
    ) -> Result<TokenStream> {
        match &value.ty {
            Type::Optional(inner) | Type::Fallible(inner) => {
                self.first_true_of_option(value, inner, ty, rest)
            }
            _ => {
                let truth = self.truth(value)?;
                let converted = self.canon(value, ty)?;
                Ok(quote!(if #truth { #converted } else { #rest }))
            }
        }
    }

    /// `first_true` of a value that may be absent, as one `match` with a guard.
    fn first_true_of_option(
        &mut self,
        value: &Val,
        inner: &Type,
        ty: &Type,
        rest: &TokenStream,
    ) -> Result<TokenStream> {
        let x = self.fresh("x");
        let inner_value = value.inner(&x, inner.clone());
        let reference = value.reference_expr();
        if inner.may_be_absent() {
            let chosen = self.first_true(&inner_value, ty, rest)?;
            return Ok(quote! {
                match #reference {
                    ::core::option::Option::Some(#x) => #chosen,
                    ::core::option::Option::None => #rest,
                }
            });
        }
        let truth = self.truth(&inner_value)?;
        let converted = self.canon(&inner_value, ty)?;
        Ok(quote! {
            match #reference {
                ::core::option::Option::Some(#x) if #truth => #converted,
                _ => #rest,
            }
        })
    }
}

/// Roughly how complex clippy finds the canonical type of `ty` (its
/// `type_complexity` score: 10 per type, times its nesting depth).
pub(super) fn complexity(ty: &Type, depth: u32) -> u32 {
    let here = 10 * depth;
    match ty {
        Type::Str => here + 10 * (depth + 1),
        Type::SafeStr => here + 10 * (depth + 1) + 10 * (depth + 2),
        Type::Optional(inner) | Type::Fallible(inner) | Type::List(inner) => {
            here + complexity(inner, depth + 1)
        }
        Type::Either(a, b) => here + complexity(a, depth + 1) + complexity(b, depth + 1),
        Type::Tuple(items) => {
            items
                .iter()
                .map(|item| complexity(item, depth + 1))
                .sum::<u32>()
                + 1
        }
        Type::ForLoop(_) => here + 1,
        _ => here + 1,
    }
}

/// Whether the canonical type of `ty` borrows (has a lifetime).
pub(super) fn borrows(ty: &Type) -> bool {
    match ty {
        Type::Str
        | Type::SafeStr
        | Type::Decimal
        | Type::Json
        | Type::Dict(_)
        | Type::Object(_)
        | Type::ForLoop(_)
        | Type::QuerySet(_)
        | Type::Manager(_)
        | Type::Page(_)
        | Type::Paginator(_)
        | Type::User
        | Type::Perms
        | Type::AppPerms
        | Type::Message
        | Type::Messages => true,
        Type::Optional(inner) | Type::Fallible(inner) | Type::List(inner) => borrows(inner),
        Type::Either(a, b) => borrows(a) || borrows(b),
        Type::Tuple(items) => items.iter().any(borrows),
        _ => false,
    }
}

/// A local the generated code owns (a value bound by `let`), which can be
/// moved out.
fn is_local(value: &Val) -> bool {
    !value.by_ref
        && matches!(
            value.expr.clone().into_iter().collect::<Vec<_>>().as_slice(),
            [proc_macro2::TokenTree::Ident(ident)] if ident.to_string().starts_with("__djinn_v")
        )
}

/// `|x| code`, or the function itself when `code` only calls it on `x`
/// (clippy's `redundant_closure`).
pub(super) fn closure(x: &Ident, code: TokenStream) -> TokenStream {
    let tokens: Vec<proc_macro2::TokenTree> = code.clone().into_iter().collect();
    if let Some((proc_macro2::TokenTree::Group(args), path)) = tokens.split_last()
        && args.delimiter() == proc_macro2::Delimiter::Parenthesis
        && *x == args.stream().to_string()
        && !path.is_empty()
        && path.iter().all(|t| {
            matches!(
                t,
                proc_macro2::TokenTree::Ident(_) | proc_macro2::TokenTree::Punct(_)
            )
        })
    {
        return path.iter().cloned().collect();
    }
    quote!(|#x| #code)
}

/// Whether values of `from` are values of `to` (a conversion exists).
pub(super) fn fits(from: &Type, to: &Type) -> bool {
    if from == to {
        return true;
    }
    match (from, to) {
        (Type::Str | Type::SafeStr, Type::Str | Type::SafeStr) => true,
        (Type::Bool, Type::Int) => true,
        (Type::None, Type::Optional(_)) => true,
        (Type::Optional(a), Type::Optional(b)) | (Type::Fallible(a), Type::Fallible(b)) => {
            fits(a, b)
        }
        (_, Type::Optional(inner) | Type::Fallible(inner)) => fits(from, inner),
        (Type::Either(a, b), _) => fits(a, to) && fits(b, to),
        (_, Type::Either(a, b)) => fits(from, a) || fits(from, b),
        (Type::List(a), Type::List(b)) => fits(a, b),
        (Type::Tuple(a), Type::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| fits(x, y))
        }
        _ => false,
    }
}

/// Whether `from` is `to`, or `to` holds `from` without converting its text's safety.
fn fits_exactly(from: &Type, to: &Type) -> bool {
    from == to
        || match to {
            Type::Either(a, b) => fits_exactly(from, a) || fits_exactly(from, b),
            _ => false,
        }
}
