//! Query strings kept in the order the client sent them, so the paging
//! links both vendors return (`nextUri`, `_links.next`) repeat the
//! client's own request with only the paging parameters changed.

/// The query parameters of `query` (no `?`), in order, repeats kept.
pub(crate) fn parse(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// The first value of `name` (ASCII case-insensitive), as the vendors
/// match parameter names.
pub(crate) fn get<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `params` form-encoded with each `(name, value)` of `set` replacing the
/// parameter of that name in place, or appended when absent.
pub(crate) fn with(params: &[(String, String)], set: &[(&str, String)]) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    let mut done = vec![false; set.len()];
    for (k, v) in params {
        match set.iter().position(|(n, _)| k.eq_ignore_ascii_case(n)) {
            Some(i) => {
                ser.append_pair(k, &set[i].1);
                done[i] = true;
            }
            None => {
                ser.append_pair(k, v);
            }
        }
    }
    for ((n, v), _) in set.iter().zip(&done).filter(|(_, d)| !**d) {
        ser.append_pair(n, v);
    }
    ser.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_in_place_and_appends_the_rest() {
        let p = parse("top=5&SKIP=10&a=b%2Fc");
        assert_eq!(get(&p, "skip"), Some("10"));
        assert_eq!(
            with(&p, &[("skip", "15".into()), ("pageNumber", "2".into())]),
            "top=5&SKIP=15&a=b%2Fc&pageNumber=2"
        );
    }
}
