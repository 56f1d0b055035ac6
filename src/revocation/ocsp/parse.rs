//! A BasicOCSPResponse's parts, and the SingleResponse whose CertID names the leaf.

use super::*;

/// The parts of a successful basic response that verification needs.
pub(super) struct Basic<'a> {
    /// tbsResponseData as received: what the signature covers.
    pub(super) tbs_raw: &'a [u8],
    pub(super) produced_at: i64,
    /// Contents of `responses SEQUENCE OF SingleResponse`.
    pub(super) responses: &'a [u8],
    /// Contents of signatureAlgorithm (OID and parameters).
    pub(super) signature_algorithm: &'a [u8],
    pub(super) signature: &'a [u8],
    /// Each certificate of `certs`, as received (at most [`MAX_RESPONSE_CERTS`]).
    pub(super) certs: Vec<&'a [u8]>,
}

/// OCSPResponse → the BasicOCSPResponse inside it (RFC 6960 §4.2.1).
pub(super) fn parse_response(bytes: &[u8]) -> Result<Basic<'_>, OcspError> {
    let mut top = Der::new(bytes);
    let mut resp = top.sequence("OCSPResponse")?;
    top.finish("bytes after the OCSPResponse")?;
    let status = resp.expect(ENUMERATED, "responseStatus")?;
    let failed = match status.value {
        [0] => None,
        [1] => Some(ResponseStatus::MalformedRequest),
        [2] => Some(ResponseStatus::InternalError),
        [3] => Some(ResponseStatus::TryLater),
        [5] => Some(ResponseStatus::SigRequired),
        [6] => Some(ResponseStatus::Unauthorized),
        _ => return Err(OcspError::Malformed("responseStatus")),
    };
    if let Some(s) = failed {
        return Err(OcspError::NotSuccessful(s));
    }
    // A successful response must carry responseBytes.
    let wrapped = resp.expect(ctx(0), "responseBytes")?;
    resp.finish("OCSPResponse")?;
    let mut rb = Der::new(explicit(wrapped, SEQUENCE, "responseBytes")?.value);
    let response_type = rb.expect(OID, "responseType")?;
    let body = rb.expect(OCTET_STRING, "response")?;
    rb.finish("responseBytes")?;
    if response_type.value != OID_OCSP_BASIC {
        return Err(OcspError::NoBasicResponse);
    }
    parse_basic(body.value)
}

pub(super) fn parse_basic(bytes: &[u8]) -> Result<Basic<'_>, OcspError> {
    let mut outer = Der::new(bytes);
    let mut basic = outer.sequence("BasicOCSPResponse")?;
    outer.finish("bytes after the BasicOCSPResponse")?;
    let tbs = basic.expect(SEQUENCE, "tbsResponseData")?;
    let alg = basic.expect(SEQUENCE, "signatureAlgorithm")?;
    let signature = basic.expect(BIT_STRING, "signature")?;
    let certs = basic.optional(ctx(0), "certs")?;
    basic.finish("BasicOCSPResponse")?;

    // A signature is whole octets: the BIT STRING's unused-bits octet is 0.
    let signature = match signature.value.split_first() {
        Some((0, bits)) => bits,
        _ => return Err(OcspError::Malformed("signature")),
    };

    let mut cert_list = Vec::new();
    if let Some(certs) = certs {
        let mut seq = Der::new(explicit(certs, SEQUENCE, "certs")?.value);
        while !seq.is_empty() {
            let cert = seq.expect(SEQUENCE, "certs")?;
            if cert_list.len() < MAX_RESPONSE_CERTS {
                cert_list.push(cert.raw);
            }
        }
    }

    // ResponseData ::= SEQUENCE { version [0] EXPLICIT DEFAULT v1, responderID, producedAt,
    //   responses, responseExtensions [1] EXPLICIT OPTIONAL }
    let mut data = Der::new(tbs.value);
    if let Some(version) = data.optional(ctx(0), "version")? {
        if explicit(version, INTEGER, "version")?.value != [0] {
            return Err(OcspError::Malformed("version"));
        }
    }
    // ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash }: it only names the signer,
    // which is found by trying keys instead.
    let responder = data.any("responderID")?;
    if responder.tag != ctx(1) && responder.tag != ctx(2) {
        return Err(OcspError::Malformed("responderID"));
    }
    let produced_at = generalized_time(data.any("producedAt")?, "producedAt")?;
    let responses = data.expect(SEQUENCE, "responses")?;
    data.optional(ctx(1), "responseExtensions")?;
    data.finish("tbsResponseData")?;

    Ok(Basic {
        tbs_raw: tbs.raw,
        produced_at,
        responses: responses.value,
        signature_algorithm: alg.value,
        signature,
        certs: cert_list,
    })
}

/// One SingleResponse (RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Single<'a> {
    pub(super) hash: Option<CertIdHash>,
    pub(super) name_hash: &'a [u8],
    pub(super) key_hash: &'a [u8],
    pub(super) serial: &'a [u8],
    pub(super) status: CertStatus,
    pub(super) this_update: i64,
    pub(super) next_update: Option<i64>,
}

