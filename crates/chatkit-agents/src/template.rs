//! `{{state.NAME}}` in instructions: the only templating there is, on purpose (Agent Builder's
//! instructions use the same form). Anything else between braces is left as written.

use serde_json::{Map, Value};

/// The state variable names `text` refers to, in order of appearance (repeats included).
pub fn references(text: &str) -> Vec<&str> {
    placeholders(text).map(|(_, name)| name).collect()
}

/// `text` with every `{{state.NAME}}` replaced by the value of `NAME` in `state` (strings as
/// they are, numbers and booleans as JSON). An unknown name becomes the empty string; the loader
/// refuses instructions that name undeclared variables, so that only happens for variables with
/// no default and no value.
pub fn render(text: &str, state: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for ((start, end), name) in placeholders(text) {
        out.push_str(&text[rest..start]);
        match state.get(name) {
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Null) | None => {}
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = end;
    }
    out.push_str(&text[rest..]);
    out
}

/// Each `{{ state.NAME }}` (spaces optional): its byte span and the name.
fn placeholders(text: &str) -> impl Iterator<Item = ((usize, usize), &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let open = from + text.get(from..)?.find("{{")?;
            let close = open + 2 + text[open + 2..].find("}}")?;
            from = open + 2;
            let inner = text[open + 2..close].trim();
            if let Some(name) = inner.strip_prefix("state.")
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                from = close + 2;
                return Some(((open, close + 2), name));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replaces_state_references_with_their_values() {
        let state = json!({"name": "Ada", "seats": 3, "vip": true});
        let state = state.as_object().unwrap();
        assert_eq!(
            render(
                "Hi {{state.name}} ({{ state.seats }} seats, vip={{state.vip}}).",
                state
            ),
            "Hi Ada (3 seats, vip=true)."
        );
    }

    #[test]
    fn leaves_other_braces_and_unknown_forms_alone() {
        let state = Map::new();
        assert_eq!(
            render("{{name}} {{state.}} {{ other.x }} {x}", &state),
            "{{name}} {{state.}} {{ other.x }} {x}"
        );
        assert_eq!(render("{{state.missing}}!", &state), "!");
        assert_eq!(render("unclosed {{state.a", &state), "unclosed {{state.a");
    }

    #[test]
    fn lists_references() {
        assert_eq!(
            references("{{state.a}} and {{ state.b_2 }} and {{state.a}}"),
            vec!["a", "b_2", "a"]
        );
    }
}
