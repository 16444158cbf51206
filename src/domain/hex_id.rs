//! Identities made of 128 random bits, written as 32 lowercase hex digits: a person's
//! (`UserId`) and an upload's (`UploadId`). One macro, so they parse, print and travel
//! through JSON alike.

/// Declares `$name`, an identity of 32 lowercase hex digits (`what` names it in errors).
macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
        )]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn from_random(bits: u128) -> Self {
                Self(format!("{bits:032x}"))
            }

            pub fn parse(raw: &str) -> Option<Self> {
                (raw.len() == 32
                    && raw
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
                .then(|| Self(raw.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, String> {
                Self::parse(&value).ok_or_else(|| format!(concat!("not ", $what, ": {:?}"), value))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
pub(crate) use hex_id;