pub(super) fn parse_single<'a>(t: Tlv<'a>) -> Result<Single<'a>, OcspError> {
    let mut s = Der::new(t.value);
    // CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }
    let mut id = s.sequence("certID")?;
    let mut alg = id.sequence("certID hashAlgorithm")?;
    let hash_oid = alg.expect(OID, "certID hashAlgorithm")?;
    // Parameters are NULL or absent for the SHA family (RFC 5754 §2).
    if let Some(params) = alg.optional(NULL, "certID hashAlgorithm")? {
        if !params.value.is_empty() {
            return Err(OcspError::Malformed("certID hashAlgorithm"));
        }
    }
    alg.finish("certID hashAlgorithm")?;
    let name_hash = id.expect(OCTET_STRING, "issuerNameHash")?.value;
    let key_hash = id.expect(OCTET_STRING, "issuerKeyHash")?.value;
    let serial = id.expect(INTEGER, "serialNumber")?.value;
    id.finish("certID")?;

    // CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo,
    //   unknown [2] IMPLICIT UnknownInfo (NULL) }
    let status = s.any("certStatus")?;
    let status = match status.tag {
        t if t == ctx_primitive(0) && status.value.is_empty() => CertStatus::Good,
        t if t == ctx_primitive(2) && status.value.is_empty() => CertStatus::Unknown,
        t if t == ctx(1) => {
            // RevokedInfo ::= SEQUENCE { revocationTime, revocationReason [0] EXPLICIT
            //   CRLReason OPTIONAL }
            let mut info = Der::new(status.value);
            let at = generalized_time(info.any("revocationTime")?, "revocationTime")?;
            let reason = match info.optional(ctx(0), "revocationReason")? {
                Some(r) => match explicit(r, ENUMERATED, "revocationReason")?.value {
                    [code] if *code < 0x80 => Some(*code),
                    _ => return Err(OcspError::Malformed("revocationReason")),
                },
                None => None,
            };
            info.finish("revokedInfo")?;
            CertStatus::Revoked { at, reason }
        }
        _ => return Err(OcspError::Malformed("certStatus")),
    };
    let this_update = generalized_time(s.any("thisUpdate")?, "thisUpdate")?;
    let next_update = match s.optional(ctx(0), "nextUpdate")? {
        Some(n) => Some(generalized_time(
            explicit(n, GENERALIZED_TIME, "nextUpdate")?,
            "nextUpdate",
        )?),
        None => None,
    };
    s.optional(ctx(1), "singleExtensions")?;
    s.finish("SingleResponse")?;
    Ok(Single {
        hash: oid_string(hash_oid.value).and_then(|o| CertIdHash::from_oid(&o)),
        name_hash,
        key_hash,
        serial,
        status,
        this_update,
        next_update,
    })
}

/// Hash algorithms accepted in a CertID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CertIdHash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl CertIdHash {
    pub(super) fn from_oid(oid: &str) -> Option<CertIdHash> {
        match oid {
            "1.3.14.3.2.26" => Some(CertIdHash::Sha1),
            "2.16.840.1.101.3.4.2.1" => Some(CertIdHash::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(CertIdHash::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(CertIdHash::Sha512),
            _ => None,
        }
    }

    pub(super) fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            CertIdHash::Sha1 => &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            CertIdHash::Sha256 => &ring::digest::SHA256,
            CertIdHash::Sha384 => &ring::digest::SHA384,
            CertIdHash::Sha512 => &ring::digest::SHA512,
        }
    }
}

/// What a CertID is computed from (RFC 6960 §4.1.1): the leaf's issuer field, the issuer's
/// public key, the leaf's serial number.
pub(super) struct LeafId<'a> {
    pub(super) issuer_name: &'a [u8],
    pub(super) issuer_key: &'a [u8],
    pub(super) serial: &'a [u8],
}

impl<'a> LeafId<'a> {
    pub(super) fn new(
        leaf: &'a X509Certificate<'a>,
        issuer: &'a X509Certificate<'a>,
    ) -> LeafId<'a> {
        LeafId {
            // "the DER encoding of the issuer's name field in the certificate being checked"
            issuer_name: leaf.issuer().as_raw(),
            // "the value (excluding tag and length) of the subject public key field in the
            // issuer's certificate": the key bits, without the BIT STRING's unused-bits octet
            issuer_key: &issuer.public_key().subject_public_key.data,
            serial: leaf.raw_serial(),
        }
    }

    /// (issuerNameHash, issuerKeyHash) with `hash`.
    pub(super) fn hashes(&self, hash: CertIdHash) -> (Vec<u8>, Vec<u8>) {
        let d = |b: &[u8]| ring::digest::digest(hash.ring(), b).as_ref().to_vec();
        (d(self.issuer_name), d(self.issuer_key))
    }
}

/// The SingleResponse for `id` among the first [`MAX_SINGLE_RESPONSES`]: a revoked one if any,
/// else the first that matches.
pub(super) fn find_single<'a>(
    responses: &'a [u8],
    id: &LeafId<'_>,
) -> Result<Single<'a>, OcspError> {
    let mut digests: [Option<(Vec<u8>, Vec<u8>)>; 4] = [None, None, None, None];
    let mut list = Der::new(responses);
    let mut found: Option<Single<'a>> = None;
    for _ in 0..MAX_SINGLE_RESPONSES {
        if list.is_empty() {
            break;
        }
        let single = parse_single(list.expect(SEQUENCE, "SingleResponse")?)?;
        let Some(hash) = single.hash else { continue };
        if single.serial != id.serial {
            continue;
        }
        let slot = &mut digests[hash as usize];
        let (name_hash, key_hash) = slot.get_or_insert_with(|| id.hashes(hash));
        if single.name_hash != name_hash.as_slice() || single.key_hash != key_hash.as_slice() {
            continue;
        }
        let revoked = matches!(single.status, CertStatus::Revoked { .. });
        if found.is_none() || revoked {
            found = Some(single);
        }
        if revoked {
            break;
        }
    }
    found.ok_or(OcspError::NoMatchingResponse)
}
