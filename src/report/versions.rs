//! [`VersionMap`]: one value per protocol version, the shape of every per-version field of the
//! report (`protocols`, `protocol_details`, `ciphers.versions`). Its own file because both the
//! endpoint model and the cipher report types use it.

use serde::{Deserialize, Serialize};

/// One value per protocol version, serialised with the version names as keys, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct VersionMap<T> {
    #[serde(rename = "SSLv3")]
    pub sslv3: T,
    #[serde(rename = "TLSv1.0")]
    pub tls10: T,
    #[serde(rename = "TLSv1.1")]
    pub tls11: T,
    #[serde(rename = "TLSv1.2")]
    pub tls12: T,
    #[serde(rename = "TLSv1.3")]
    pub tls13: T,
}

/// Version names in the order of [`VersionMap`]'s fields.
pub const VERSION_NAMES: [&str; 5] = ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

impl<T> VersionMap<T> {
    /// The values oldest first, with their version names.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &T)> {
        VERSION_NAMES.into_iter().zip([
            &self.sslv3,
            &self.tls10,
            &self.tls11,
            &self.tls12,
            &self.tls13,
        ])
    }

    /// The value for a version name (`SSLv3` … `TLSv1.3`).
    pub fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        Some(match name {
            "SSLv3" => &mut self.sslv3,
            "TLSv1.0" => &mut self.tls10,
            "TLSv1.1" => &mut self.tls11,
            "TLSv1.2" => &mut self.tls12,
            "TLSv1.3" => &mut self.tls13,
            _ => return None,
        })
    }
}
