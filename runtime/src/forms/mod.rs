//! Forms: parsing submitted data, validating it field by field like Django's ModelForm, and rendering fields and errors as Django does.
//!
//! Input: a static [`FormSpec`] the compiler derives from a view's model
//! fields, initial values (defaults or a row), run-time choices for
//! relations, and a request's form data ([`FormData`]) or JSON body.
//! Output: [`Cleaned`] values to store, or Django's exact English error
//! messages; and, for templates, the form and its fields as Django 6.1's
//! default renderer writes them (`{{ form }}`, `{{ field }}`,
//! `{{ field.errors }}`, …), byte for byte.
//!
//! A view's flow:
//!
//! ```
//! use djinn_runtime::db::Value;
//! use djinn_runtime::forms::{FieldKind, FieldSpec, Form, FormData, FormSpec};
//!
//! static POST_FORM: FormSpec = FormSpec {
//!     model_verbose_name: "blog post",
//!     fields: &[FieldSpec {
//!         name: "title",
//!         label: "Title",
//!         help_text: "",
//!         required: true,
//!         kind: FieldKind::Text { max_length: Some(200) },
//!     }],
//! };
//!
//! let mut form = Form::new(&POST_FORM);
//! form.bind(FormData::from_pairs(vec![("title".into(), "  Hello  ".into())]));
//! assert!(form.validate());
//! assert_eq!(
//!     form.cleaned("title").and_then(|cleaned| cleaned.value()),
//!     Some(&Value::Text("Hello".into()))
//! );
//! let mut html = String::new();
//! form.field("title").unwrap().as_widget(&mut html);
//! assert_eq!(
//!     html,
//!     r#"<input type="text" name="title" value="  Hello  " maxlength="200" required id="id_title">"#
//! );
//! ```
//!
//! The pieces: [`spec`] (what generated code declares), [`data`] (request
//! bodies), [`form`](mod@form) (binding, cleaning, errors), [`bound`]
//! (`BoundField`), [`value`] (what a field shows), [`errors`] (error lists),
//! [`messages`] (Django's messages), and private modules for Python's
//! number, date and JSON parsing, the validators and the HTML.

pub mod bound;
pub mod data;
mod display;
pub mod errors;
pub mod form;
pub mod messages;
mod pyjson;
mod python;
mod render;
pub mod spec;
mod temporal;
mod validators;
pub mod value;

pub use bound::BoundField;
pub use data::{FormData, MAX_FIELDS};
pub use errors::{ErrorDict, ErrorList, FormError, NON_FIELD_ERRORS};
pub use form::{Cleaned, Form};
pub use render::BLANK_CHOICE_LABEL;
pub use spec::{FieldKind, FieldSpec, FormSpec};
pub use value::FormValue;
