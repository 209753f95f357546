//! Filters in generated code: `value|name:arg` → a call of the runtime's
//! filter function.
//!
//! The result's type is the checker's ([`filters::apply`]). A value that may
//! be absent or of one of two types is filtered per case, as Django filters
//! the value it has: an absent `Optional` is `None` (`upper` gives `NONE`),
//! a failed lookup is `""` where printed (Django's `string_if_invalid`) and
//! `None` in `{% if %}`. `default`, `default_if_none` and `yesno` look at
//! absence themselves.

use super::values::{Val, text_ref};
use super::{Absent, Gen, Result, internal};
use crate::source::Span;
use crate::template::ast::{FilterCall, Operand};
use crate::template::filters::{self, FilterArg, Literal};
use crate::template::types::Type;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Filters that take Python's `str()` of their value (`@stringfilter`).
const STRING_FILTERS: &[&str] = &[
    "addslashes",
    "capfirst",
    "center",
    "cut",
    "escapejs",
    "force_escape",
    "linebreaks",
    "linebreaksbr",
    "linenumbers",
    "ljust",
    "lower",
    "make_list",
    "rjust",
    "safe",
    "slugify",
    "striptags",
    "title",
    "truncatechars",
    "truncatechars_html",
    "truncatewords",
    "truncatewords_html",
    "upper",
    "urlencode",
    "urlize",
    "urlizetrunc",
    "wordcount",
    "wordwrap",
];

/// A filter's result for an absent value.
enum Absence {
    /// The value Django's filter gives.
    Value(Val),
    /// The `return Err(…)` of a filter that raises.
    Fails(TokenStream),
}

/// A filter's argument: its value and, when written as a literal, its text.
struct Arg {
    value: Val,
    literal: Option<String>,
}

impl Arg {
    fn reference(&self) -> TokenStream {
        self.value.reference_expr()
    }

