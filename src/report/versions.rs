//! [`VersionMap`]: one value per protocol version, the shape of every per-version field of the
//! report (`protocols`, `protocol_details`, `ciphers.versions`). Its own file because both the
//! endpoint model and the cipher report types use it.

use serde::{Deserialize, Serialize};

use crate::wire::enums::ProtocolVersion;

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

/// The versions of [`VersionMap`]'s fields, oldest first.
pub const VERSIONS: [ProtocolVersion; 5] = [
    ProtocolVersion::SSLv3,
    ProtocolVersion::TLSv1_0,
    ProtocolVersion::TLSv1_1,
    ProtocolVersion::TLSv1_2,
    ProtocolVersion::TLSv1_3,
];

impl<T> VersionMap<T> {
    /// The values oldest first, with their versions.
    pub fn iter(&self) -> impl Iterator<Item = (ProtocolVersion, &T)> {
        VERSIONS.into_iter().zip([
            &self.sslv3,
            &self.tls10,
            &self.tls11,
            &self.tls12,
            &self.tls13,
        ])
    }

    /// The values oldest first, with their versions, to change.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (ProtocolVersion, &mut T)> {
        VERSIONS.into_iter().zip([
            &mut self.sslv3,
            &mut self.tls10,
            &mut self.tls11,
            &mut self.tls12,
            &mut self.tls13,
        ])
    }

    /// The value for `version`; `None` for a version the report has no field for.
    pub fn get(&self, version: ProtocolVersion) -> Option<&T> {
        self.iter().find(|(v, _)| *v == version).map(|(_, t)| t)
    }

    /// The value for `version`, to change.
    pub fn get_mut(&mut self, version: ProtocolVersion) -> Option<&mut T> {
        Some(match version {
            ProtocolVersion::SSLv3 => &mut self.sslv3,
            ProtocolVersion::TLSv1_0 => &mut self.tls10,
            ProtocolVersion::TLSv1_1 => &mut self.tls11,
            ProtocolVersion::TLSv1_2 => &mut self.tls12,
            ProtocolVersion::TLSv1_3 => &mut self.tls13,
            _ => return None,
        })
    }
}
