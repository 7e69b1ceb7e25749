//! A secret read from the environment: the rules name it as `${NAME}`, and only the name
//! is ever printed.

use std::ffi::OsString;
use std::fmt;

/// A secret value and the environment variable it came from. `Debug` and `Display` show
/// `${NAME}` and nothing else, so a secret inside any struct that derives `Debug` stays
/// hidden.
#[derive(Clone)]
pub(crate) struct Secret {
    name: String,
    value: String,
}

impl Secret {
    /// A secret named `name` (shown as `${name}`) holding `value`.
    pub(crate) fn new(name: impl Into<String>, value: impl Into<String>) -> Secret {
        Secret {
            name: name.into(),
            value: value.into(),
        }
    }

    /// The secret a `${NAME}` reference names: the value of the environment variable
    /// `NAME`. Errors name the variable, never a value: unset, empty, not UTF-8, or a
    /// reference that is not `${NAME}` (which is not echoed: it may be a pasted secret).
    pub(crate) fn from_env(reference: &str) -> Result<Secret, String> {
        Secret::resolve(reference, |name| std::env::var_os(name))
    }

    /// [`Secret::from_env`] reading variables through `lookup` (tests give it a map).
    pub(crate) fn resolve(
        reference: &str,
        lookup: impl FnOnce(&str) -> Option<OsString>,
    ) -> Result<Secret, String> {
        let Some(name) = variable(reference) else {
            return Err(
                "a secret is written as ${NAME}, the name of an environment variable that \
                 holds it; this value is not (it is not shown, in case it is the secret itself)"
                    .to_string(),
            );
        };
        match lookup(name) {
            None => Err(format!("${{{name}}} is not set")),
            Some(value) if value.is_empty() => Err(format!("${{{name}}} is set but empty")),
            Some(value) => match value.into_string() {
                Ok(value) => Ok(Secret::new(name, value)),
                Err(_) => Err(format!("${{{name}}} is not valid UTF-8")),
            },
        }
    }

    /// The variable's name, without `${}`.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The value itself, for the request that needs it and nothing else.
    pub(super) fn expose(&self) -> &str {
        &self.value
    }
}

/// `NAME` in `${NAME}`, when `NAME` is an environment variable's name: a letter or `_`,
/// then letters, digits and `_`.
fn variable(reference: &str) -> Option<&str> {
    let name = reference.strip_prefix("${")?.strip_suffix('}')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    let ok = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some(name)
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${{{}}}", self.name)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${{{}}}", self.name)
    }
}
