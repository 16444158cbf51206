//! Account names are unique ignoring case and compatibility forms: two names are the same
//! when their keys are. The key is the name in NFKC, lowercased, then NFKC again (lowering
//! can make a string that NFKC writes otherwise): "Ａｎｎ", "ANN" and "ann" are one name.

use crate::domain::AccountName;
use unicode_normalization::UnicodeNormalization;

/// The key `name` is compared by.
pub fn name_key(name: &AccountName) -> String {
    let lowered = name.as_str().nfkc().collect::<String>().to_lowercase();
    lowered.nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> String {
        name_key(&AccountName::parse(name).expect("name"))
    }

    #[test]
    fn case_width_and_compatibility_forms_make_one_name() {
        assert_eq!(key("Ann"), "ann");
        assert_eq!(key("ANN"), key("ann"));
        assert_eq!(key("Ａｎｎ"), key("ann"), "full-width letters");
        assert_eq!(key("ﬁona"), key("fiona"), "the fi ligature");
        assert_eq!(
            key("Zoe\u{0301}"),
            key("Zoé"),
            "combining accent or precomposed"
        );
        assert_eq!(key("ⅸ"), key("ix"), "roman numeral nine");
        assert_ne!(key("Ann"), key("Anne"));
    }
}
