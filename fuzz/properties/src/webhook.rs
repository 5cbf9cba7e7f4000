//! GitHub webhooks: the signature check and the event parser on arbitrary deliveries.
//!
//! The check accepts the signature [`sign`] makes and nothing else: not a signature with one
//! hex digit changed, not one made with another secret, not an arbitrary header unless it is
//! that signature's bytes. The parser never panics; what it submits came from the delivery's
//! own event kind, and every refusal or reason to ignore says something.
//!
//! Input: the `X-GitHub-Event` name on the first line, an `X-Hub-Signature-256` value on the
//! second, the secret on the third, the body after it.

use gate_server::webhook::{SignatureError, WebhookAction, parse_event, sign, verify_signature};

pub fn check(data: &[u8]) {
    let mut lines = data.splitn(4, |&b| b == b'\n');
    let event = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let header = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let secret = lines.next().unwrap_or_default().to_vec();
    let body = lines.next().unwrap_or_default();
    signature(&secret, body, &header);
    event_parser(&event, body);
}

fn signature(secret: &[u8], body: &[u8], header: &str) {
    let good = sign(secret, body);
    assert_eq!(verify_signature(secret, body, Some(&good)), Ok(()));
    assert_eq!(
        verify_signature(secret, body, None),
        Err(SignatureError::Missing)
    );

    // One hex digit changed, at a place and to a digit the input picks.
    let digits = &good["sha256=".len()..];
    let seed = body
        .iter()
        .chain(secret)
        .fold(0usize, |a, &b| a.wrapping_mul(31) + usize::from(b));
    let at = seed % digits.len();
    let old = digits.as_bytes()[at];
    let new = b"0123456789abcdef"
        .iter()
        .copied()
        .find(|&d| d != old && usize::from(d) % 7 == seed % 7)
        .unwrap_or(if old == b'0' { b'1' } else { b'0' });
    let mut forged = good.clone().into_bytes();
    forged["sha256=".len() + at] = new;
    let forged = String::from_utf8(forged).expect("hex stays ASCII");
    assert_eq!(
        verify_signature(secret, body, Some(&forged)),
        Err(SignatureError::Mismatch),
        "accepted {forged} for a body signed {good}"
    );

    let mut other = secret.to_vec();
    other.push(b'x');
    assert_ne!(
        verify_signature(&other, body, Some(&good)),
        Ok(()),
        "accepted a signature made with another secret"
    );

    // Whatever the header says, it passes only if it is the signature.
    if verify_signature(secret, body, Some(header)).is_ok() {
        let presented = header
            .trim()
            .strip_prefix("sha256=")
            .and_then(|h| hex::decode(h).ok());
        let expected = hex::decode(digits).ok();
        assert!(
            presented.is_some() && presented == expected,
            "accepted {header:?} for a body signed {good}"
        );
    }
}

fn event_parser(event: &str, body: &[u8]) {
    match parse_event(event, body) {
        Ok(WebhookAction::Submit(run)) => {
            assert_eq!(
                run.delivery_kind, event,
                "a {event:?} delivery submitted as {}",
                run.delivery_kind
            );
            if run.delivery_kind == "push" {
                assert!(
                    !run.commit.bytes().all(|b| b == b'0'),
                    "a deleted branch was submitted"
                );
            }
        }
        Ok(WebhookAction::Ignore(reason)) => {
            assert!(!reason.trim().is_empty(), "ignored without a reason");
        }
        Err(err) => assert!(
            !err.to_string().trim().is_empty(),
            "refused without a reason"
        ),
    }
}
