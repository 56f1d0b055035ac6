//! Revocation: OCSP responses (stapled or fetched), CRLs, and the fetcher that gets them.

pub mod ocsp;
