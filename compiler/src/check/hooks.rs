//! Hooks: `on signal Model -> rust "module::function"` → [`ir::Hook`]s.
//!
//! Input: every hook declaration and the [`crate::rust_src::RustIndex`].
//! Output: `Project::hooks`. Diagnostics: E0319 (unknown signal), E0102
//! (unknown model), E0601 (the same hook twice), and the Rust signature
//! codes reported by `RustIndex::check_hook`.

use super::ir::{self, ModelId, Signal};
use super::{Checker, backticked};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast;
use std::collections::BTreeMap;

/// Checks every hook and fills `project.hooks`.
pub(super) fn check_hooks(cx: &mut Checker<'_>, hooks: &[&ast::Hook]) {
    let mut seen: BTreeMap<(Signal, ModelId, &str), Span> = BTreeMap::new();
    for hook in hooks {
        let signal = Signal::ALL
            .iter()
            .find(|(name, _)| *name == hook.signal.name)
            .map(|&(_, s)| s);
        if signal.is_none() {
            let names = Signal::ALL.iter().map(|(n, _)| *n);
            let d = Diagnostic::new(
                Code::UnknownSignal,
                hook.signal.span,
                format!("unknown signal `{}`", hook.signal.name),
            )
            .with_label("not a model signal")
            .with_suggestion(&hook.signal.name, "a signal", names.clone());
            let d = if d.help.is_some() {
                d
            } else {
                d.with_note(format!("the signals are {}", backticked(names)))
            };
            cx.report(d);
        }
        let model = cx.project.model_named(&hook.model.name);
        if model.is_none() {
            cx.report(cx.unknown_model(&hook.model));
        }
        let (Some(signal), Some(model)) = (signal, model) else {
            continue;
        };
        let key = (signal, model, hook.function.value.as_str());
        if let Some(&first) = seen.get(&key) {
            cx.report(
                Diagnostic::new(
                    Code::DuplicateHook,
                    hook.function.span,
                    format!(
                        "`{}` already runs on `{}` of `{}`",
                        hook.function.value, hook.signal.name, hook.model.name
                    ),
                )
                .with_label("declared again here")
                .with_secondary(first, "first declared here")
                .with_help("remove one of the hooks; each would run the function once"),
            );
            continue;
        }
        seen.insert(key, hook.function.span);
        let signature = match cx.rust.check_hook(&hook.function, &hook.model.name) {
            Ok(function) => Some(function.clone()),
            Err(d) => {
                cx.report(d);
                None
            }
        };
        cx.project.hooks.push(ir::Hook {
            signal,
            model,
            function: hook.function.value.clone(),
            signature,
            span: hook.span,
        });
    }
}
