//! [`EmailChannel`]: the digest as an e-mail over SMTP (lettre): multipart/alternative with
//! the text and the HTML, STARTTLS required, opportunistic or off, or TLS from the start, with
//! credentials when configured. The password never reaches a message.

use std::time::Duration;

use futures::future::BoxFuture;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{DigestChannel, SendError};
use crate::config::{EmailConfig, SmtpSecurity};
use crate::service::DigestContent;

pub struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    timeout: Duration,
    /// Cut out of error text, should a server echo it.
    password: Option<String>,
}

impl EmailChannel {
    /// The transport for `config` (nothing is connected yet).
    pub fn new(config: &EmailConfig) -> anyhow::Result<EmailChannel> {
        let tls = |host: &str| TlsParameters::new(host.to_string());
        let security = match config.security {
            SmtpSecurity::Tls => Tls::Wrapper(tls(&config.host)?),
            SmtpSecurity::StartTls => Tls::Required(tls(&config.host)?),
            SmtpSecurity::StartTlsOpportunistic => Tls::Opportunistic(tls(&config.host)?),
            SmtpSecurity::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(security)
            .timeout(Some(config.timeout));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        // The config reader checked the addresses.
        let mailbox = |s: &str| s.parse::<Mailbox>();
        Ok(EmailChannel {
            transport: builder.build(),
            from: mailbox(&config.from)?,
            to: config
                .to
                .iter()
                .map(|t| mailbox(t))
                .collect::<Result<_, _>>()?,
            timeout: config.timeout,
            password: config.password.clone(),
        })
    }

    fn message(&self, content: &DigestContent) -> Result<Message, SendError> {
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(content.subject.clone());
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                content.text.clone(),
                content.html.clone(),
            ))
            .map_err(|e| SendError::permanent(format!("cannot build the e-mail: {e}")))
    }

    fn redact(&self, text: String) -> String {
        match &self.password {
            Some(p) if !p.is_empty() => text.replace(p.as_str(), "***"),
            _ => text,
        }
    }
}

impl DigestChannel for EmailChannel {
    fn name(&self) -> &'static str {
        "email"
    }

    fn timeout(&self) -> Duration {
        self.timeout
    }

    fn send<'a>(&'a self, content: &'a DigestContent) -> BoxFuture<'a, Result<(), SendError>> {
        Box::pin(async move {
            let message = self.message(content)?;
            // lettre bounds each command; this bounds the whole conversation.
            let sent = tokio::time::timeout(self.timeout, self.transport.send(message)).await;
            match sent {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(err)) => {
                    let text = self.redact(format!("SMTP: {err}"));
                    if err.is_permanent() {
                        Err(SendError::permanent(text))
                    } else {
                        Err(SendError::transient(text))
                    }
                }
                Err(_) => Err(SendError::transient(format!(
                    "SMTP: no answer within {:?}",
                    self.timeout
                ))),
            }
        })
    }
}
