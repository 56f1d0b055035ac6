//! `--fail-expiring N`: which certificates seen in a run expire within N days. Pure, per target,
//! so the batch runner can count while it streams; the scan command turns the result into exit
//! status 1 and names each certificate on stderr, for cron jobs and CI pipelines.

use crate::report::escape::for_terminal as esc;
use crate::report::TargetReport;

/// One line per endpoint of `t` whose leaf certificate has fewer than `days` whole days left
/// (counted as `cert.expiring` counts them), expired ones included.
pub fn expiring(t: &TargetReport, days: i64) -> Vec<String> {
    t.endpoints
        .iter()
        .filter_map(|e| e.certificate.as_ref().map(|c| (e, c)))
        .filter(|(_, c)| c.days_remaining < days)
        .map(|(e, c)| {
            format!(
                "{} [{}]:{} certificate SHA-1 {} expires {} ({} days)",
                esc(&e.host),
                e.address.as_deref().unwrap_or("?"),
                e.port,
                c.chain.first().map(|l| esc(&l.sha1)).unwrap_or_default(),
                esc(&c.not_after),
                c.days_remaining
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CertificateReport, EndpointReport};

    fn with_days(days: i64) -> TargetReport {
        let mut t = TargetReport::new("mx.example.test:25", crate::report::Kind::Endpoint);
        let mut e = EndpointReport::new(
            "mx.example.test".into(),
            Some("192.0.2.1".into()),
            25,
            crate::target::Transport::SmtpStartTls,
        );
        e.certificate = Some(CertificateReport {
            trusted: true,
            name_matches: true,
            not_after: "2030-01-01T00:00:00Z".into(),
            days_remaining: days,
            trust_error: None,
            chain: vec![],
            ..Default::default()
        });
        t.endpoints.push(e);
        t
    }

    #[test]
    fn within_means_fewer_whole_days_left_and_expired_counts() {
        assert_eq!(expiring(&with_days(9), 14).len(), 1);
        assert!(expiring(&with_days(9), 7).is_empty());
        assert!(expiring(&with_days(14), 14).is_empty());
        assert_eq!(expiring(&with_days(-3), 0).len(), 1);
        assert!(expiring(&with_days(0), 0).is_empty());
    }
}
