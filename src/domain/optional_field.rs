use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A text form field that may be left out. Unlike `Option<String>`, which a form decoder
/// reads as `None` both when the field is missing and when it is sent empty, this keeps the
/// two apart: a script that sends no `author` gets a guest name, while a person who cleared
/// the name box is told to choose one. Use it with `#[server(default)]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OptionalField {
    #[default]
    Missing,
    Sent(String),
}

impl OptionalField {
    pub fn sent(&self) -> Option<&str> {
        match self {
            OptionalField::Missing => None,
            OptionalField::Sent(text) => Some(text),
        }
    }
}

impl Serialize for OptionalField {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OptionalField::Missing => serializer.serialize_none(),
            OptionalField::Sent(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for OptionalField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;

        impl<'de> Visitor<'de> for FieldVisitor {
            type Value = OptionalField;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text field")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(OptionalField::Sent(text.to_owned()))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<Self::Value, E> {
                Ok(OptionalField::Sent(text))
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OptionalField::Missing)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(OptionalField::Missing)
            }
        }

        deserializer.deserialize_string(FieldVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Form {
        #[serde(default)]
        author: OptionalField,
    }

    #[test]
    fn json_keeps_sent_text_and_null_is_missing() {
        let sent: Form = serde_json::from_str(r#"{"author":""}"#).expect("valid");
        assert_eq!(sent.author, OptionalField::Sent(String::new()));
        let missing: Form = serde_json::from_str("{}").expect("valid");
        assert_eq!(missing.author.sent(), None);
        assert_eq!(
            serde_json::to_string(&sent).ok().as_deref(),
            Some(r#"{"author":""}"#)
        );
    }
}
