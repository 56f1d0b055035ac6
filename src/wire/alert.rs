//! Alert messages (RFC 5246 §7.2, RFC 8446 §6, RFC 6101 §5.4.2).
//!
//! For version probing the alert is often the answer: `protocol_version(70)`
//! means "not this version", `handshake_failure(40)` usually means "no
//! shared cipher suite" (so the prober retries with another list), and
//! `inappropriate_fallback(86)` is the RFC 7507 response to
//! TLS_FALLBACK_SCSV. Unknown descriptions are kept verbatim.

use crate::wire::codec::{Codec, DecodeError, Reader};
use crate::wire::enums::{AlertDescription, AlertLevel};

/// An alert: two bytes, level then description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// warning(1) or fatal(2); other values are kept.
    pub level: AlertLevel,
    /// What went wrong.
    pub description: AlertDescription,
}

impl Codec<'_> for Alert {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.level.0);
        out.push(self.description.0);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Alert {
            level: AlertLevel(r.u8("Alert.level")?),
            description: AlertDescription(r.u8("Alert.description")?),
        })
    }
}

/// Parse the payload of an alert record, which must be exactly 2 bytes.
///
/// RFC 8446 §5.1 forbids fragmenting alerts and pre-1.3 stacks never do it
/// in practice, so a payload of any other length is reported as an error
/// rather than reassembled.
pub fn parse_alert(payload: &[u8]) -> Result<Alert, DecodeError> {
    let mut r = Reader::new(payload);
    let a = Alert::read(&mut r)?;
    r.expect_empty("Alert")?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alert_payload_must_be_exactly_two_bytes() {
        assert_eq!(
            parse_alert(&[2, 70]),
            Ok(Alert {
                level: AlertLevel::FATAL,
                description: AlertDescription::PROTOCOL_VERSION
            })
        );
        assert_eq!(parse_alert(&[]), Err(DecodeError::Truncated("Alert.level")));
        assert_eq!(
            parse_alert(&[2]),
            Err(DecodeError::Truncated("Alert.description"))
        );
        assert_eq!(
            parse_alert(&[2, 40, 0]),
            Err(DecodeError::TrailingData("Alert"))
        );
    }

    #[test]
    fn alerts_round_trip() {
        let a = Alert {
            level: AlertLevel(7),
            description: AlertDescription(250),
        };
        assert_eq!(Alert::read_bytes(&a.get_encoding()), Ok(a));
    }
}
