//! Expressions in generated code: literals, variables and their lookups
//! (`post.author.name`), then filters.
//!
//! Each `.name` resolves as the checker resolved it ([`lookup::attribute`]
//! gives the same [`Lookup`] and type): a dict key is a struct member, an
//! index a `get`, a date's `year` a method call. A lookup on a value that
//! may be absent (`Optional`, `Fallible`) or of one of two types
//! (`Either`) is generated per case, giving a failed lookup where Django's
//! would fail.

use super::values::{Val, dict_field, member};
use super::{Absent, Gen, Result, internal};
use crate::check::ir::{FieldType, ReverseKind};
use crate::template::ast::{FilterExpr, Name, Operand};
use crate::template::lookup;
use crate::template::types::{Lookup, Type};
use quote::quote;

impl<'e> Gen<'e> {
    /// A filter expression's value.
    pub(super) fn expr(&mut self, expr: &'e FilterExpr, absent: Absent) -> Result<Val> {
        let mut value = self.operand(&expr.base)?;
        for call in &expr.filters {
            value = self.filter(call, value, absent, expr.span)?;
        }
        Ok(value)
    }

    /// A literal or a variable with its lookups.
    pub(super) fn operand(&mut self, operand: &'e Operand) -> Result<Val> {
        match operand {
            Operand::Str { value, .. } => Ok(Val::literal_str(value)),
            Operand::Number { text, span } => {
                if text.contains('.') || text.contains('e') {
                    let number: f64 = text
                        .parse()
                        .map_err(|_| internal(*span, format!("`{text}` is not a number")))?;
                    let literal = proc_macro2::Literal::f64_suffixed(number);
                    Ok(Val::reference(quote!(&#literal), Type::Float))
                } else {
                    let number: i64 = text
                        .parse()
                        .map_err(|_| internal(*span, format!("`{text}` is not a number")))?;
                    let literal = proc_macro2::Literal::i64_suffixed(number);
                    Ok(Val::reference(quote!(&#literal), Type::Int))
                }
            }
            Operand::Variable { path, span } => self.variable(path, *span),
        }
    }

    fn variable(&mut self, path: &'e [Name], span: crate::source::Span) -> Result<Val> {
        let head = &path[0];
        let (mut value, rest) = if let Some(value) = self.lookup_name(&head.name) {
            (value.clone(), &path[1..])
        } else if head.name == "block" && self.block.is_some() {
            let Some(attr) = path.get(1) else {
                return Err(internal(span, "`block` alone".into()));
            };
            let value = match attr.name.as_str() {
                "name" => {
                    let name = self.block.clone().map(|(n, _)| n).unwrap_or_default();
                    Val::plain_str(&name)
                }
                "super" => {
                    let stmts = self.block_of(|g| {
                        if let Err(error) = g.block_super(attr.span) {
                            g.fail(*error);
                        }
                    });
                    let buffer = self.fresh("buf");
                    self.emit(quote! {
                        let mut #buffer = ::std::string::String::new();
                        {
                            let __djinn_out = &mut #buffer;
                            #(#stmts)*
                        }
                    });
                    self.bind(
                        quote!(::djinn_runtime::template::Safe(#buffer)),
                        Type::SafeStr,
                    )
                }
                other => return Err(internal(attr.span, format!("`block.{other}`"))),
            };
            (value, &path[2..])
        } else {
            let value = match head.name.as_str() {
                "True" => Val::reference(quote!(&true), Type::Bool),
                "False" => Val::reference(quote!(&false), Type::Bool),
                "None" => Val::reference(quote!(&()), Type::None),
                other => return Err(internal(head.span, format!("unknown variable `{other}`"))),
            };
            (value, &path[1..])
        };
        let mut written = head.name.clone();
        for part in rest {
            let attr = lookup::attribute(self.env.project, &value.ty, &written, part)?;
            value = self.step(&value, &attr.lookup, &attr.ty, part, &written)?;
            written = format!("{written}.{}", part.name);
        }
        Ok(value)
    }

    /// One `.name` on `base`, giving a value of type `ty` (the checker's).
    pub(super) fn step(
        &mut self,
        base: &Val,
        how: &Lookup,
        ty: &Type,
        name: &Name,
        written: &str,
    ) -> Result<Val> {
        let rt = quote!(::djinn_runtime::template);
        match &base.ty {
            Type::Optional(inner) | Type::Fallible(inner) => {
                let inner_attr = lookup::attribute(self.env.project, inner, written, name)?;
                let x = self.fresh("x");
                let inner_value = base.inner(&x, (**inner).clone());
                // `ty` is the attribute's type made fallible: map the value
                // when the attribute itself is always there.
                let Type::Fallible(slot) = ty else {
                    return Err(internal(
                        name.span,
                        "a lookup through `None` that cannot fail".into(),
                    ));
                };
                let mut mapped = false;
                let found = self.arm(|g| {
                    let found = g.step(
                        &inner_value,
                        &inner_attr.lookup,
                        &inner_attr.ty,
                        name,
                        written,
                    )?;
                    if found.ty.may_be_absent() {
                        g.canon(&found, ty)
                    } else {
                        mapped = true;
                        g.canon(&found, slot)
                    }
                })?;
                let place = base.place_expr();
                let code = if mapped {
                    quote!(#place.as_ref().map(|#x| #found))
                } else {
                    quote!(#place.as_ref().and_then(|#x| #found))
                };
                self.bind_canonical(code, ty.clone())
            }
            Type::Either(a, b) => {
                let mut arms = Vec::new();
                for side in [a, b] {
                    let x = self.fresh("x");
                    let side_value = base.inner(&x, (**side).clone());
                    let code = match lookup::attribute(self.env.project, side, written, name) {
                        Ok(attr) => self.arm(|g| {
                            let found =
                                g.step(&side_value, &attr.lookup, &attr.ty, name, written)?;
                            g.canon(&found, ty)
                        })?,
                        Err(_) => self.missing(ty)?,
                    };
                    arms.push((x, code));
                }
                let reference = base.reference_expr();
                let (left, left_code) = &arms[0];
                let (right, right_code) = &arms[1];
                self.bind_canonical(
                    quote! {
                        match #reference {
                            #rt::Either::Left(#left) => #left_code,
                            #rt::Either::Right(#right) => #right_code,
                        }
                    },
                    ty.clone(),
                )
            }
            _ => self.simple_step(base, how, ty, name),
        }
    }

    /// A lookup on a value that is there.
    fn simple_step(&mut self, base: &Val, how: &Lookup, ty: &Type, name: &Name) -> Result<Val> {
        let rt = quote!(::djinn_runtime::template);
        let place = base.place_expr();
        let reference = base.reference_expr();
        let unsupported = || {
            internal(
                name.span,
                format!("djinn cannot compile the lookup `.{}` yet", name.name),
            )
        };
        Ok(match (&base.ty, how) {
            (Type::Dict(_), Lookup::Key(key)) => {
                let field = dict_field(key);
                Val::place(quote!(#place.#field), ty.clone(), base.arm_local)
            }
            (Type::Dict(entries), Lookup::Attribute(method)) => {
                let Type::List(item) = ty else {
                    return Err(unsupported());
                };
                let values = match &**item {
                    Type::Tuple(parts) => parts.get(1).cloned().unwrap_or(Type::None),
                    other => other.clone(),
                };
                let mut pushes = Vec::new();
                let mut all_present = true;
                for (key, entry) in entries {
                    let field = dict_field(key);
                    let entry_value =
                        Val::place(quote!(#place.#field), entry.clone(), base.arm_local);
                    let key = quote!(::std::borrow::Cow::Borrowed(#key));
                    let item = match method.as_str() {
                        "keys" => key,
                        "values" => self.canon(&entry_value, &values)?,
                        _ => {
                            let converted = self.canon(&entry_value, &values)?;
                            quote!((#key, #converted))
                        }
                    };
                    let present =
                        matches!(entry, Type::Fallible(_)).then(|| quote!(#place.#field.is_some()));
                    all_present &= present.is_none();
                    pushes.push((present, item));
                }
                if all_present {
                    let items = pushes.into_iter().map(|(_, item)| item);
                    self.bind_canonical(quote!(::std::vec![#(#items),*]), ty.clone())?
                } else {
                    let local = self.fresh("v");
                    let rust = self.canonical_type_named(ty)?;
                    let pushes = pushes.into_iter().map(|(present, item)| match present {
                        Some(present) => quote!(if #present { #local.push(#item); }),
                        None => quote!(#local.push(#item);),
                    });
                    self.emit(quote! {
                        let mut #local: #rust = ::std::vec::Vec::new();
                        #(#pushes)*
                    });
                    Val::place(quote!(#local), ty.clone(), self.arm_depth > 0)
                }
            }
            (Type::List(_), Lookup::Index(0)) => self.bind(quote!(#place.first()), ty.clone()),
            (Type::List(_), Lookup::Index(i)) => self.bind(quote!(#place.get(#i)), ty.clone()),
            (Type::Str | Type::SafeStr, Lookup::Index(i)) => {
                self.bind(quote!(#rt::render::char_at(#reference, #i)), ty.clone())
            }
            (Type::Tuple(_), Lookup::Index(i)) => {
                let index = syn::Index::from(*i);
                Val::place(quote!(#place.#index), ty.clone(), base.arm_local)
            }
            (Type::Json, Lookup::Index(i)) => {
                self.bind(quote!(#rt::render::json_index(#reference, #i)), ty.clone())
            }
            (Type::Json, Lookup::Key(key)) => {
                self.bind(quote!(#rt::render::json_key(#reference, #key)), ty.clone())
            }
            (Type::ForLoop(_), Lookup::Attribute(attr)) => match attr.as_str() {
                "counter" | "counter0" | "revcounter" | "revcounter0" | "first" | "last" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(quote!(#place.#method()), ty.clone())
                }
                "parentloop" => {
                    let local = self.fresh("v");
                    self.emit(quote!(let #local = #place.parentloop();));
                    Val::reference(quote!(#local), ty.clone())
                }
                _ => return Err(unsupported()),
            },
            (Type::Date | Type::DateTime, Lookup::Attribute(attr)) => {
                let code = match attr.as_str() {
                    "year" | "month" | "day" | "hour" | "minute" | "second" => {
                        let method = quote::format_ident!("{}", attr);
                        quote!(i64::from(#place.#method()))
                    }
                    "weekday" => quote!(i64::from(#place.weekday().to_monday_zero_offset())),
                    "isoweekday" => quote!(i64::from(#place.weekday().to_monday_one_offset())),
                    "microsecond" => quote!(i64::from(#place.subsec_nanosecond() / 1000)),
                    "isoformat" => quote!(#rt::render::isoformat(#reference)),
                    "date" => quote!(#place.date()),
                    _ => return Err(unsupported()),
                };
                self.bind(code, ty.clone())
            }
            (Type::Object(_), _) => return self.object_step(base, how, ty, name),
            (Type::QuerySet(_) | Type::Manager(_), Lookup::Attribute(attr)) => {
                match attr.as_str() {
                    "all" => Val::place(place, ty.clone(), base.arm_local),
                    "count" => self.bind(quote!(#place.len()), ty.clone()),
                    "exists" => self.bind(quote!(!#place.is_empty()), ty.clone()),
                    "first" => self.bind(quote!(#place.first()), ty.clone()),
                    "last" => self.bind(quote!(#place.last()), ty.clone()),
                    _ => return Err(unsupported()),
                }
            }
            (Type::QuerySet(_), Lookup::Index(i)) => self.bind(quote!(#place.get(#i)), ty.clone()),
            (Type::Page(_), Lookup::Index(i)) => {
                self.bind(quote!(#place.object_list.get(#i)), ty.clone())
            }
            (Type::Page(_), Lookup::Attribute(attr)) => match attr.as_str() {
                "number" | "has_next" | "has_previous" | "has_other_pages" | "start_index"
                | "end_index" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(quote!(#place.#method()), ty.clone())
                }
                "next_page_number" | "previous_page_number" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(quote!(#place.#method()?), ty.clone())
                }
                "object_list" => Val::place(quote!(#place.object_list), ty.clone(), base.arm_local),
                "paginator" => {
                    let local = self.fresh("v");
                    self.emit(quote!(let #local = #place.paginator();));
                    Val::reference(quote!(#local), ty.clone())
                }
                _ => return Err(unsupported()),
            },
            (Type::Paginator(_), Lookup::Attribute(attr)) => match attr.as_str() {
                "count" | "num_pages" | "per_page" => {
                    let field = quote::format_ident!("{}", attr);
                    Val::place(quote!(#place.#field), ty.clone(), base.arm_local)
                }
                "page_range" => self.bind(quote!(#rt::context::page_range(#reference)), ty.clone()),
                _ => return Err(unsupported()),
            },
            (Type::User, Lookup::Attribute(attr)) => match attr.as_str() {
                "is_authenticated" | "is_anonymous" | "get_full_name" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(quote!(#place.#method()), ty.clone())
                }
                "is_staff" | "is_superuser" | "is_active" | "username" | "id" | "email"
                | "first_name" | "last_name" => {
                    let field = quote::format_ident!("{}", attr);
                    Val::place(quote!(#place.#field), ty.clone(), base.arm_local)
                }
                "get_username" => Val::place(quote!(#place.username), ty.clone(), base.arm_local),
                "pk" => Val::place(quote!(#place.id), ty.clone(), base.arm_local),
                "get_short_name" => {
                    Val::place(quote!(#place.first_name), ty.clone(), base.arm_local)
                }
                _ => return Err(unsupported()),
            },
            // `perms.<app>`: the same permissions, read for the project's app.
            (Type::Perms, Lookup::Attribute(_)) => Val::place(place, ty.clone(), base.arm_local),
            (Type::AppPerms, Lookup::Attribute(codename)) => {
                let app = &self.env.project.app_label;
                self.bind(quote!(#place.has(#app, #codename)), ty.clone())
            }
            (Type::Message, Lookup::Attribute(attr)) => match attr.as_str() {
                "message" | "level" | "extra_tags" => {
                    let field = quote::format_ident!("{}", attr);
                    Val::place(quote!(#place.#field), ty.clone(), base.arm_local)
                }
                "tags" | "level_tag" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(quote!(#place.#method()), ty.clone())
                }
                _ => return Err(unsupported()),
            },
            // Forms: `form.title`, `form.non_field_errors`, `field.label_tag`…
            // (`djinn_runtime::forms`).
            (Type::Form(_) | Type::ErrorDict(_), Lookup::FormField(field)) => {
                let name = &self.env.project.field(*field).name;
                match &base.ty {
                    Type::Form(_) => self.bind(
                        quote!(::djinn_runtime::template::globals::form_field(#reference, #name)?),
                        ty.clone(),
                    ),
                    _ => self.bind(quote!(#place.get(#name)), ty.clone()),
                }
            }
            (Type::Form(_), Lookup::Attribute(attr)) => match attr.as_str() {
                "errors" | "non_field_errors" | "is_bound" | "visible_fields" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(quote!(#place.#method()), ty.clone())
                }
                "hidden_fields" => self.bind(
                    quote!(::std::vec::Vec::<::djinn_runtime::forms::BoundField<'_>>::new()),
                    ty.clone(),
                ),
                "as_div" | "as_p" | "as_table" | "as_ul" => {
                    let method = quote::format_ident!("render_{}", &attr[3..]);
                    self.bind(
                        quote!({
                            let mut html = ::std::string::String::new();
                            #place.#method(&mut html);
                            html
                        }),
                        ty.clone(),
                    )
                }
                "media" => self.bind(quote!(""), ty.clone()),
                _ => return Err(unsupported()),
            },
            (Type::BoundField(..), Lookup::Attribute(attr)) => match attr.as_str() {
                "label" | "name" | "html_name" | "id_for_label" | "auto_id" | "help_text"
                | "widget_type" | "css_classes" | "errors" | "is_hidden" | "use_fieldset"
                | "form" | "field" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(quote!(#place.#method()), ty.clone())
                }
                "label_tag" | "legend_tag" | "as_hidden" | "as_widget" => {
                    let method = quote::format_ident!("{}", attr);
                    self.bind(
                        quote!({
                            let mut html = ::std::string::String::new();
                            #place.#method(&mut html);
                            html
                        }),
                        ty.clone(),
                    )
                }
                _ => return Err(unsupported()),
            },
            (Type::ErrorList | Type::ErrorDict(_), Lookup::Attribute(attr)) => {
                match attr.as_str() {
                    "as_text" | "as_ul" | "as_json" => {
                        let method = quote::format_ident!("{}", attr);
                        self.bind(
                            quote!({
                                let mut html = ::std::string::String::new();
                                #place.#method(&mut html);
                                html
                            }),
                            ty.clone(),
                        )
                    }
                    _ => return Err(unsupported()),
                }
            }
            (Type::Uuid, Lookup::Attribute(attr)) if attr == "hex" => {
                self.bind(quote!(#rt::context::uuid_hex(#reference)), ty.clone())
            }
            _ => return Err(unsupported()),
        })
    }

    /// A lookup on a model object: a field, a relation the view loaded, a
    /// choice's label, the primary key.
    fn object_step(&mut self, base: &Val, how: &Lookup, ty: &Type, name: &Name) -> Result<Val> {
        let rt = quote!(::djinn_runtime::template);
        let place = base.place_expr();
        let project = self.env.project;
        let at = |field: &crate::check::ir::Field| member(&field.name);
        let column = |field: &crate::check::ir::Field| {
            member(field.column.as_deref().unwrap_or(&field.name))
        };
        let local = base.arm_local;
        Ok(match how {
            Lookup::Field(id) => {
                let field = project.field(*id);
                let name = at(field);
                match &field.ty {
                    FieldType::ForeignKey(_) | FieldType::OneToOne(_) => {
                        let related = quote!(#place.#name.as_deref());
                        if ty.may_be_absent() {
                            self.bind(related, ty.clone())
                        } else {
                            let local = self.fresh("v");
                            self.emit(quote!(let #local = #rt::context::loaded(#related)?;));
                            Val::reference(quote!(#local), ty.clone())
                        }
                    }
                    _ => Val::place(quote!(#place.#name), ty.clone(), local),
                }
            }
            Lookup::RelationId(id) => {
                let column = column(project.field(*id));
                Val::place(quote!(#place.#column), ty.clone(), local)
            }
            Lookup::Pk => {
                let model = project.model(match &base.ty {
                    Type::Object(model) => *model,
                    _ => return Err(internal(name.span, "`pk` of something else".into())),
                });
                let pk = model.pk();
                let key = match &pk.ty {
                    FieldType::ForeignKey(_) | FieldType::OneToOne(_) => column(pk),
                    _ => at(pk),
                };
                Val::place(quote!(#place.#key), ty.clone(), local)
            }
            Lookup::ChoiceDisplay(id) => {
                let field = project.field(*id);
                let FieldType::Choice { choices, .. } = &field.ty else {
                    return Err(internal(name.span, "not a choice field".into()));
                };
                let value = at(field);
                let keys = choices.iter().map(|c| c.key.as_str());
                let labels = choices.iter().map(|c| c.label.as_str());
                let text = if field.null {
                    quote!(#place.#value.as_deref().unwrap_or("None"))
                } else {
                    quote!(#place.#value.as_str())
                };
                self.bind(
                    quote! {
                        match #text {
                            #(#keys => #labels,)*
                            other => other,
                        }
                    },
                    ty.clone(),
                )
            }
            Lookup::Reverse(id) => {
                let reverse = project.reverse(*id);
                let name = member(&reverse.name);
                match reverse.kind {
                    ReverseKind::Many => Val::place(quote!(#place.#name), ty.clone(), local),
                    ReverseKind::One => self.bind(quote!(#place.#name.as_deref()), ty.clone()),
                }
            }
            _ => {
                return Err(internal(
                    name.span,
                    format!("djinn cannot compile the lookup `.{}` yet", name.name),
                ));
            }
        })
    }
}
