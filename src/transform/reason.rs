//! What makes a page or a record unreadable, said precisely: the checks on
//! a page body and the quarantine reasons for records that do not fit the model.

use super::PageError;

/// The page body as text, once: it must be a JSON object, and JSON is UTF-8
/// (RFC 8259), so checking it here lets serde_json skip the per-string
/// check, a sizeable share of parse time.
pub(crate) fn page_text(body: &[u8]) -> Result<&str, PageError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(_) => {
            return Err(PageError::Malformed(
                "page body is not a JSON object".into(),
            ))
        }
        None => return Err(PageError::Malformed("page body is empty".into())),
    }
    std::str::from_utf8(body)
        .map_err(|e| PageError::Malformed(format!("page body is not UTF-8: {e}")))
}

/// serde says what is wrong and where (line/column inside the record); the
/// JSON key just before that point names the field for a human.
pub(crate) fn type_error_reason(text: &str, e: &serde_json::Error) -> String {
    let msg = e.to_string();
    match offset_of(text, e.line(), e.column()).and_then(|at| key_before(text, at)) {
        Some(key) => format!("field `{key}` does not fit the model: {msg}"),
        None => format!("record does not fit the model: {msg}"),
    }
}

fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    Some((line_start + column).min(text.len()))
}

/// The nearest `"key":` ending before byte `at`.
fn key_before(text: &str, at: usize) -> Option<&str> {
    let b = text.as_bytes();
    let mut i = at.min(b.len());
    while i > 0 {
        i -= 1;
        if b[i] != b':' {
            continue;
        }
        let mut j = i;
        while j > 0 && b[j - 1].is_ascii_whitespace() {
            j -= 1;
        }
        if j == 0 || b[j - 1] != b'"' {
            continue;
        }
        let close = j - 1;
        let open = text[..close].rfind('"')?;
        return Some(&text[open + 1..close]);
    }
    None
}