    /// The argument's text as a `&str` expression (valid for the statement).
    fn text(&self) -> TokenStream {
        match &self.literal {
            Some(text) => quote!(#text),
            None => {
                let text = text_ref(&self.value);
                quote!(&#text)
            }
        }
    }
}

impl<'e> Gen<'e> {
    /// `input|name:arg`.
    pub(super) fn filter(
        &mut self,
        call: &'e FilterCall,
        input: Val,
        absent: Absent,
        span: Span,
    ) -> Result<Val> {
        let name = call.name.name.as_str();
        let arg = match &call.arg {
            Some(operand) => {
                let value = self.operand(operand)?;
                let literal = match operand {
                    Operand::Str { value, .. } => Some(value.clone()),
                    Operand::Number { text, .. } => Some(text.clone()),
                    Operand::Variable { .. } => None,
                };
                Some(Arg { value, literal })
            }
            None => None,
        };
        let filter_arg = arg
            .as_ref()
            .zip(call.arg.as_ref())
            .map(|(arg, operand)| FilterArg {
                ty: arg.value.ty.clone(),
                literal: match operand {
                    Operand::Str { value, .. } => Some(Literal::Str(value.clone())),
                    Operand::Number { text, .. } => Some(Literal::Number(text.clone())),
                    Operand::Variable { .. } => None,
                },
            });
        let target = filters::apply(name, &input.ty, filter_arg.as_ref()).map_err(|problem| {
            internal(
                call.span,
                format!("the `{name}` filter does not apply here: {problem:?}"),
            )
        })?;
        match name {
            "default" => {
                let arg =
                    arg.ok_or_else(|| internal(span, "`default` needs an argument".into()))?;
                self.default(&input, &arg.value, &target)
            }
            "default_if_none" => {
                let arg = arg
                    .ok_or_else(|| internal(span, "`default_if_none` needs an argument".into()))?;
                self.default_if_none(&input, &arg.value, &target, absent)
            }
            "yesno" => self.yesno(&input, arg.as_ref(), absent),
            _ => self.distribute(
                name,
                &input,
                arg.as_ref(),
                filter_arg.as_ref(),
                &target,
                absent,
                span,
            ),
        }
    }

    /// Applies the filter per case of a value that may be absent or of two
    /// types, converting each result to `target`.
    #[allow(clippy::too_many_arguments)]
    fn distribute(
        &mut self,
        name: &str,
        input: &Val,
        arg: Option<&Arg>,
        filter_arg: Option<&FilterArg>,
        target: &Type,
        absent: Absent,
        span: Span,
    ) -> Result<Val> {
        let rt = quote!(::djinn_runtime::template);
        let reference = input.reference_expr();
        match &input.ty {
            Type::Optional(inner) | Type::Fallible(inner) => {
                let failed_lookup =
                    matches!(input.ty, Type::Fallible(_)) && absent == Absent::Empty;
                let x = self.fresh("x");
                let inner_value = input.inner(&x, (**inner).clone());
                let some_code = self.arm(|g| {
                    let result =
                        g.distribute(name, &inner_value, arg, filter_arg, target, absent, span)?;
                    g.canon(&result, target)
                })?;
                let none_code = self.arm(|g| {
                    match g.absent_input(name, arg, filter_arg, failed_lookup, span)? {
                        Absence::Value(result) => g.canon(&result, target),
                        Absence::Fails(error) => Ok(error),
                    }
                })?;
                self.bind_canonical(
                    quote! {
                        match #reference {
                            ::core::option::Option::Some(#x) => #some_code,
                            ::core::option::Option::None => #none_code,
                        }
                    },
                    target.clone(),
                )
            }
            Type::Either(a, b) => {
                let left = self.fresh("l");
                let right = self.fresh("r");
                let left_value = input.inner(&left, (**a).clone());
                let right_value = input.inner(&right, (**b).clone());
                let left_code = self.arm(|g| {
                    let result =
                        g.distribute(name, &left_value, arg, filter_arg, target, absent, span)?;
                    g.canon(&result, target)
                })?;
                let right_code = self.arm(|g| {
                    let result =
                        g.distribute(name, &right_value, arg, filter_arg, target, absent, span)?;
                    g.canon(&result, target)
                })?;
                self.bind_canonical(
                    quote! {
                        match #reference {
                            #rt::Either::Left(#left) => #left_code,
                            #rt::Either::Right(#right) => #right_code,
                        }
                    },
                    target.clone(),
                )
            }
            Type::None => match self.absent_input(name, arg, filter_arg, false, span)? {
                Absence::Value(result) => Ok(result),
                Absence::Fails(_) => Err(internal(span, format!("`{name}` of `None` fails"))),
            },
            _ => self.simple(name, input, arg, filter_arg, span),
        }
    }

    /// The filter applied to Python's `None` or, for a failed lookup, to `""`.
    fn absent_input(
        &mut self,
        name: &str,
        arg: Option<&Arg>,
        filter_arg: Option<&FilterArg>,
        failed_lookup: bool,
        span: Span,
    ) -> Result<Absence> {
        let rt = quote!(::djinn_runtime::template);
        let text = if failed_lookup { "" } else { "None" };
        if STRING_FILTERS.contains(&name) {
            return self
                .simple(name, &Val::plain_str(text), arg, filter_arg, span)
                .map(Absence::Value);
        }
        let none = Val::reference(quote!(&()), Type::None);
        let fail = |_: &mut Self, exception: &str, message: &str| {
            Ok(Absence::Fails(quote! {
                return ::core::result::Result::Err(#rt::FilterError::new(#exception, #message))
            }))
        };
        let value = |v: Val| Ok(Absence::Value(v));
        match name {
            "date" | "time" | "add" | "pluralize" | "dictsort" | "dictsortreversed" => {
                value(Val::plain_str(""))
            }
            "length" => value(Val::reference(quote!(&0_i64), Type::Int)),
            "floatformat" => value(Val::literal_str("")),
            "filesizeformat" => value(Val::plain_str("0\u{a0}bytes")),
            "join" if !failed_lookup => value(Val::plain_str("None")),
            "escape" | "stringformat" | "json_script" if !failed_lookup => self
                .simple(name, &none, arg, filter_arg, span)
                .map(Absence::Value),
            "join" | "first" | "last" | "slice" if failed_lookup => value(Val::plain_str("")),
            "slice" => value(none.clone()),
            "escape" | "stringformat" | "json_script" => self
                .simple(name, &Val::plain_str(""), arg, filter_arg, span)
                .map(Absence::Value),
            "first" | "last" => fail(self, "TypeError", "'NoneType' object is not subscriptable"),
            "divisibleby" => fail(
                self,
                if failed_lookup {
                    "ValueError"
                } else {
                    "TypeError"
                },
                "int() argument must be a string or a number",
            ),
            "safeseq" | "unordered_list" => {
                fail(self, "TypeError", "'NoneType' object is not iterable")
            }
            _ => Err(internal(
                span,
                format!("the `{name}` filter of a missing value"),
            )),
        }
    }

    /// The filter on a value of a plain type: the runtime call, its result
    /// bound to a local.
    fn simple(
        &mut self,
        name: &str,
        input: &Val,
        arg: Option<&Arg>,
        filter_arg: Option<&FilterArg>,
        span: Span,
    ) -> Result<Val> {
        let rt = quote!(::djinn_runtime::template);
        let f = quote!(#rt::filters);
        let reference = input.reference_expr();
        let place = input.place_expr();
        let natural = filters::apply(name, &input.ty, filter_arg)
            .map_err(|problem| internal(span, format!("`{name}`: {problem:?}")))?;
        let safe = input.ty.is_safe();
        let autoescape = self.autoescape;
        let needs_arg = || internal(span, format!("the `{name}` filter needs an argument"));
        let text = text_ref(input);
        // A list-like value as a slice expression, and its items' type.
        let items: Option<(TokenStream, Type)> = match &input.ty {
            Type::List(item) => Some((quote!(&#place[..]), (**item).clone())),
            Type::QuerySet(model) => Some((quote!(&#place[..]), Type::Object(*model))),
            Type::Page(model) => Some((quote!(#place.object_list), Type::Object(*model))),
            Type::Messages => Some((quote!(&#place[..]), Type::Message)),
            _ => None,
        };
        let slice = items.as_ref().map(|(slice, _)| slice.clone());
        // What `.iter()` is called on for the items.
        let iterable = match &input.ty {
            Type::Page(_) => quote!(#place.object_list),
            _ => place.clone(),
        };
        // A result kept safe when the input was (Django's `is_safe`).
        let keep = |code: TokenStream, natural: &Type| {
            if *natural == Type::SafeStr {
                quote!(#rt::Safe(#code))
            } else {
                code
            }
        };
        let code = match name {
            "addslashes" | "lower" | "slugify" | "title" | "upper" => {
                let function = format_ident!("{}", name);
                keep(quote!(#f::text::#function(&#text)), &natural)
            }
            "make_list" | "wordcount" => {
                let function = format_ident!("{}", name);
                quote!(#f::text::#function(&#text))
            }
            "force_escape" | "escapejs" => {
                let function = format_ident!("{}", name);
                quote!(#f::html::#function(&#text))
            }
            "capfirst" => {
                let local = self.bind(text.clone(), Type::None);
                let local = local.expr;
                keep(quote!(#f::text::capfirst(&#local)), &natural)
            }
            "striptags" => keep(quote!(#f::html::striptags(&#text)?), &natural),
            "center" | "ljust" | "rjust" | "wordwrap" => {
                let function = format_ident!("{}", name);
                let arg = arg.ok_or_else(needs_arg)?.reference();
                keep(quote!(#f::text::#function(&#text, #arg)?), &natural)
            }
            "truncatechars" | "truncatewords" | "truncatechars_html" | "truncatewords_html" => {
                let function = format_ident!("{}", name);
                let arg = arg.ok_or_else(needs_arg)?.reference();
                let local = self.bind(text.clone(), Type::None).expr;
                let question = name.ends_with("_html").then(|| quote!(?));
                keep(
                    quote!(#f::truncate::#function(&#local, #arg) #question),
                    &natural,
                )
            }
            "cut" => {
                let arg = arg.ok_or_else(needs_arg)?;
                let cut_text = arg.text();
                match &natural {
                    Type::Either(..) => {
                        let separator = self.bind(quote!(#cut_text.to_string()), Type::None).expr;
                        quote! {{
                            let __djinn_cut = #f::text::cut(&#text, &#separator);
                            if #separator == ";" {
                                #rt::Either::Right(__djinn_cut)
                            } else {
                                #rt::Either::Left(#rt::Safe(__djinn_cut))
                            }
                        }}
                    }
                    _ => keep(quote!(#f::text::cut(&#text, #cut_text)), &natural),
                }
            }
            "escape" => quote!(#f::html::escape(#reference)),
            "safe" => quote!(#rt::Safe(#text)),
            "linebreaks" | "linebreaksbr" | "linenumbers" => {
                let function = format_ident!("{}", name);
                let escape = autoescape && !safe;
                quote!(#f::html::#function(&#text, #escape))
            }
            "urlize" => {
                let escape = autoescape && !safe;
                quote!(#f::urlize::urlize(&#text, #escape))
            }
            "urlizetrunc" => {
                let escape = autoescape && !safe;
                let arg = arg.ok_or_else(needs_arg)?.reference();
                quote!(#f::urlize::urlizetrunc(&#text, #rt::render::py_usize(#arg)?, #escape))
            }
            "urlencode" => {
                let safe_chars = match arg {
                    Some(arg) => {
                        let text = arg.text();
                        quote!(::core::option::Option::Some(#text))
                    }
                    None => quote!(::core::option::Option::None),
                };
                quote!(#f::urls::urlencode(&#text, #safe_chars))
            }
            "date" | "time" => {
                let function = format_ident!("{}", name);
                let format = match arg {
                    Some(arg) => {
                        let text = arg.text();
                        quote!(::core::option::Option::Some(#text))
                    }
                    None => quote!(::core::option::Option::None),
                };
                let question = (name == "date").then(|| quote!(?));
                quote!(#f::dates::#function(#reference, #format) #question)
            }
            "divisibleby" => {
                let arg = arg.ok_or_else(needs_arg)?.reference();
                quote!(#f::numbers::divisibleby(#reference, #arg)?)
            }
            "filesizeformat" => quote!(#f::numbers::filesizeformat(#reference)),
            "floatformat" => {
                let format = match arg {
                    Some(arg) => {
                        let text = arg.text();
                        quote!(::core::option::Option::Some(#text))
                    }
                    None => quote!(::core::option::Option::None),
                };
                quote!(#f::floatformat::floatformat(#reference, #format))
            }
            "first" | "last" => match &input.ty {
                _ if items.is_some() => {
                    let (slice, item) = items.clone().expect("checked");
                    let function = format_ident!("{}", name);
                    let value = self.bind(quote!(#f::lists::#function(#slice)), Type::None);
                    let natural = Type::Either(Box::new(item), Box::new(Type::Str));
                    return Ok(Val {
                        ty: natural,
                        ..value
                    });
                }
                Type::Str | Type::SafeStr => {
                    let function = format_ident!("{}_char", name);
                    let local = self.bind(text.clone(), Type::None).expr;
                    keep(quote!(#f::lists::#function(&#local)), &natural)
                }
                other => {
                    return Err(internal(
                        span,
                        format!("`{name}` of `{}`", other.describe(self.env.project)),
                    ));
                }
            },
            "join" => {
                let arg = arg.ok_or_else(needs_arg)?.reference();
                match &input.ty {
                    Type::Str | Type::SafeStr => quote! {
                        #rt::render::joined(#f::lists::join(&#f::text::make_list(&#text), #arg, #autoescape))
                    },
                    _ => quote!(#rt::render::joined(#f::lists::join(#slice, #arg, #autoescape))),
                }
            }
            "json_script" => {
                let id = match arg {
                    Some(arg) => {
                        let arg = arg.reference();
                        quote!(::core::option::Option::Some(#arg))
                    }
                    None => quote!(::core::option::Option::<&str>::None),
                };
                quote!(#f::html::json_script(&#rt::render::ToJson::to_json(#reference), #id)?)
            }
            "length" => match &input.ty {
                Type::Str | Type::SafeStr => quote!(#f::lists::length_str(&#text)),
                Type::Dict(entries) => {
                    let len = entries.len() as i64;
                    quote!(#len)
                }
                Type::Tuple(items) => {
                    let len = items.len() as i64;
                    quote!(#len)
                }
                Type::Json => quote!(#rt::render::json_len(#reference)),
                _ => quote!(#place.len()),
            },
            "pluralize" => {
                let suffix = match arg {
                    Some(arg) if arg.literal.is_some() => {
                        let text = arg.text();
                        quote!(::core::option::Option::Some(#text))
                    }
                    Some(arg) => {
                        let text = arg.text();
                        let local = self.bind(quote!(#text.to_string()), Type::None).expr;
                        quote!(::core::option::Option::Some(#local.as_str()))
                    }
                    None => quote!(::core::option::Option::None),
                };
                quote!(#f::logic::pluralize(#reference, #suffix))
            }
            "safeseq" => quote!(#f::html::safeseq(#slice)),
            "slice" => {
                let arg = arg.ok_or_else(needs_arg)?.text();
                match &input.ty {
                    Type::Str | Type::SafeStr => {
                        keep(quote!(#f::lists::slice_str(&#text, #arg)), &natural)
                    }
                    _ => quote! {
                        #f::lists::slice(&#iterable.iter().collect::<::std::vec::Vec<_>>(), #arg)
                    },
                }
            }
            "stringformat" => {
                let arg = arg.ok_or_else(needs_arg)?.text();
                keep(
                    quote!(#f::stringformat::stringformat(#reference, #arg)),
                    &natural,
                )
            }
            "unordered_list" => quote! {
                #f::lists::unordered_list(&#rt::render::nested_list(#slice), #autoescape)
            },
            "dictsort" | "dictsortreversed" => {
                let Some(arg) = arg else {
                    return Err(needs_arg());
                };
                let Some(key) = arg.literal.clone() else {
                    return Err(internal(span, "`dictsort` needs a constant key".into()));
                };
                let Some((_, item)) = items.clone() else {
                    return Err(internal(
                        span,
                        "`dictsort` of something else than a list".into(),
                    ));
                };
                let x = self.fresh("x");
                let item_value = Val::reference(quote!(#x), item);
                let (stmts, key_code) = self.scoped(|g| {
                    let mut value = item_value.clone();
                    let mut written = "item".to_string();
                    for part in key.split('.') {
                        let name = crate::template::ast::Name {
                            name: part.to_string(),
                            span,
                        };
                        let attr = crate::template::lookup::attribute(
                            g.env.project,
                            &value.ty,
                            &written,
                            &name,
                        )?;
                        value = g.step(&value, &attr.lookup, &attr.ty, &name, &written)?;
                        written = format!("{written}.{part}");
                    }
                    g.py(&value)
                })?;
                let function = format_ident!("{}", name);
                quote! {
                    #f::lists::#function(
                        &#iterable.iter().collect::<::std::vec::Vec<_>>(),
                        |#x| {
                            #(#stmts)*
                            #rt::render::PyKey(#key_code.into_owned())
                        },
                    )
                }
            }
            "add" => match (&input.ty, &natural) {
                (_, Type::List(_)) => {
                    let arg = arg.ok_or_else(needs_arg)?;
                    if arg.value.ty != input.ty {
                        return Err(internal(span, "`add` of lists of different types".into()));
                    }
                    let other = arg.value.place_expr();
                    quote! {
                        #f::numbers::add_lists(
                            &#place.iter().collect::<::std::vec::Vec<_>>(),
                            &#other.iter().collect::<::std::vec::Vec<_>>(),
                        )
                    }
                }
                (_, Type::Int) => {
                    let arg = arg.ok_or_else(needs_arg)?.reference();
                    quote!(#rt::render::sum(#f::numbers::add(#reference, #arg)))
                }
                _ => {
                    let arg = arg.ok_or_else(needs_arg)?.reference();
                    quote!(#rt::render::add_either(#f::numbers::add(#reference, #arg)))
                }
            },
            other => return Err(internal(span, format!("the `{other}` filter"))),
        };
        Ok(self.bind(code, natural))
    }

    /// `default`: the value when true, else the argument.
    fn default(&mut self, input: &Val, arg: &Val, target: &Type) -> Result<Val> {
        if input.ty == Type::None {
            let code = self.canon(arg, target)?;
            return self.bind_canonical(code, target.clone());
        }
        let rest = self.canon(arg, target)?;
        let code = self.first_true(input, target, &rest)?;
        self.bind_canonical(code, target.clone())
    }

    /// `default_if_none`: the argument when the value is `None`.
    fn default_if_none(
        &mut self,
        input: &Val,
        arg: &Val,
        target: &Type,
        absent: Absent,
    ) -> Result<Val> {
        let reference = input.reference_expr();
        match &input.ty {
            Type::None => {
                let code = self.canon(arg, target)?;
                self.bind_canonical(code, target.clone())
            }
            Type::Optional(inner) => {
                let x = self.fresh("x");
                let some_code = self.canon(&input.inner(&x, (**inner).clone()), target)?;
                let none_code = self.canon(arg, target)?;
                self.bind_canonical(
                    quote! {
                        match #reference {
                            ::core::option::Option::Some(#x) => #some_code,
                            ::core::option::Option::None => #none_code,
                        }
                    },
                    target.clone(),
                )
            }
            Type::Fallible(outer) if matches!(**outer, Type::Optional(_)) => {
                let Type::Optional(inner) = &**outer else {
                    unreachable!("matched above");
                };
                let x = self.fresh("x");
                let some_code = self.canon(&input.inner(&x, (**inner).clone()), target)?;
                let none_code = self.canon(arg, target)?;
                let missing = match absent {
                    Absent::Empty => self.missing(target)?,
                    Absent::None => none_code.clone(),
                };
                self.bind_canonical(
                    quote! {
                        match #reference {
                            ::core::option::Option::Some(::core::option::Option::Some(#x)) => #some_code,
                            ::core::option::Option::Some(::core::option::Option::None) => #none_code,
                            ::core::option::Option::None => #missing,
                        }
                    },
                    target.clone(),
                )
            }
            _ => Ok(input.clone()),
        }
    }

    /// `yesno`'s view of a value: `None` for Python's `None`, else its
    /// truth (a failed lookup is `""` where printed, `None` in `{% if %}`).
    fn yesno_value(&mut self, input: &Val, absent: Absent) -> Result<TokenStream> {
        Ok(match &input.ty {
            Type::None => quote!(::core::option::Option::None),
            Type::Optional(inner) | Type::Fallible(inner) => {
                let x = self.fresh("x");
                let inner_value = input.inner(&x, (**inner).clone());
                let inner_code = self.yesno_value(&inner_value, absent)?;
                let failed_lookup =
                    matches!(input.ty, Type::Fallible(_)) && absent == Absent::Empty;
                let missing = if failed_lookup {
                    quote!(::core::option::Option::Some(false))
                } else {
                    quote!(::core::option::Option::None)
                };
                let reference = input.reference_expr();
                if !failed_lookup && !inner.may_be_absent() && **inner != Type::None {
                    let truth = self.truth(&inner_value)?;
                    let place = input.place_expr();
                    let generic = quote!(::djinn_runtime::template::Truthy::is_truthy(#x));
                    return Ok(if truth.to_string() == generic.to_string() {
                        quote!(#place.as_ref().map(::djinn_runtime::template::Truthy::is_truthy))
                    } else {
                        quote!(#place.as_ref().map(|#x| #truth))
                    });
                }
                quote! {
                    match #reference {
                        ::core::option::Option::Some(#x) => #inner_code,
                        ::core::option::Option::None => #missing,
                    }
                }
            }
            _ => {
                let truth = self.truth(input)?;
                quote!(::core::option::Option::Some(#truth))
            }
        })
    }

    /// `yesno`: the choice for the value's truth, or for `None`.
    fn yesno(&mut self, input: &Val, arg: Option<&Arg>, absent: Absent) -> Result<Val> {
        let value = self.yesno_value(input, absent)?;
        let choices = match arg {
            Some(arg) => {
                let text = arg.text();
                if arg.literal.is_some() {
                    quote!(::core::option::Option::Some(#text))
                } else {
                    let local = self.bind(quote!(#text.to_string()), Type::None).expr;
                    quote!(::core::option::Option::Some(#local.as_str()))
                }
            }
            None => quote!(::core::option::Option::None),
        };
        Ok(self.bind(
            quote!(::djinn_runtime::template::filters::logic::yesno(#value, #choices).unwrap_or_default()),
            Type::Str,
        ))
    }
}
